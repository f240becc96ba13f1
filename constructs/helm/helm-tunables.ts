/**
 * The one declaration of what an operator tunes through Helm values.
 *
 * Each tunable names a field of the `EnvironmentConfig`, the Helm value key it becomes, the chart it
 * belongs to, a JSON Schema for the value and a *sentinel*: a distinctive, construct-valid value. The
 * emitter synthesizes the construct tree twice (env as given, env with every sentinel), and every leaf
 * that takes the sentinel is a place the value flows to. No object kind, name or JSON path is written
 * here, so the table cannot drift from the constructs: it is the constructs that say where a value goes.
 */
import type { EnvironmentConfig } from '../../envs/environment-config';
import { MVP_POSTURE } from '../../envs/posture';

/**
 * The two generated charts (names from the seed: `deploy/helm/charts/rspp-platform`, `rspp-runtime`).
 * A value lives in the values of the chart whose objects use it; one used by both charts moves to
 * `global.<key>` (the only values a subchart and its parent share).
 */
export const PLATFORM_CHART = 'rspp-platform';
export const RUNTIME_CHART = 'rspp-runtime';
export type ChartName = typeof PLATFORM_CHART | typeof RUNTIME_CHART;

/** A JSON Schema fragment (draft 2020-12 keywords only). */
export type JsonSchema = { readonly [keyword: string]: unknown };

export type TunableValue = string | number;

export interface HelmTunable {
  /** Dotted Helm value key inside its chart's values (e.g. `replicas.min`). */
  readonly key: string;
  /** The `EnvironmentConfig` field it mirrors (path of property names). */
  readonly envPath: readonly string[];
  /** One line shown in `values.yaml` and the schema's `description`. */
  readonly description: string;
  /** JSON Schema of the value, per env (floors differ by env). */
  readonly schema: (env: EnvironmentConfig) => JsonSchema;
  /**
   * Construct-valid stand-in used to find where the value lands. Strings must be unique in the whole
   * output; numbers are matched only at leaves whose env value equals the tunable's, so they need only
   * be distinct from every other numeric sentinel and keep the env's own constraints (min ≤ max).
   */
  readonly sentinel: TunableValue;
}

/** Image references pinned by digest (RSPP-POD-011): a tag alone is refused. */
export const IMAGE_DIGEST_PATTERN = '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[a-f0-9]{64}$';
/** A bundle digest (`sha256:<64 hex>`), the immutable reference of the `simple_v1` bundle. */
export const BUNDLE_DIGEST_PATTERN = '^sha256:[a-f0-9]{64}$';
/** Kubernetes quantities as the platform writes them (`250m`, `1`, `256Mi`, `1Gi`). */
export const CPU_QUANTITY_PATTERN = '^([0-9]+m|[0-9]+(\\.[0-9]+)?)$';
export const MEMORY_QUANTITY_PATTERN = '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$';
/** A DNS name (RFC 1123 subdomain). */
export const DOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$';
/** A Go duration as cert-manager reads it (`2160h`, `90m`, `1h30m`). */
export const GO_DURATION_PATTERN = '^([0-9]+h)?([0-9]+m)?([0-9]+s)?$';
/** A Kubernetes object name. */
export const K8S_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

const hex64 = (nibble: string): string => nibble.repeat(64);
const sentinelImage = (name: string, nibble: string): string =>
  `sentinel.rspp.invalid/helm-value/${name}@sha256:${hex64(nibble)}`;

const imageSchema = (what: string): JsonSchema => ({
  type: 'string',
  pattern: IMAGE_DIGEST_PATTERN,
  description: `${what} image, pinned by digest: registry/repo@sha256:<64 hex>. A tag (":1.2.3", ":latest") is refused (RSPP-POD-011).`,
});
const cpuSchema = (what: string): JsonSchema => ({ type: 'string', pattern: CPU_QUANTITY_PATTERN, description: what });
const memorySchema = (what: string): JsonSchema => ({ type: 'string', pattern: MEMORY_QUANTITY_PATTERN, description: what });
const replicaSchema = (what: string, floor: number, env: EnvironmentConfig): JsonSchema => ({
  type: 'integer',
  minimum: floor,
  description: `${what}; at least ${floor} in ${env.name} (MVP posture floor, envs/posture.ts).`,
});

/** Resource tunables of one workload, under `<prefix>resources.{requests,limits}.*`. */
function resourceTunables(prefix: string, component: 'runtime' | 'controlPlane' | 'leaseStore', base: number): HelmTunable[] {
  const envPath = (field: string): string[] => [component, 'resources', field];
  return [
    { key: `${prefix}resources.requests.cpu`, envPath: envPath('cpuRequest'), description: `CPU request of the ${component} container.`,
      schema: () => cpuSchema(`CPU request of the ${component} container (e.g. 250m).`), sentinel: `${base + 1}m` },
    { key: `${prefix}resources.requests.memory`, envPath: envPath('memoryRequest'), description: `Memory request of the ${component} container.`,
      schema: () => memorySchema(`Memory request of the ${component} container (e.g. 256Mi).`), sentinel: `${base + 3}Mi` },
    { key: `${prefix}resources.limits.memory`, envPath: envPath('memoryLimit'), description: `Memory limit of the ${component} container.`,
      schema: () => memorySchema(`Memory limit of the ${component} container (e.g. 512Mi); at least the request.`), sentinel: `${base + 1007}Mi` },
    { key: `${prefix}resources.limits.cpu`, envPath: envPath('cpuLimit'), description: `CPU limit of the ${component} container (unset by default).`,
      schema: () => cpuSchema(`CPU limit of the ${component} container (e.g. 1).`), sentinel: `${base + 1009}m` },
  ];
}

