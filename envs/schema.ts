/**
 * Runtime validation of an `EnvironmentConfig`: structure (types, ranges, unknown keys) and the MVP
 * posture (single-region authority, HA floors per env, digest-pinned images, quorum-sized etcd, ...).
 * Every problem is reported, one line each: `<env>: <field path>: <what is wrong>; <what is allowed>`.
 */
import type { EnvironmentConfig, EnvName, LeaseStoreEnvConfig } from './environment-config';
import { parsePinnedImage, pinnedImageProblem, SHA256_DIGEST } from './image-ref';
import { isPositiveQuantity } from './quantity';
import { environmentQuantityProblems } from './quantity-bounds';
import { resourceSpecProblems } from './resource-spec';
import { ENV_NAMES, ETCD_MEMBERS_MAX, HA_MIN_REPLICAS, MVP_POSTURE } from './posture';
import { check, Spec } from './schema-language';
import { LIVEKIT_NODE_CIDRS_MAX, liveKitNodeCidrProblem } from './livekit';
import { CLUSTER_FLAVOUR_SPEC, clusterPostureProblems } from './schema-cluster';
import { ALERTING_SPEC, alertingPostureProblems } from './schema-alerting';

/** Thrown by `validateEnvironment` with every problem found. */
export class EnvironmentConfigError extends Error {
  public constructor(public readonly env: string, public readonly problems: readonly string[]) {
    super(`invalid environment config "${env}" (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'EnvironmentConfigError';
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const EXACT_SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const ARTIFACT_NAME = /^[a-z][a-z0-9_]*_v\d+$/;
const GO_DURATION = /^(\d+h)?(\d+m)?(\d+s)?$/;
const SECRET_LIKE_KEY = /secret|password|passwd|token|access_?key|credential|private_?key|sas|client_?key/i;
const RESERVED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
/** Label key: optional DNS-subdomain prefix and '/', then a name of ≤63 alphanumerics, '-', '_', '.'. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** etcd client URL: https, lowercase host, explicit port (etcd has no https default port). */
const ETCD_CLIENT_URL = /^https:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?:([0-9]{1,5})$/;

const str = (describe: string, test?: (v: string) => string | undefined, optional = false): Spec => ({ kind: 'string', describe, test, optional });

const pinnedImage = str('an image reference pinned by digest (repo@sha256:<64 hex>)', (v) => pinnedImageProblem(v));
const positiveQuantity = (example: string, optional = false) =>
  str(
    `a positive Kubernetes quantity (e.g. "${example}")`,
    (v) => (isPositiveQuantity(v) ? undefined : `${JSON.stringify(v)} is not a positive Kubernetes quantity; use e.g. "${example}"`),
    optional,
  );
const namespaceName = (example: string) =>
  str(`a namespace name (DNS label, e.g. "${example}")`, (v) =>
    !DNS_LABEL.test(v) || v.length > 63
      ? `${JSON.stringify(v)} is not a DNS label; use lowercase letters, digits and "-" (≤63 chars)`
      : RESERVED_NAMESPACES.includes(v)
        ? `"${v}" is a system namespace; use a namespace of its own (e.g. "${example}")`
        : undefined);
const secretName = str('a Secret name (DNS label)', (v) => (DNS_LABEL.test(v) ? undefined : `${JSON.stringify(v)} is not a Secret name (lowercase letters, digits, "-")`), true);
const labelValue = str('a label value (≤63 chars: alphanumerics, "-", "_", ".")', (v) =>
  v !== '' && v.length <= 63 && LABEL_VALUE.test(v) ? undefined : `${JSON.stringify(v)} is not a valid label value; use ≤63 alphanumerics, "-", "_" or ".", alphanumeric at both ends`);
const exactVersion = str('an exact chart version (e.g. "1.2.3")', (v) =>
  EXACT_SEMVER.test(v) ? undefined : `${JSON.stringify(v)} is not an exact version; pin a release such as "1.2.3" (ranges and "latest" are mutable)`);
const goDuration = (example: string) =>
  str(`a duration in hours/minutes/seconds (e.g. "${example}")`, (v) =>
    v !== '' && GO_DURATION.test(v) ? undefined : `${JSON.stringify(v)} is not a duration; use hours, minutes and seconds such as "${example}"`);

const resources: Spec = {
  kind: 'object',
  fields: {
    cpuRequest: positiveQuantity('250m'),
    memoryRequest: positiveQuantity('256Mi'),
    memoryLimit: positiveQuantity('512Mi'),
    cpuLimit: positiveQuantity('1', true),
  },
};

const MULTI_REGION_KEYS = ['regions', 'secondaryRegions', 'replicaRegions', 'failoverRegion', 'failoverRegions', 'authorities'];

/** The shape of `EnvironmentConfig`, field by field (kept in step with `environment-config.ts`). */
export const ENVIRONMENT_SPEC: Spec = {
  kind: 'object',
  fields: {
    name: { kind: 'enum', values: ENV_NAMES },
    namespace: namespaceName('rspp'),
    version: labelValue,
    highAvailability: { kind: 'boolean' },
    zones: {
      kind: 'array',
      optional: true,
      minItems: 1,
      unique: true,
      hint: 'list the topology.kubernetes.io/zone values of the cluster\'s nodes (e.g. ["eu-west-1a", "eu-west-1b", "eu-west-1c"]), or remove zones',
      items: str('a zone name (topology.kubernetes.io/zone value)', (v) => (/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(v) ? undefined : `${JSON.stringify(v)} is not a label value (zone name)`)),
    },
    authority: {
      kind: 'object',
      fields: {
        mode: { kind: 'enum', values: ['single-region'], hint: 'the MVP posture is single-region authority; set authority.mode to "single-region"' },
        region: str('a region name (lowercase letters, digits, "-")', (v) =>
          /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) ? undefined : `${JSON.stringify(v)} is not a region name; use lowercase letters, digits and "-" (e.g. "eu-west-1")`),
      },
      unknownKeyHint: (key) =>
        MULTI_REGION_KEYS.includes(key)
          ? `multi-region authority is not supported: the MVP posture is single-region; remove authority.${key} and name the one region in authority.region`
          : undefined,
    },
    transport: { kind: 'enum', values: ['livekit'], hint: 'the MVP transport is LiveKit; set transport to "livekit"' },
    pipeline: {
      kind: 'object',
      fields: {
        profile: { kind: 'enum', values: ['simple/v1'], hint: 'the MVP pipeline profile is "simple/v1"' },
        bundleDigest: str('a bundle digest "sha256:<64 lowercase hex>"', (v) =>
          SHA256_DIGEST.test(v) ? undefined : `${JSON.stringify(v)} is not a bundle digest; bundles are immutable references "sha256:<64 lowercase hex>"`),
        rollout: str('a versioned rollout artifact name (e.g. "canary_10pct_v1")', (v) =>
          ARTIFACT_NAME.test(v) ? undefined : `${JSON.stringify(v)} is not a versioned rollout artifact name; use e.g. "canary_10pct_v1" (mutable targets are refused)`),
      },
    },
    runtime: {
      kind: 'object',
      fields: {
        image: pinnedImage,
        minReplicas: { kind: 'int', min: 1, max: 100 },
        maxReplicas: { kind: 'int', min: 1, max: 200 },
        targetCpuUtilization: { kind: 'int', min: 10, max: 95 },
        drainSeconds: { kind: 'int', min: 1, max: 3600 },
        resources,
      },
    },
    images: {
      kind: 'object',
      optional: true,
      fields: {
        repository: str('an image repository <registry>/<path> without tag or digest (e.g. "ghcr.io/acme/rspp-runtime")', (v) =>
          parsePinnedImage(`${v}@sha256:${'0'.repeat(64)}`)?.repository === v && v.includes('/')
            ? undefined
            : `${JSON.stringify(v)} is not an image repository; use <registry>/<path> without tag or digest (e.g. "ghcr.io/acme/rspp-runtime"), the digest comes from envs/pins.ts or the build`, true),
        pullSecrets: { kind: 'array', optional: true, minItems: 1, items: secretName },
      },
    },
    controlPlane: {
      kind: 'object',
      fields: { image: pinnedImage, replicas: { kind: 'int', min: 1, max: 15 }, resources },
    },
    leaseStore: {
      kind: 'object',
      fields: {
        mode: { kind: 'enum', values: ['managed', 'external'] },
        members: { kind: 'int', min: 1, max: ETCD_MEMBERS_MAX },
        image: pinnedImage,
        storageSize: positiveQuantity('10Gi'),
        storageClassName: str('a StorageClass name (DNS subdomain)', (v) => (DNS_NAME.test(v) || DNS_LABEL.test(v) ? undefined : `${JSON.stringify(v)} is not a StorageClass name`), true),
        endpoints: {
          kind: 'array',
          optional: true,
          minItems: 1,
          items: str('an https://host:port etcd client URL', (v) => {
            const m = ETCD_CLIENT_URL.exec(v);
            if (!m) return `${JSON.stringify(v)} is not an https://host:port URL (the lease store is reached over mTLS only; lowercase host, explicit port such as 2379)`;
            const port = Number(m[2]);
            return port >= 1 && port <= 65535 ? undefined : `${JSON.stringify(v)}: port ${port} is not in 1..65535`;
          }),
        },
        tlsSecretName: secretName,
        externalPeer: {
          kind: 'object',
          optional: true,
          fields: {
            namespace: namespaceName('infra'),
            podLabels: {
              kind: 'stringMap',
              minEntries: 1,
              key: (k) => (LABEL_KEY.test(k) && k.length <= 317 ? undefined : `is not a label key; use [prefix/]name (name ≤63 alphanumerics, "-", "_", ".")`),
              value: (v) => (v.length <= 63 && LABEL_VALUE.test(v) ? undefined : `${JSON.stringify(v)} is not a label value; use ≤63 alphanumerics, "-", "_" or "."`),
            },
          },
          unknownKeyHint: (key) =>
            /cidr|ip/i.test(key)
              ? `NetworkPolicy peers are named by labels, never by IP block (manifest policy RSPP-NET-002); remove leaseStore.externalPeer.${key} and name the etcd pods by namespace and podLabels`
              : undefined,
        },
        leaseTtlSeconds: { kind: 'int', min: 2, max: 60 },
        resources,
      },
    },
    tls: {
      kind: 'object',
      fields: {
        issuer: { kind: 'enum', values: ['self-signed-ca', 'ca-issuer'] },
        caSecretName: secretName,
        certificateDuration: goDuration('2160h'),
        renewBefore: goDuration('360h'),
      },
    },
    livekit: {
      kind: 'object',
      fields: {
        domain: str('a DNS name (e.g. "livekit.example.com")', (v) => (DNS_NAME.test(v) ? undefined : `${JSON.stringify(v)} is not a DNS name; use e.g. "livekit.example.com"`)),
        namespace: namespaceName('livekit'),
        replicas: { kind: 'int', min: 1, max: 50 },
        udpPortRangeStart: { kind: 'int', min: 1024, max: 65535 },
        udpPortRangeEnd: { kind: 'int', min: 1024, max: 65535 },
        apiKeySecretName: secretName,
        chartVersion: exactVersion,
        nodeCidrs: {
          kind: 'array',
          optional: true,
          minItems: 1,
          maxItems: LIVEKIT_NODE_CIDRS_MAX,
          unique: true,
          hint: `list the node CIDRs LiveKit runs on (1..${LIVEKIT_NODE_CIDRS_MAX}, e.g. the node subnet "10.0.0.0/16"), or remove livekit.nodeCidrs`,
          items: str('a node CIDR (e.g. "10.0.0.0/16" or "fd00::/64")', liveKitNodeCidrProblem),
        },
      },
    },
    observability: {
      kind: 'object',
      fields: {
        backend: { kind: 'enum', values: ['kube-prometheus-stack'] },
        chartVersion: exactVersion,
        prometheusReleaseLabel: labelValue,
      },
    },
    cluster: CLUSTER_FLAVOUR_SPEC,
    alerting: ALERTING_SPEC,
    terraform: {
      kind: 'object',
      fields: {
        backend: { kind: 'enum', values: ['local', 's3', 'gcs', 'azurerm', 'remote'] },
        backendConfig: {
          kind: 'stringMap',
          optional: true,
          key: (k) =>
            SECRET_LIKE_KEY.test(k)
              ? `looks like a credential; backend credentials come from the environment (e.g. AWS_* / GOOGLE_* variables), never from the config`
              : undefined,
          value: () => undefined,
        },
      },
    },
  },
};

