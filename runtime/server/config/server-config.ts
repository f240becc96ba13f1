/**
 * The session server's configuration: embedded defaults, overlaid by an optional JSON/YAML file
 * (`RSPP_CONFIG_FILE`), overlaid by environment variables (names from `RUNTIME_ENV`). Everything is
 * validated up front; every problem is reported at once, each naming the variable or file field and
 * what is allowed, so a bad Pod spec fails on start with one readable message.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import {
  ADMIN_PORT,
  DEFAULT_DRAIN_SECONDS,
  DEFAULT_LEASE_TTL_SECONDS,
  MVP_PROFILE,
  RUNTIME_ENV,
  RUNTIME_SESSION_PORT,
} from '../../contracts/runtime-interface';
import { SIMPLE_V1_PROFILE_NAME } from '../../engine/execution-profiles';

export type LeaseStoreKind = 'memory' | 'etcd';

/** Profiles the server's engine materializes (its default `profiles`); any other `RSPP_PROFILE` fails at start. */
export const SERVED_PROFILES: readonly string[] = [SIMPLE_V1_PROFILE_NAME];

/**
 * Where each turn start (turn-engine.md §2 step 5) is resolved:
 *   - `embedded`: in process, from the bundle verified at startup (no network in the turn path);
 *   - `control-plane`: `POST /v1/turn-start` per proposal (CP-05 admission, lease re-check).
 */
export type TurnStartMode = 'embedded' | 'control-plane';
export const TURN_START_MODES: readonly TurnStartMode[] = ['embedded', 'control-plane'];

export interface ServerConfig {
  /** Interface both listeners bind. @default '0.0.0.0' */
  readonly host: string;
  /** Session WebSocket port. @default RUNTIME_SESSION_PORT (8080); 0 picks a free port. */
  readonly sessionPort: number;
  /** Admin port (`/healthz`, `/readyz`, `/metrics`). @default ADMIN_PORT (9090); 0 picks a free port. */
  readonly adminPort: number;
  /** Seconds in-flight turns may take to finish on drain. @default DEFAULT_DRAIN_SECONDS (30) */
  readonly drainSeconds: number;
  /** Pipeline profile served by this process. @default MVP_PROFILE ('simple/v1') */
  readonly profile: string;
  /** Digest of the pinned bundle (`sha256:<64 hex>`); unset for the embedded bundle. @default undefined */
  readonly bundleDigest?: string;
  /** Authority lease store backend. @default 'memory' */
  readonly leaseStore: LeaseStoreKind;
  /** etcd client endpoints; required when `leaseStore` is `etcd`. @default [] */
  readonly etcdEndpoints: readonly string[];
  /** Directory with `ca.crt`, `tls.crt`, `tls.key` for etcd mTLS. @default undefined (plain connection) */
  readonly etcdTlsDir?: string;
  /** Authority lease TTL, seconds (renewed at TTL/2). @default DEFAULT_LEASE_TTL_SECONDS (10) */
  readonly leaseTtlSeconds: number;
  /** Control-plane API base URL. @default undefined (embedded defaults) */
  readonly controlPlaneUrl?: string;
  /**
   * Turn-start resolution (`RSPP_TURN_START`). `control-plane` needs `controlPlaneUrl` and `bundleDigest`.
   * @default 'control-plane' when `controlPlaneUrl` is set, else 'embedded'
   */
  readonly turnStartMode: TurnStartMode;
  /**
   * Bound on one `POST /v1/turn-start`, ms; no retry inside a turn (a miss is step-5
   * `turn_start_bundle_resolution_failed`, plan-failure policy). File/programmatic only.
   * @default 250
   */
  readonly turnStartTimeoutMs: number;
  /** Tenant the control plane admits this runtime's sessions under (`RSPP_TENANT_ID`). @default 'default' */
  readonly tenantId: string;
  /** Region this process serves (single-region MVP). @default 'local' */
  readonly region: string;
  /** Placement identity, the lease holder name. @default os.hostname() */
  readonly podName: string;
  /** Kubernetes namespace, informative. @default undefined */
  readonly namespace?: string;
  /** Sessions accepted concurrently; more are refused with close code 1013. @default 10000 */
  readonly maxSessions: number;
  /** Largest accepted ingress frame, bytes. @default 65536 */
  readonly maxFrameBytes: number;
  /**
   * OR-02 Stage B export: append every baseline record as a JSON line to this file.
   * @default undefined (records kept in a bounded in-memory buffer)
   */
  readonly evidenceFile?: string;
  /**
   * Worker processes sharing the session port (`RSPP_WORKERS`, 1..64), each its own lease and
   * sessions; the primary serves the admin port. @default undefined (the cgroup CPU limit, see
   * `cluster/worker-pool.ts`)
   */
  readonly workers?: number;
}

