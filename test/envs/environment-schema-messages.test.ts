/**
 * The exact lines a user sees for a bad environment config (envs/README.md: `<env>: <field path>:
 * <what is wrong>; <what is allowed>`), field by field and at the boundaries of every rule. The
 * mutation run of issue #18 showed the shorter `toContain` checks of environment-schema.test.ts left
 * most of the advice and the boundaries unpinned. Valid boundary values must produce no problem.
 */
import { dev, environmentProblems, EnvironmentConfig, prod, stage } from '../../envs';

const BASE: Record<'dev' | 'stage' | 'prod', EnvironmentConfig> = { dev, stage, prod };
const EXTERNAL = {
  mode: 'external',
  endpoints: ['https://etcd-0.etcd.infra.svc:2379'],
  tlsSecretName: 'infra-etcd-client',
  externalPeer: { namespace: 'infra', podLabels: { 'app.kubernetes.io/name': 'etcd' } },
};
const CREDENTIAL = 'looks like a credential; backend credentials come from the environment (e.g. AWS_* / GOOGLE_* variables), never from the config';
const LABEL_VALUE_ADVICE = 'is not a valid label value; use ≤63 alphanumerics, "-", "_" or ".", alphanumeric at both ends';
const A63 = 'a'.repeat(63);
const A64 = 'a'.repeat(64);

function problems(env: keyof typeof BASE, mutate: (c: any) => void): string[] {
  const c = JSON.parse(JSON.stringify(BASE[env]));
  mutate(c);
  return environmentProblems(c, env);
}

type Case = readonly [string, keyof typeof BASE, (c: any) => void, readonly string[]];