function durationSeconds(v: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v);
  return m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : NaN;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Posture rules over fields whose structure is already valid (so a broken field is reported once). */
function postureProblems(env: EnvName, cfg: Record<string, unknown>): string[] {
  const posture = MVP_POSTURE[env];
  const problems: string[] = [];
  const runtime = isObj(cfg.runtime) ? cfg.runtime : {};
  const cp = isObj(cfg.controlPlane) ? cfg.controlPlane : {};
  const ls = isObj(cfg.leaseStore) ? (cfg.leaseStore as Partial<Record<keyof LeaseStoreEnvConfig, unknown>>) : {};
  const tls = isObj(cfg.tls) ? cfg.tls : {};
  const livekit = isObj(cfg.livekit) ? cfg.livekit : {};
  const terraform = isObj(cfg.terraform) ? cfg.terraform : {};
  const ha = cfg.highAvailability;

  if (posture.requiresHighAvailability && ha === false) {
    problems.push(`highAvailability: false is not allowed in ${env}; ${env} runs with PodDisruptionBudgets, anti-affinity and topology spread: set highAvailability to true`);
  }

  const min = runtime.minReplicas;
  if (isInt(min)) {
    if (min < posture.runtimeMinReplicasFloor) {
      problems.push(`runtime.minReplicas: ${min} is below the ${env} HA floor of ${posture.runtimeMinReplicasFloor}; set runtime.minReplicas >= ${posture.runtimeMinReplicasFloor}`);
    } else if (ha === true && min < HA_MIN_REPLICAS) {
      problems.push(`runtime.minReplicas: ${min} cannot keep a PodDisruptionBudget (HPA min must be >= minAvailable + 1); set runtime.minReplicas >= ${HA_MIN_REPLICAS} or highAvailability to false`);
    }
    if (isInt(runtime.maxReplicas) && runtime.maxReplicas < min) {
      problems.push(`runtime.maxReplicas: ${runtime.maxReplicas} is below runtime.minReplicas ${min}; set runtime.maxReplicas >= ${min}`);
    }
  }

  const cpReplicas = cp.replicas;
  if (isInt(cpReplicas)) {
    if (cpReplicas < posture.controlPlaneReplicasFloor) {
      problems.push(`controlPlane.replicas: ${cpReplicas} is below the ${env} HA floor of ${posture.controlPlaneReplicasFloor}; set controlPlane.replicas >= ${posture.controlPlaneReplicasFloor}`);
    } else if (ha === true && cpReplicas < HA_MIN_REPLICAS) {
      problems.push(`controlPlane.replicas: ${cpReplicas} cannot keep a PodDisruptionBudget; set controlPlane.replicas >= ${HA_MIN_REPLICAS} or highAvailability to false`);
    }
  }

  if (ls.mode === 'managed' && isInt(ls.members)) {
    if (ls.members % 2 === 0) {
      problems.push(`leaseStore.members: ${ls.members} is even; etcd needs an odd member count for a clean quorum: use ${ls.members - 1 >= posture.etcdMembersFloor ? `${ls.members - 1} or ` : ''}${ls.members + 1}`);
    } else if (ls.members < posture.etcdMembersFloor) {
      problems.push(`leaseStore.members: ${ls.members} is below the ${env} quorum floor of ${posture.etcdMembersFloor} (a single member loses the lease store on any restart); set leaseStore.members to ${posture.etcdMembersFloor}, 5 or 7`);
    }
  }
  if (ls.mode === 'external') {
    if (ls.endpoints === undefined) problems.push(`leaseStore.endpoints: required when leaseStore.mode is "external"; list the etcd client URLs (https://host:2379)`);
    if (ls.tlsSecretName === undefined) problems.push(`leaseStore.tlsSecretName: required when leaseStore.mode is "external"; name an existing Secret with ca.crt, tls.crt and tls.key`);
    if (ls.externalPeer === undefined) {
      problems.push(
        `leaseStore.externalPeer: required when leaseStore.mode is "external"; name the etcd pods { namespace, podLabels } so the clients' egress is allowed past default-deny (IP blocks are not allowed: RSPP-NET-002)`,
      );
    }
    if (ls.storageClassName !== undefined) problems.push(`leaseStore.storageClassName: only used when leaseStore.mode is "managed"; remove it or set leaseStore.mode to "managed"`);
  } else if (ls.mode === 'managed') {
    for (const field of ['endpoints', 'tlsSecretName', 'externalPeer'] as const) {
      if (ls[field] !== undefined) problems.push(`leaseStore.${field}: only used when leaseStore.mode is "external"; remove it or set leaseStore.mode to "external"`);
    }
  }
  if (isInt(ls.leaseTtlSeconds) && isInt(runtime.drainSeconds) && ls.leaseTtlSeconds > runtime.drainSeconds) {
    problems.push(`leaseStore.leaseTtlSeconds: ${ls.leaseTtlSeconds} exceeds runtime.drainSeconds ${runtime.drainSeconds}; a draining pod's lease would outlive it: set leaseTtlSeconds <= drainSeconds`);
  }

  for (const [path, spec] of [['runtime.resources', runtime.resources], ['controlPlane.resources', cp.resources], ['leaseStore.resources', ls.resources]] as const) {
    if (isObj(spec) && ['cpuRequest', 'memoryRequest', 'memoryLimit'].every((k) => typeof spec[k] === 'string' && isPositiveQuantity(spec[k] as string))) {
      problems.push(...resourceSpecProblems(spec as never, path).filter((p) => / exceeds /.test(p)));
    }
  }

  if (typeof tls.issuer === 'string' && !posture.issuers.includes(tls.issuer as never)) {
    problems.push(`tls.issuer: "${tls.issuer}" is not allowed in ${env}; ${env} uses a CA issuer: set tls.issuer to ${posture.issuers.map((i) => `"${i}"`).join(' or ')}`);
  }
  if (tls.caSecretName !== undefined && tls.issuer === 'self-signed-ca') {
    problems.push(`tls.caSecretName: only used with tls.issuer "ca-issuer" (an external root keypair); remove it or set tls.issuer to "ca-issuer"`);
  }
  if (typeof tls.certificateDuration === 'string' && typeof tls.renewBefore === 'string') {
    const duration = durationSeconds(tls.certificateDuration);
    const renew = durationSeconds(tls.renewBefore);
    if (duration < 3600) problems.push(`tls.certificateDuration: "${tls.certificateDuration}" is shorter than cert-manager's minimum of 1h; use e.g. "2160h"`);
    if (renew >= duration) problems.push(`tls.renewBefore: "${tls.renewBefore}" is not shorter than tls.certificateDuration "${tls.certificateDuration}"; certificates would renew continuously: use e.g. "360h"`);
  }

  if (typeof livekit.namespace === 'string' && livekit.namespace === cfg.namespace) {
    problems.push(
      `livekit.namespace: "${livekit.namespace}" is the platform namespace; LiveKit runs in a namespace of its own (Pod Security "privileged" for its host network): use e.g. "livekit"`,
    );
  }
  if (isInt(livekit.udpPortRangeStart) && isInt(livekit.udpPortRangeEnd) && livekit.udpPortRangeStart > livekit.udpPortRangeEnd) {
    problems.push(`livekit.udpPortRangeEnd: ${livekit.udpPortRangeEnd} is below livekit.udpPortRangeStart ${livekit.udpPortRangeStart}; set udpPortRangeStart <= udpPortRangeEnd`);
  }

  if (typeof terraform.backend === 'string' && !posture.terraformBackends.includes(terraform.backend as never)) {
    problems.push(`terraform.backend: "${terraform.backend}" is not allowed in ${env}; shared envs keep state remotely: use one of ${posture.terraformBackends.map((b) => `"${b}"`).join(', ')}`);
  }
  problems.push(...clusterPostureProblems(env, cfg), ...alertingPostureProblems(env, cfg));
  return problems;
}