export const DEFAULT_SERVER_CONFIG: ServerConfig = {
  host: '0.0.0.0',
  sessionPort: RUNTIME_SESSION_PORT,
  adminPort: ADMIN_PORT,
  drainSeconds: DEFAULT_DRAIN_SECONDS,
  profile: MVP_PROFILE,
  leaseStore: 'memory',
  etcdEndpoints: [],
  leaseTtlSeconds: DEFAULT_LEASE_TTL_SECONDS,
  turnStartMode: 'embedded',
  turnStartTimeoutMs: 250,
  tenantId: 'default',
  region: 'local',
  podName: os.hostname(),
  maxSessions: 10_000,
  maxFrameBytes: 65_536,
};

/** Thrown with every configuration problem found, one per line. */
export class ServerConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid runtime server configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ServerConfigError';
  }
}

type Source = { readonly describe: (field: keyof ServerConfig) => string };

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const FIELDS: readonly (keyof ServerConfig)[] = Object.keys(DEFAULT_SERVER_CONFIG).concat([
  'bundleDigest',
  'etcdTlsDir',
  'controlPlaneUrl',
  'namespace',
  'evidenceFile',
  'workers',
]) as (keyof ServerConfig)[];

/**
 * Env var → config field. Host, limits and the evidence file are file/programmatic only: the
 * deployment fixes them, and there are no shared env names for them.
 */
const ENV_FIELDS: ReadonlyArray<readonly [string, keyof ServerConfig]> = [
  [RUNTIME_ENV.sessionPort, 'sessionPort'],
  [RUNTIME_ENV.adminPort, 'adminPort'],
  [RUNTIME_ENV.drainSeconds, 'drainSeconds'],
  [RUNTIME_ENV.profile, 'profile'],
  [RUNTIME_ENV.bundleDigest, 'bundleDigest'],
  [RUNTIME_ENV.leaseStore, 'leaseStore'],
  [RUNTIME_ENV.etcdEndpoints, 'etcdEndpoints'],
  [RUNTIME_ENV.etcdTlsDir, 'etcdTlsDir'],
  [RUNTIME_ENV.leaseTtlSeconds, 'leaseTtlSeconds'],
  [RUNTIME_ENV.controlPlaneUrl, 'controlPlaneUrl'],
  [RUNTIME_ENV.turnStartMode, 'turnStartMode'],
  [RUNTIME_ENV.tenantId, 'tenantId'],
  [RUNTIME_ENV.region, 'region'],
  [RUNTIME_ENV.podName, 'podName'],
  [RUNTIME_ENV.namespace, 'namespace'],
  [RUNTIME_ENV.workers, 'workers'],
];

function integerIn(value: unknown, min: number, max: number): number | string {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    return `must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`;
  }
  return n;
}

function nonEmptyString(value: unknown): string | { error: string } {
  if (typeof value !== 'string' || value.trim() === '') return { error: `must be a non-empty string, got ${JSON.stringify(value)}` };
  return value.trim();
}

/** Parses one raw value (string from env, or any JSON/YAML value from the file) into its field's type. */
function parseField(field: keyof ServerConfig, raw: unknown): { value: unknown } | { error: string } {
  const asInt = (min: number, max: number) => {
    const r = integerIn(raw, min, max);
    return typeof r === 'string' ? { error: r } : { value: r };
  };
  const asString = () => {
    const r = nonEmptyString(raw);
    return typeof r === 'string' ? { value: r } : r;
  };
  switch (field) {
    case 'sessionPort':
    case 'adminPort':
      return asInt(0, 65535);
    case 'drainSeconds':
      return asInt(1, 3600);
    case 'leaseTtlSeconds':
      return asInt(2, 300);
    case 'maxSessions':
      return asInt(1, 1_000_000);
    case 'maxFrameBytes':
      return asInt(1024, 16 * 1024 * 1024);
    case 'turnStartTimeoutMs':
      return asInt(1, 10_000);
    case 'workers':
      return asInt(1, 64);
    case 'turnStartMode':
      return (TURN_START_MODES as readonly unknown[]).includes(raw)
        ? { value: raw }
        : { error: `must be one of ${TURN_START_MODES.map((m) => `"${m}"`).join(', ')}, got ${JSON.stringify(raw)}` };
    case 'leaseStore':
      return raw === 'memory' || raw === 'etcd' ? { value: raw } : { error: `must be "memory" or "etcd", got ${JSON.stringify(raw)}` };
    case 'bundleDigest': {
      const r = asString();
      if ('error' in r) return r;
      return DIGEST.test(r.value as string) ? r : { error: `must be a digest "sha256:<64 lowercase hex>", got ${JSON.stringify(raw)}` };
    }
    case 'controlPlaneUrl': {
      const r = asString();
      if ('error' in r) return r;
      try {
        const url = new URL(r.value as string);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      } catch {
        return { error: `must be an http(s) URL, got ${JSON.stringify(raw)}` };
      }
      return r;
    }
    case 'etcdEndpoints': {
      const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter((s) => s !== '') : raw;
      if (!Array.isArray(list) || list.some((e) => typeof e !== 'string' || !/^https?:\/\/[^\s/]+(:\d+)?\/?$/.test(e))) {
        return { error: `must be a comma-separated list (or array) of http(s)://host:port endpoints, got ${JSON.stringify(raw)}` };
      }
      return { value: list };
    }
    case 'profile':
      return (SERVED_PROFILES as readonly unknown[]).includes(raw)
        ? { value: raw }
        : { error: `${JSON.stringify(raw)} is not a profile this runtime serves; use one of ${SERVED_PROFILES.map((p) => `"${p}"`).join(', ')} (unset, it defaults to "${MVP_PROFILE}")` };
    default:
      return asString();
  }
}