const cases: readonly Case[] = [
  ['region with capitals and "_"', 'dev', (c) => (c.authority.region = 'EU_West'), ['dev: authority.region: "EU_West" is not a region name; use lowercase letters, digits and "-" (e.g. "eu-west-1")']],
  ['region ending in "-"', 'dev', (c) => (c.authority.region = 'eu-'), ['dev: authority.region: "eu-" is not a region name; use lowercase letters, digits and "-" (e.g. "eu-west-1")']],
  ['one-letter region', 'dev', (c) => (c.authority.region = 'a'), []],
  ['unknown authority key (not multi-region)', 'dev', (c) => (c.authority.zone = 'x'), ['dev: authority.zone: unknown field; allowed fields of authority: mode, region']],
  ['empty version label', 'dev', (c) => (c.version = ''), [`dev: version: "" ${LABEL_VALUE_ADVICE}`]],
  ['64-char version label', 'dev', (c) => (c.version = A64), [`dev: version: "${A64}" ${LABEL_VALUE_ADVICE}`]],
  ['63-char version label', 'dev', (c) => (c.version = A63), []],
  ['version starting with "-"', 'dev', (c) => (c.version = '-v1'), [`dev: version: "-v1" ${LABEL_VALUE_ADVICE}`]],
  ['64-char namespace', 'dev', (c) => (c.namespace = A64), [`dev: namespace: "${A64}" is not a DNS label; use lowercase letters, digits and "-" (≤63 chars)`]],
  ['63-char namespace', 'dev', (c) => (c.namespace = A63), []],
  ...['default', 'kube-public', 'kube-node-lease'].map(
    (ns): Case => [`system namespace ${ns}`, 'dev', (c) => (c.namespace = ns), [`dev: namespace: "${ns}" is a system namespace; use a namespace of its own (e.g. "rspp")`]],
  ),
  ['pipeline profile', 'dev', (c) => (c.pipeline.profile = 'x/v2'), ['dev: pipeline.profile: "x/v2" is not allowed; the MVP pipeline profile is "simple/v1"']],
  ['unversioned rollout', 'dev', (c) => (c.pipeline.rollout = 'canary'), ['dev: pipeline.rollout: "canary" is not a versioned rollout artifact name; use e.g. "canary_10pct_v1" (mutable targets are refused)']],
  [
    'upper-case bundle digest',
    'dev',
    (c) => (c.pipeline.bundleDigest = `sha256:${'A'.repeat(64)}`),
    [`dev: pipeline.bundleDigest: "sha256:${'A'.repeat(64)}" is not a bundle digest; bundles are immutable references "sha256:<64 lowercase hex>"`],
  ],
  ['bad StorageClass name', 'dev', (c) => (c.leaseStore.storageClassName = 'Fast_SSD'), ['dev: leaseStore.storageClassName: "Fast_SSD" is not a StorageClass name']],
  ['StorageClass as a DNS label', 'dev', (c) => (c.leaseStore.storageClassName = 'fast'), []],
  ['StorageClass as a DNS subdomain', 'dev', (c) => (c.leaseStore.storageClassName = 'fast.example.com'), []],
  ['etcd port 0', 'stage', (c) => Object.assign(c.leaseStore, EXTERNAL, { endpoints: ['https://etcd:0'] }), ['stage: leaseStore.endpoints[0]: "https://etcd:0": port 0 is not in 1..65535']],
  ['etcd port 65536', 'stage', (c) => Object.assign(c.leaseStore, EXTERNAL, { endpoints: ['https://etcd:65536'] }), ['stage: leaseStore.endpoints[0]: "https://etcd:65536": port 65536 is not in 1..65535']],
  ['etcd ports 1 and 65535', 'stage', (c) => Object.assign(c.leaseStore, EXTERNAL, { endpoints: ['https://etcd:1', 'https://etcd:65535'] }), []],
  [
    'external mode with nothing it needs',
    'stage',
    (c) => (c.leaseStore.mode = 'external'),
    [
      'stage: leaseStore.endpoints: required when leaseStore.mode is "external"; list the etcd client URLs (https://host:2379)',
      'stage: leaseStore.tlsSecretName: required when leaseStore.mode is "external"; name an existing Secret with ca.crt, tls.crt and tls.key',
      'stage: leaseStore.externalPeer: required when leaseStore.mode is "external"; name the etcd pods { namespace, podLabels } so the clients\' egress is allowed past default-deny (IP blocks are not allowed: RSPP-NET-002)',
    ],
  ],
  ['complete external mode', 'stage', (c) => Object.assign(c.leaseStore, EXTERNAL), []],
  [
    '64-char peer label value',
    'stage',
    (c) => Object.assign(c.leaseStore, EXTERNAL, { externalPeer: { namespace: 'infra', podLabels: { app: A64 } } }),
    [`stage: leaseStore.externalPeer.podLabels.app: "${A64}" is not a label value; use ≤63 alphanumerics, "-", "_" or "."`],
  ],
  ['63-char peer label value', 'stage', (c) => Object.assign(c.leaseStore, EXTERNAL, { externalPeer: { namespace: 'infra', podLabels: { app: A63 } } }), []],
  [
    '64-char peer label key',
    'stage',
    (c) => Object.assign(c.leaseStore, EXTERNAL, { externalPeer: { namespace: 'infra', podLabels: { [A64]: 'x' } } }),
    [`stage: leaseStore.externalPeer.podLabels.${A64}: is not a label key; use [prefix/]name (name ≤63 alphanumerics, "-", "_", ".")`],
  ],
  ['prefixed peer label key', 'stage', (c) => Object.assign(c.leaseStore, EXTERNAL, { externalPeer: { namespace: 'infra', podLabels: { 'example.com/app': 'x' } } }), []],
  [
    'peer named by ipBlock',
    'stage',
    (c) => Object.assign(c.leaseStore, EXTERNAL, { externalPeer: { namespace: 'infra', podLabels: { app: 'x' }, ipBlock: 'x' } }),
    [
      'stage: leaseStore.externalPeer.ipBlock: unknown field; NetworkPolicy peers are named by labels, never by IP block (manifest policy RSPP-NET-002); remove leaseStore.externalPeer.ipBlock and name the etcd pods by namespace and podLabels',
    ],
  ],
  [
    'other unknown peer key',
    'stage',
    (c) => Object.assign(c.leaseStore, EXTERNAL, { externalPeer: { namespace: 'infra', podLabels: { app: 'x' }, zone: 'x' } }),
    ['stage: leaseStore.externalPeer.zone: unknown field; allowed fields of leaseStore.externalPeer: namespace, podLabels'],
  ],
  ['endpoints in managed mode', 'prod', (c) => (c.leaseStore.endpoints = ['https://etcd:2379']), ['prod: leaseStore.endpoints: only used when leaseStore.mode is "external"; remove it or set leaseStore.mode to "external"']],
  [
    'lease TTL equal to the drain time',
    'dev',
    (c) => {
      c.leaseStore.leaseTtlSeconds = 30;
      c.runtime.drainSeconds = 30;
    },
    [],
  ],
  [
    'lease TTL one second over the drain time',
    'dev',
    (c) => {
      c.leaseStore.leaseTtlSeconds = 31;
      c.runtime.drainSeconds = 30;
    },
    ['dev: leaseStore.leaseTtlSeconds: 31 exceeds runtime.drainSeconds 30; a draining pod\'s lease would outlive it: set leaseTtlSeconds <= drainSeconds'],
  ],
  ['2 etcd members in dev', 'dev', (c) => (c.leaseStore.members = 2), ['dev: leaseStore.members: 2 is even; etcd needs an odd member count for a clean quorum: use 1 or 3']],
  ['2 etcd members in stage', 'stage', (c) => (c.leaseStore.members = 2), ['stage: leaseStore.members: 2 is even; etcd needs an odd member count for a clean quorum: use 3']],
  ['4 etcd members in stage', 'stage', (c) => (c.leaseStore.members = 4), ['stage: leaseStore.members: 4 is even; etcd needs an odd member count for a clean quorum: use 3 or 5']],
  [
    '1 etcd member in stage',
    'stage',
    (c) => (c.leaseStore.members = 1),
    ['stage: leaseStore.members: 1 is below the stage quorum floor of 3 (a single member loses the lease store on any restart); set leaseStore.members to 3, 5 or 7'],
  ],
  ['even etcd members in external mode are the external cluster\'s business', 'stage', (c) => Object.assign(c.leaseStore, EXTERNAL, { members: 2 }), []],
  ['CPU limit below the request', 'dev', (c) => (c.runtime.resources.cpuLimit = '100m'), ['dev: runtime.resources.cpuRequest: 500m exceeds cpuLimit 100m; set cpuRequest <= cpuLimit']],
  ['CPU limit below its bound (and the request)', 'dev', (c) => (c.runtime.resources.cpuLimit = '1m'), ['dev: runtime.resources.cpuLimit: "1m" is outside 10m..64 for a container CPU (cores); use e.g. "250m"']],
  ['lease store memory request above its limit', 'dev', (c) => (c.leaseStore.resources.memoryRequest = '100Gi'), ['dev: leaseStore.resources.memoryRequest: 100Gi exceeds memoryLimit 1Gi; set memoryRequest <= memoryLimit']],
  ['control plane memory request above its limit', 'dev', (c) => (c.controlPlane.resources.memoryRequest = '100Gi'), ['dev: controlPlane.resources.memoryRequest: 100Gi exceeds memoryLimit 256Mi; set memoryRequest <= memoryLimit']],
  [
    'HA with one control-plane replica',
    'dev',
    (c) => {
      c.highAvailability = true;
      c.runtime.minReplicas = 2;
      c.runtime.maxReplicas = 2;
    },
    ['dev: controlPlane.replicas: 1 cannot keep a PodDisruptionBudget; set controlPlane.replicas >= 2 or highAvailability to false'],
  ],
  ['HA off in stage', 'stage', (c) => (c.highAvailability = false), ['stage: highAvailability: false is not allowed in stage; stage runs with PodDisruptionBudgets, anti-affinity and topology spread: set highAvailability to true']],
  ['HA off in dev', 'dev', (c) => (c.highAvailability = false), []],
  ['runtime at the prod floor and max equal to min', 'prod', (c) => Object.assign(c.runtime, { minReplicas: 3, maxReplicas: 3 }), []],
  ['control plane at the stage floor', 'stage', (c) => (c.controlPlane.replicas = 2), []],
  [
    'certificate shorter than 1h',
    'dev',
    (c) => Object.assign(c.tls, { certificateDuration: '59m', renewBefore: '1m' }),
    ['dev: tls.certificateDuration: "59m" is shorter than cert-manager\'s minimum of 1h; use e.g. "2160h"'],
  ],
  ['certificate of exactly 1h, renewed 1s before', 'dev', (c) => Object.assign(c.tls, { certificateDuration: '1h', renewBefore: '59m59s' }), []],
  ['60m is 1h', 'dev', (c) => Object.assign(c.tls, { certificateDuration: '60m', renewBefore: '3599s' }), []],
  [
    'renewBefore longer than the duration (minutes vs hours)',
    'dev',
    (c) => Object.assign(c.tls, { certificateDuration: '2h', renewBefore: '121m' }),
    ['dev: tls.renewBefore: "121m" is not shorter than tls.certificateDuration "2h"; certificates would renew continuously: use e.g. "360h"'],
  ],
  ['empty renewBefore', 'dev', (c) => (c.tls.renewBefore = ''), ['dev: tls.renewBefore: "" is not a duration; use hours, minutes and seconds such as "360h"']],
  ['CA secret with the CA issuer', 'dev', (c) => Object.assign(c.tls, { issuer: 'ca-issuer', caSecretName: 'root-ca' }), []],
  ['single-label LiveKit domain', 'dev', (c) => (c.livekit.domain = 'livekit'), ['dev: livekit.domain: "livekit" is not a DNS name; use e.g. "livekit.example.com"']],
  ['one-port UDP range', 'dev', (c) => Object.assign(c.livekit, { udpPortRangeStart: 50000, udpPortRangeEnd: 50000 }), []],
  [
    'inverted UDP range',
    'dev',
    (c) => Object.assign(c.livekit, { udpPortRangeStart: 50001, udpPortRangeEnd: 50000 }),
    ['dev: livekit.udpPortRangeEnd: 50000 is below livekit.udpPortRangeStart 50001; set udpPortRangeStart <= udpPortRangeEnd'],
  ],
  [
    'local terraform state in stage',
    'stage',
    (c) => (c.terraform = { backend: 'local' }),
    ['stage: terraform.backend: "local" is not allowed in stage; shared envs keep state remotely: use one of "s3", "gcs", "azurerm", "remote"'],
  ],
  ['local terraform state in dev', 'dev', (c) => (c.terraform = { backend: 'local' }), []],
  [
    'credentials in the backend config, however they are spelled',
    'stage',
    (c) => (c.terraform.backendConfig = { bucket: 'b', region: 'r', key: 'state/rspp.tfstate', password: 'x', access_key: 'x', accesskey: 'y', client_key: 'z', privatekey: 'p', sas_token: 's', credentials: 'c', passwd: 'q', Token: 't', client_secret: 'u' }),
    ['password', 'access_key', 'accesskey', 'client_key', 'privatekey', 'sas_token', 'credentials', 'passwd', 'Token', 'client_secret'].map((k) => `stage: terraform.backendConfig.${k}: ${CREDENTIAL}`),
  ],
  ['Prometheus release label with a space', 'dev', (c) => (c.observability.prometheusReleaseLabel = 'bad label'), [`dev: observability.prometheusReleaseLabel: "bad label" ${LABEL_VALUE_ADVICE}`]],
  ['pre-release chart version', 'dev', (c) => (c.livekit.chartVersion = '1.5.0-rc.1'), []],
  ['two-part chart version', 'dev', (c) => (c.livekit.chartVersion = '1.5'), ['dev: livekit.chartVersion: "1.5" is not an exact version; pin a release such as "1.2.3" (ranges and "latest" are mutable)']],
  [
    'empty LiveKit node CIDR list',
    'dev',
    (c) => (c.livekit.nodeCidrs = []),
    ['dev: livekit.nodeCidrs: has 0 item(s); expected at least 1; list the node CIDRs LiveKit runs on (1..32, e.g. the node subnet "10.0.0.0/16"), or remove livekit.nodeCidrs'],
  ],
  ['repeated LiveKit node CIDR', 'dev', (c) => (c.livekit.nodeCidrs = ['10.0.0.0/16', '10.0.0.0/16']), ['dev: livekit.nodeCidrs[1]: "10.0.0.0/16" repeats livekit.nodeCidrs[0]; list each item once']],
  ['name of another env', 'dev', (c) => (c.name = 'prod'), ['dev: name: "prod" does not match the environment it is loaded as; set name to "dev"']],
];