/**
 * Every problem with `cfg`, as `<env>: <path>: <message>` lines; empty when valid.
 * @param expectedName the env `cfg` is loaded as; its `name` must match. @default cfg.name
 */
export function environmentProblems(cfg: unknown, expectedName?: EnvName): string[] {
  const declared = isObj(cfg) && typeof cfg.name === 'string' ? cfg.name : undefined;
  const label = expectedName ?? declared ?? '<unnamed env>';
  const problems: string[] = [];
  check(ENVIRONMENT_SPEC, cfg, '', problems);
  // Sane bounds per quantity field (unit slips such as '500M' CPU), a block of its own: quantity-bounds.ts.
  if (isObj(cfg)) problems.push(...environmentQuantityProblems(cfg));
  if (expectedName !== undefined && declared !== undefined && declared !== expectedName) {
    problems.push(`name: "${declared}" does not match the environment it is loaded as; set name to "${expectedName}"`);
  }
  const env = (ENV_NAMES as readonly string[]).includes(label) ? (label as EnvName) : undefined;
  if (isObj(cfg) && env !== undefined) problems.push(...postureProblems(env, cfg));
  return problems.map((p) => `${label}: ${p.startsWith(': ') ? p.slice(2) : p}`);
}

/** Returns `cfg` typed when valid; throws `EnvironmentConfigError` listing every problem otherwise. */
export function validateEnvironment(cfg: unknown, expectedName?: EnvName): EnvironmentConfig {
  const problems = environmentProblems(cfg, expectedName);
  if (problems.length > 0) {
    const label = expectedName ?? (isObj(cfg) && typeof cfg.name === 'string' ? cfg.name : '<unnamed env>');
    throw new EnvironmentConfigError(label, problems);
  }
  return cfg as EnvironmentConfig;
}