/** The table. Order is the order of `values.yaml`. */
export const HELM_TUNABLES: readonly HelmTunable[] = [
  // the runtime (expected in the rspp-runtime subchart)
  { key: 'image', envPath: ['runtime', 'image'], description: 'Runtime image, pinned by digest.',
    schema: () => imageSchema('Runtime'), sentinel: sentinelImage('runtime', 'a') },
  { key: 'replicas.min', envPath: ['runtime', 'minReplicas'], description: 'Runtime replicas (HPA minimum).',
    schema: (env) => replicaSchema('Runtime minimum replicas (HPA minReplicas)', MVP_POSTURE[env.name].runtimeMinReplicasFloor, env), sentinel: 17 },
  { key: 'replicas.max', envPath: ['runtime', 'maxReplicas'], description: 'Runtime replicas (HPA maximum).',
    schema: (env) => replicaSchema('Runtime maximum replicas (HPA maxReplicas)', MVP_POSTURE[env.name].runtimeMinReplicasFloor, env), sentinel: 61 },
  ...resourceTunables('', 'runtime', 7100),
  { key: 'bundleDigest', envPath: ['pipeline', 'bundleDigest'], description: 'Digest of the simple_v1 pipeline bundle the runtime serves.',
    schema: () => ({ type: 'string', pattern: BUNDLE_DIGEST_PATTERN, description: 'Pipeline bundle digest, sha256:<64 hex> (immutable reference; names and tags are refused).' }),
    sentinel: `sha256:${hex64('b')}` },
  // the rest of the platform
  { key: 'controlPlane.image', envPath: ['controlPlane', 'image'], description: 'Control-plane image, pinned by digest.',
    schema: () => imageSchema('Control-plane'), sentinel: sentinelImage('control-plane', 'c') },
  { key: 'controlPlane.replicas', envPath: ['controlPlane', 'replicas'], description: 'Control-plane replicas.',
    schema: (env) => replicaSchema('Control-plane replicas', MVP_POSTURE[env.name].controlPlaneReplicasFloor, env), sentinel: 13 },
  ...resourceTunables('controlPlane.', 'controlPlane', 7200),
  { key: 'leaseStore.image', envPath: ['leaseStore', 'image'], description: 'etcd image of the authority lease store, pinned by digest.',
    schema: () => imageSchema('etcd'), sentinel: sentinelImage('etcd', 'd') },
  ...resourceTunables('leaseStore.', 'leaseStore', 7300),
  { key: 'livekit.domain', envPath: ['livekit', 'domain'], description: 'Public domain of the LiveKit server.',
    schema: () => ({ type: 'string', pattern: DOMAIN_PATTERN, description: 'LiveKit public domain (DNS name, e.g. livekit.example.com).' }),
    sentinel: 'livekit.sentinel-helm-value.rspp.invalid' },
  { key: 'issuer.caSecretName', envPath: ['tls', 'caSecretName'], description: 'Secret holding the CA keypair of the CA issuer.',
    schema: () => ({ type: 'string', pattern: K8S_NAME_PATTERN, maxLength: 253, description: 'Name of the Secret with the CA keypair (tls.crt, tls.key).' }),
    sentinel: 'sentinel-helm-value-ca-secret' },
  { key: 'issuer.certificateDuration', envPath: ['tls', 'certificateDuration'], description: 'Lifetime of issued certificates.',
    schema: () => ({ type: 'string', pattern: GO_DURATION_PATTERN, minLength: 2, description: 'Certificate lifetime, Go duration (e.g. 2160h).' }),
    sentinel: '9137h' },
  { key: 'issuer.renewBefore', envPath: ['tls', 'renewBefore'], description: 'Renew certificates this long before expiry.',
    schema: () => ({ type: 'string', pattern: GO_DURATION_PATTERN, minLength: 2, description: 'Renewal window, Go duration (e.g. 360h); shorter than the lifetime.' }),
    sentinel: '913h' },
];

/** Reads a tunable's env value (undefined when the env leaves the optional field unset). */
export function readTunable(env: EnvironmentConfig, tunable: HelmTunable): TunableValue | undefined {
  let cursor: unknown = env;
  for (const segment of tunable.envPath) {
    if (cursor === null || typeof cursor !== 'object') return undefined;
    cursor = (cursor as Record<string, unknown>)[segment];
  }
  return typeof cursor === 'string' || typeof cursor === 'number' ? cursor : undefined;
}

/** A deep copy of `env` with the given tunables set to their sentinels (the others untouched). */
export function withSentinels(env: EnvironmentConfig, tunables: readonly HelmTunable[]): EnvironmentConfig {
  const copy = structuredClone(env) as unknown as Record<string, unknown>;
  for (const tunable of tunables) {
    let cursor = copy;
    for (const segment of tunable.envPath.slice(0, -1)) cursor = cursor[segment] as Record<string, unknown>;
    cursor[tunable.envPath[tunable.envPath.length - 1]] = tunable.sentinel;
  }
  return copy as unknown as EnvironmentConfig;
}