function readConfigFile(file: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${RUNTIME_ENV.configFile}=${file}: cannot read file (${(err as Error).message})`);
    return {};
  }
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    problems.push(`${file}: not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'} (${(err as Error).message})`);
    return {};
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    problems.push(`${file}: top level must be a mapping of config fields`);
    return {};
  }
  return doc as Record<string, unknown>;
}

/**
 * Resolves the configuration: defaults, then `overrides.configFile ?? env[RSPP_CONFIG_FILE]`, then
 * env vars, then programmatic `overrides` (tests, embedding). Throws `ServerConfigError` listing
 * every problem.
 */
export function loadServerConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ServerConfig> & { readonly configFile?: string } = {},
): ServerConfig {
  const problems: string[] = [];
  const merged: Record<string, unknown> = { ...DEFAULT_SERVER_CONFIG };

  const applyField = (source: Source, field: keyof ServerConfig, raw: unknown) => {
    const parsed = parseField(field, raw);
    if ('error' in parsed) problems.push(`${source.describe(field)}: ${parsed.error}`);
    else merged[field] = parsed.value;
  };

  let modeSet = false;
  const apply = (source: Source, field: keyof ServerConfig, raw: unknown) => {
    if (field === 'turnStartMode') modeSet = true;
    applyField(source, field, raw);
  };

  const { configFile: fileOverride, ...programmatic } = overrides;
  const configFile = fileOverride ?? (env[RUNTIME_ENV.configFile]?.trim() || undefined);
  if (configFile !== undefined) {
    const file = path.resolve(configFile);
    const doc = readConfigFile(file, problems);
    const fileSource: Source = { describe: (field) => `${file}: field "${field}"` };
    for (const [key, raw] of Object.entries(doc)) {
      if (!(FIELDS as readonly string[]).includes(key)) {
        problems.push(`${file}: unknown field "${key}" (known: ${FIELDS.join(', ')})`);
        continue;
      }
      apply(fileSource, key as keyof ServerConfig, raw);
    }
  }

  for (const [name, field] of ENV_FIELDS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    apply({ describe: () => name }, field, raw);
  }

  const programmaticSource: Source = { describe: (field) => `option "${field}"` };
  for (const [key, raw] of Object.entries(programmatic)) {
    if (raw === undefined) continue;
    apply(programmaticSource, key as keyof ServerConfig, raw);
  }

  if (merged.leaseStore === 'etcd' && (merged.etcdEndpoints as readonly string[]).length === 0) {
    problems.push(`${RUNTIME_ENV.etcdEndpoints}: required when ${RUNTIME_ENV.leaseStore}=etcd (comma-separated https://host:2379 list)`);
  }
  if (!modeSet && merged.controlPlaneUrl !== undefined) merged.turnStartMode = 'control-plane';
  if (merged.turnStartMode === 'control-plane') {
    if (merged.controlPlaneUrl === undefined) {
      problems.push(`${RUNTIME_ENV.turnStartMode}=control-plane needs ${RUNTIME_ENV.controlPlaneUrl} (the control plane answering POST /v1/turn-start); set it or use ${RUNTIME_ENV.turnStartMode}=embedded`);
    }
    if (merged.bundleDigest === undefined) {
      problems.push(`${RUNTIME_ENV.turnStartMode}=control-plane needs ${RUNTIME_ENV.bundleDigest} (turn starts are asked for the pinned bundle); set it to sha256:<64 hex> or use ${RUNTIME_ENV.turnStartMode}=embedded`);
    }
  }
  if (merged.sessionPort !== 0 && merged.sessionPort === merged.adminPort) {
    problems.push(`sessionPort and adminPort must differ (both ${String(merged.sessionPort)}); set ${RUNTIME_ENV.sessionPort} or ${RUNTIME_ENV.adminPort} to another port`);
  }
  if (problems.length > 0) throw new ServerConfigError(problems);
  return Object.freeze(merged) as unknown as ServerConfig;
}