describe('environment problems, exactly as the user reads them', () => {
  test.each(cases)('%s', (_name, env, mutate, expected) => {
    expect(problems(env, mutate)).toEqual(expected);
  });
});

describe('a missing field says what belongs there', () => {
  test('every required field of every section names its expected value', () => {
    const all = problems('dev', (c) => {
      for (const k of ['authority', 'pipeline', 'runtime', 'controlPlane', 'leaseStore', 'tls', 'livekit', 'observability', 'terraform']) c[k] = {};
      c.runtime.resources = {};
    });
    const missing = (path: string, expected: string) => `dev: ${path}: required field is missing; expected ${expected}`;
    const RESOURCES = 'an object with fields cpuRequest, memoryRequest, memoryLimit, cpuLimit';
    const PINNED = 'an image reference pinned by digest (repo@sha256:<64 hex>)';
    expect(all).toEqual(
      expect.arrayContaining([
        missing('authority.mode', 'one of "single-region"'),
        missing('authority.region', 'a region name (lowercase letters, digits, "-")'),
        missing('pipeline.profile', 'one of "simple/v1"'),
        missing('pipeline.bundleDigest', 'a bundle digest "sha256:<64 lowercase hex>"'),
        missing('pipeline.rollout', 'a versioned rollout artifact name (e.g. "canary_10pct_v1")'),
        missing('runtime.image', PINNED),
        missing('runtime.minReplicas', 'an integer in 1..100'),
        missing('runtime.maxReplicas', 'an integer in 1..200'),
        missing('runtime.targetCpuUtilization', 'an integer in 10..95'),
        missing('runtime.drainSeconds', 'an integer in 1..3600'),
        missing('runtime.resources.cpuRequest', 'a positive Kubernetes quantity (e.g. "250m")'),
        missing('runtime.resources.memoryRequest', 'a positive Kubernetes quantity (e.g. "256Mi")'),
        missing('runtime.resources.memoryLimit', 'a positive Kubernetes quantity (e.g. "512Mi")'),
        missing('controlPlane.image', PINNED),
        missing('controlPlane.replicas', 'an integer in 1..15'),
        missing('controlPlane.resources', RESOURCES),
        missing('leaseStore.mode', 'one of "managed", "external"'),
        missing('leaseStore.members', 'an integer in 1..7'),
        missing('leaseStore.image', PINNED),
        missing('leaseStore.storageSize', 'a positive Kubernetes quantity (e.g. "10Gi")'),
        missing('leaseStore.leaseTtlSeconds', 'an integer in 2..60'),
        missing('leaseStore.resources', RESOURCES),
        missing('tls.issuer', 'one of "self-signed-ca", "ca-issuer"'),
        missing('tls.certificateDuration', 'a duration in hours/minutes/seconds (e.g. "2160h")'),
        missing('tls.renewBefore', 'a duration in hours/minutes/seconds (e.g. "360h")'),
        missing('livekit.domain', 'a DNS name (e.g. "livekit.example.com")'),
        missing('livekit.namespace', 'a namespace name (DNS label, e.g. "livekit")'),
        missing('livekit.replicas', 'an integer in 1..50'),
        missing('livekit.udpPortRangeStart', 'an integer in 1024..65535'),
        missing('livekit.udpPortRangeEnd', 'an integer in 1024..65535'),
        missing('livekit.chartVersion', 'an exact chart version (e.g. "1.2.3")'),
        missing('observability.backend', 'one of "kube-prometheus-stack"'),
        missing('observability.chartVersion', 'an exact chart version (e.g. "1.2.3")'),
        missing('observability.prometheusReleaseLabel', 'a label value (≤63 chars: alphanumerics, "-", "_", ".")'),
        missing('terraform.backend', 'one of "local", "s3", "gcs", "azurerm", "remote"'),
      ]),
    );
    // Optional fields are never reported missing.
    expect(all.filter((p) => /(cpuLimit|storageClassName|endpoints|tlsSecretName|externalPeer|caSecretName|apiKeySecretName|nodeCidrs|backendConfig):/.test(p))).toEqual([]);
  });

  test('a config that is not an object, or names no known env, gets only the structural report', () => {
    expect(environmentProblems(null)).toEqual(['<unnamed env>: expected an object, got null (null)']);
    const qa = environmentProblems({ name: 'qa', highAvailability: false, runtime: { minReplicas: 0 } });
    expect(qa[0]).toBe('qa: name: "qa" is not allowed; expected one of "dev", "stage", "prod"');
    expect(qa.every((p) => p.startsWith('qa: '))).toBe(true);
    expect(qa.some((p) => /HA floor|not allowed in/.test(p))).toBe(false);
  });
});
