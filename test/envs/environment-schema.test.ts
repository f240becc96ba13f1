import {
  dev,
  EnvironmentConfig,
  EnvironmentConfigError,
  environmentProblems,
  loadEnvironment,
  prod,
  stage,
  validateEnvironment,
} from '../../envs';

/** Everything external lease-store mode needs (endpoints, client TLS Secret, the etcd pods for egress). */
const EXTERNAL_LEASE_STORE = {
  mode: 'external',
  endpoints: ['https://etcd-0.etcd.infra.svc:2379', 'https://etcd-1.etcd.infra.svc:2379'],
  tlsSecretName: 'infra-etcd-client',
  externalPeer: { namespace: 'infra', podLabels: { 'app.kubernetes.io/name': 'etcd' } },
} as const;

/** A deep copy of `base` with `mutate` applied, typed loosely so tests can break the shape on purpose. */
function variant(base: EnvironmentConfig, mutate: (cfg: any) => void): unknown {
  const copy = JSON.parse(JSON.stringify(base));
  mutate(copy);
  return copy;
}

describe('the three environments carry the MVP single-region posture (architecture §3)', () => {
  const load = (name: string) => loadEnvironment(name, { builtImageFile: false });

  test.each([
    ['dev', 1, 1, 1, 1, false, 'local', 'self-signed-ca'],
    ['stage', 2, 4, 2, 3, true, 's3', 'ca-issuer'],
    ['prod', 3, 20, 3, 3, true, 's3', 'ca-issuer'],
  ] as const)('%s: runtime %i-%i, control plane %i, etcd %i, HA %s, tf %s, issuer %s', (name, min, max, cp, etcd, ha, backend, issuer) => {
    const env = load(name);
    expect(env.name).toBe(name);
    expect([env.runtime.minReplicas, env.runtime.maxReplicas]).toEqual([min, max]);
    expect(env.controlPlane.replicas).toBe(cp);
    expect(env.leaseStore.members).toBe(etcd);
    expect(env.highAvailability).toBe(ha);
    expect(env.terraform.backend).toBe(backend);
    expect(env.tls.issuer).toBe(issuer);
    expect(env.authority.mode).toBe('single-region');
    expect(env.pipeline.profile).toBe('simple/v1');
    expect(env.transport).toBe('livekit');
  });

  test('every env validates with no problems', () => {
    for (const env of [dev, stage, prod]) expect(environmentProblems(env, env.name)).toEqual([]);
  });

  test('LiveKit runs in its own namespace, "livekit-<env>" (envs share a cluster)', () => {
    for (const name of ['dev', 'stage', 'prod']) expect(load(name).livekit.namespace).toBe(`livekit-${name}`);
  });

  test('an unknown env name is refused with the allowed names', () => {
    expect(() => loadEnvironment('qa')).toThrow('unknown environment "qa"; expected one of dev, stage, prod');
  });
});

describe('validateEnvironment reports one message per problem: env, field path, what is allowed', () => {
  const cases: ReadonlyArray<readonly [string, EnvironmentConfig, (cfg: any) => void, string]> = [
    ['wrong type', dev, (c) => (c.runtime.minReplicas = '2'), 'dev: runtime.minReplicas: expected an integer in 1..100, got "2" (string)'],
    ['unknown key', stage, (c) => (c.runtime.replicas = 3), 'stage: runtime.replicas: unknown field; allowed fields of runtime: image, minReplicas, maxReplicas, targetCpuUtilization, drainSeconds, resources'],
    ['unknown top-level key', dev, (c) => (c.featureFlags = {}), 'dev: featureFlags: unknown field; allowed fields: name, namespace'],
    ['missing field', prod, (c) => delete c.runtime.drainSeconds, 'prod: runtime.drainSeconds: required field is missing; expected an integer in 1..3600'],
    ['multi-region authority (mode)', prod, (c) => (c.authority.mode = 'multi-region'), 'prod: authority.mode: "multi-region" is not allowed; the MVP posture is single-region authority; set authority.mode to "single-region"'],
    ['multi-region authority (extra regions)', prod, (c) => (c.authority.regions = ['eu-west-1', 'us-east-1']), 'prod: authority.regions: unknown field; multi-region authority is not supported: the MVP posture is single-region; remove authority.regions'],
    ['replicas below the prod HA floor', prod, (c) => (c.runtime.minReplicas = 1), 'prod: runtime.minReplicas: 1 is below the prod HA floor of 3; set runtime.minReplicas >= 3'],
    ['replicas below the stage HA floor', stage, (c) => (c.runtime.minReplicas = 1), 'stage: runtime.minReplicas: 1 is below the stage HA floor of 2; set runtime.minReplicas >= 2'],
    ['control plane below the prod floor', prod, (c) => (c.controlPlane.replicas = 2), 'prod: controlPlane.replicas: 2 is below the prod HA floor of 3; set controlPlane.replicas >= 3'],
    ['HA off in prod', prod, (c) => (c.highAvailability = false), 'prod: highAvailability: false is not allowed in prod'],
    ['HA on with a single runtime replica', dev, (c) => Object.assign(c, { highAvailability: true, controlPlane: { ...c.controlPlane, replicas: 2 } }), 'dev: runtime.minReplicas: 1 cannot keep a PodDisruptionBudget (HPA min must be >= minAvailable + 1); set runtime.minReplicas >= 2 or highAvailability to false'],
    ['max below min', stage, (c) => (c.runtime.maxReplicas = 1), 'stage: runtime.maxReplicas: 1 is below runtime.minReplicas 2; set runtime.maxReplicas >= 2'],
    ['image referenced by tag', prod, (c) => (c.runtime.image = 'ghcr.io/rspp/runtime:1.2.3'), 'prod: runtime.image: "ghcr.io/rspp/runtime:1.2.3" is referenced by tag; pin it by digest: ghcr.io/rspp/runtime@sha256:<64 hex>'],
    ['image with latest', dev, (c) => (c.controlPlane.image = 'ghcr.io/rspp/runtime:latest'), 'dev: controlPlane.image: "ghcr.io/rspp/runtime:latest" is referenced by tag'],
    ['image with a short digest', dev, (c) => (c.leaseStore.image = 'quay.io/coreos/etcd@sha256:abc'), 'dev: leaseStore.image: "quay.io/coreos/etcd@sha256:abc" is not a valid digest-pinned reference'],
    ['even etcd members in prod', prod, (c) => (c.leaseStore.members = 4), 'prod: leaseStore.members: 4 is even; etcd needs an odd member count for a clean quorum: use 3 or 5'],
    ['too few etcd members in prod', prod, (c) => (c.leaseStore.members = 1), 'prod: leaseStore.members: 1 is below the prod quorum floor of 3'],
    ['too many etcd members', prod, (c) => (c.leaseStore.members = 9), 'prod: leaseStore.members: 9 is out of range; expected an integer in 1..7'],
    ['memory request above limit', dev, (c) => (c.runtime.resources.memoryRequest = '2Gi'), 'dev: runtime.resources.memoryRequest: 2Gi exceeds memoryLimit 1Gi; set memoryRequest <= memoryLimit'],
    ['malformed quantity', dev, (c) => (c.controlPlane.resources.cpuRequest = '100 millicores'), 'dev: controlPlane.resources.cpuRequest: "100 millicores" is not a positive Kubernetes quantity; use e.g. "250m"'],
    ['local terraform state in prod', prod, (c) => (c.terraform = { backend: 'local' }), 'prod: terraform.backend: "local" is not allowed in prod; shared envs keep state remotely'],
    ['credential in backend config', stage, (c) => (c.terraform.backendConfig.secret_key = 'x'), 'stage: terraform.backendConfig.secret_key: looks like a credential'],
    ['self-signed issuer in prod', prod, (c) => (c.tls.issuer = 'self-signed-ca'), 'prod: tls.issuer: "self-signed-ca" is not allowed in prod; prod uses a CA issuer: set tls.issuer to "ca-issuer"'],
    ['renewBefore not shorter than duration', dev, (c) => (c.tls.renewBefore = '2160h'), 'dev: tls.renewBefore: "2160h" is not shorter than tls.certificateDuration "2160h"'],
    ['bad duration', dev, (c) => (c.tls.certificateDuration = '90 days'), 'dev: tls.certificateDuration: "90 days" is not a duration'],
    ['inverted UDP range', dev, (c) => (c.livekit.udpPortRangeEnd = 40000), 'dev: livekit.udpPortRangeEnd: 40000 is below livekit.udpPortRangeStart 50000'],
    ['external lease store without endpoints', stage, (c) => Object.assign(c.leaseStore, { ...EXTERNAL_LEASE_STORE, endpoints: undefined }), 'stage: leaseStore.endpoints: required when leaseStore.mode is "external"'],
    ['external lease store without its TLS secret', prod, (c) => Object.assign(c.leaseStore, { ...EXTERNAL_LEASE_STORE, tlsSecretName: undefined }), 'prod: leaseStore.tlsSecretName: required when leaseStore.mode is "external"; name an existing Secret with ca.crt, tls.crt and tls.key'],
    ['external lease store without its peer', stage, (c) => Object.assign(c.leaseStore, { ...EXTERNAL_LEASE_STORE, externalPeer: undefined }), 'stage: leaseStore.externalPeer: required when leaseStore.mode is "external"; name the etcd pods { namespace, podLabels }'],
    ['plain-text external endpoint', stage, (c) => Object.assign(c.leaseStore, { ...EXTERNAL_LEASE_STORE, endpoints: ['http://etcd:2379'] }), 'stage: leaseStore.endpoints[0]: "http://etcd:2379" is not an https://host:port URL (the lease store is reached over mTLS only'],
    ['external endpoint without a port', stage, (c) => Object.assign(c.leaseStore, { ...EXTERNAL_LEASE_STORE, endpoints: ['https://etcd.infra.svc'] }), 'stage: leaseStore.endpoints[0]: "https://etcd.infra.svc" is not an https://host:port URL'],
    ['external endpoint port out of range', stage, (c) => Object.assign(c.leaseStore, { ...EXTERNAL_LEASE_STORE, endpoints: ['https://etcd.infra.svc:70000'] }), 'stage: leaseStore.endpoints[0]: "https://etcd.infra.svc:70000": port 70000 is not in 1..65535'],
    ['external endpoints empty', stage, (c) => Object.assign(c.leaseStore, { ...EXTERNAL_LEASE_STORE, endpoints: [] }), 'stage: leaseStore.endpoints: has 0 item(s); expected at least 1'],
    ['external peer without pod labels', stage, (c) => Object.assign(c.leaseStore, { ...EXTERNAL_LEASE_STORE, externalPeer: { namespace: 'infra', podLabels: {} } }), 'stage: leaseStore.externalPeer.podLabels: has 0 entries; expected at least 1'],
    ['external peer with a bad label key', stage, (c) => Object.assign(c.leaseStore, { ...EXTERNAL_LEASE_STORE, externalPeer: { namespace: 'infra', podLabels: { 'not a key': 'etcd' } } }), 'stage: leaseStore.externalPeer.podLabels.not a key: is not a label key'],
    ['external peer in a system namespace', stage, (c) => Object.assign(c.leaseStore, { ...EXTERNAL_LEASE_STORE, externalPeer: { namespace: 'kube-system', podLabels: { component: 'etcd' } } }), 'stage: leaseStore.externalPeer.namespace: "kube-system" is a system namespace'],
    ['external peer named by an IP block', stage, (c) => Object.assign(c.leaseStore, { ...EXTERNAL_LEASE_STORE, externalPeer: { ...EXTERNAL_LEASE_STORE.externalPeer, cidrBlocks: ['10.0.0.0/16'] } }), 'stage: leaseStore.externalPeer.cidrBlocks: unknown field; NetworkPolicy peers are named by labels, never by IP block (manifest policy RSPP-NET-002)'],
    ['managed-only StorageClass in external mode', stage, (c) => Object.assign(c.leaseStore, { ...EXTERNAL_LEASE_STORE, storageClassName: 'fast-ssd' }), 'stage: leaseStore.storageClassName: only used when leaseStore.mode is "managed"'],
    ['external-only TLS secret in managed mode', prod, (c) => (c.leaseStore.tlsSecretName = 'etcd-client'), 'prod: leaseStore.tlsSecretName: only used when leaseStore.mode is "external"; remove it or set leaseStore.mode to "external"'],
    ['external-only peer in managed mode', prod, (c) => (c.leaseStore.externalPeer = EXTERNAL_LEASE_STORE.externalPeer), 'prod: leaseStore.externalPeer: only used when leaseStore.mode is "external"'],
    ['LiveKit namespace missing', dev, (c) => delete c.livekit.namespace, 'dev: livekit.namespace: required field is missing; expected a namespace name (DNS label, e.g. "livekit")'],
    ['LiveKit namespace not a DNS label', dev, (c) => (c.livekit.namespace = 'LiveKit'), 'dev: livekit.namespace: "LiveKit" is not a DNS label'],
    ['LiveKit in the platform namespace', prod, (c) => (c.livekit.namespace = c.namespace), 'prod: livekit.namespace: "rspp-prod" is the platform namespace; LiveKit runs in a namespace of its own'],
    ['lease outlives the drain', dev, (c) => Object.assign(c.leaseStore, { leaseTtlSeconds: 40 }), 'dev: leaseStore.leaseTtlSeconds: 40 exceeds runtime.drainSeconds 30'],
    ['mutable bundle reference', prod, (c) => (c.pipeline.bundleDigest = 'latest'), 'prod: pipeline.bundleDigest: "latest" is not a bundle digest'],
    ['chart version range', prod, (c) => (c.livekit.chartVersion = '^1.5.0'), 'prod: livekit.chartVersion: "^1.5.0" is not an exact version'],
    ['system namespace', dev, (c) => (c.namespace = 'kube-system'), 'dev: namespace: "kube-system" is a system namespace'],
    ['transport other than LiveKit', dev, (c) => (c.transport = 'webrtc'), 'dev: transport: "webrtc" is not allowed; the MVP transport is LiveKit'],
    ['bad secret name', prod, (c) => (c.tls.caSecretName = 'CA_Secret'), 'prod: tls.caSecretName: "CA_Secret" is not a Secret name'],
    ['CA secret with the self-signed issuer', dev, (c) => (c.tls.caSecretName = 'root-ca'), 'dev: tls.caSecretName: only used with tls.issuer "ca-issuer"'],
    ['wrong object type', dev, (c) => (c.runtime = []), 'dev: runtime: expected an object, got [] (array)'],
  ];

  test.each(cases)('%s', (_kind, base, mutate, expected) => {
    const problems = environmentProblems(variant(base, mutate), base.name);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  test('every problem is reported, not just the first', () => {
    const cfg = variant(prod, (c) => {
      c.runtime.minReplicas = 1;
      c.runtime.image = 'ghcr.io/rspp/runtime:v1';
      c.leaseStore.members = 2;
      c.authority.mode = 'multi-region';
      c.unexpected = true;
    });
    const problems = environmentProblems(cfg, 'prod');
    expect(problems).toHaveLength(5);
    expect(problems.every((p) => p.startsWith('prod: '))).toBe(true);
    expect(problems.map((p) => p.split(':')[1].trim()).sort()).toEqual(
      ['authority.mode', 'leaseStore.members', 'runtime.image', 'runtime.minReplicas', 'unexpected'].sort(),
    );
  });

  test('validateEnvironment throws EnvironmentConfigError listing every problem', () => {
    const cfg = variant(stage, (c) => {
      c.highAvailability = false;
      c.controlPlane.replicas = 1;
    });
    let caught: unknown;
    try {
      validateEnvironment(cfg, 'stage');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EnvironmentConfigError);
    const error = caught as EnvironmentConfigError;
    expect(error.problems).toHaveLength(2);
    expect(error.message).toMatch(/^invalid environment config "stage" \(2 problems\):\n {2}- stage: /);
    for (const p of error.problems) expect(error.message).toContain(p);
  });

  test('a config loaded under another env name is refused', () => {
    expect(environmentProblems(dev, 'prod')).toContainEqual(expect.stringContaining('prod: name: "dev" does not match the environment it is loaded as; set name to "prod"'));
  });

  test('a non-object config is reported, not crashed on', () => {
    expect(environmentProblems(42, 'dev')).toEqual(['dev: expected an object, got 42 (number)']);
    expect(environmentProblems(undefined)).toEqual([expect.stringMatching(/^<unnamed env>: required field is missing; expected an object with fields name, namespace, /)]);
  });

  test('external lease-store mode validates when it names endpoints, the TLS secret and the etcd pods; managed-only defaults are ignored', () => {
    for (const base of [dev, stage, prod]) {
      const cfg = variant(base, (c) => Object.assign(c.leaseStore, EXTERNAL_LEASE_STORE));
      expect(environmentProblems(cfg, base.name)).toEqual([]);
    }
  });

  test('a LiveKit namespace of the env\'s own choosing validates', () => {
    expect(environmentProblems(variant(prod, (c) => (c.livekit.namespace = 'media')), 'prod')).toEqual([]);
  });

  test('returns the config, typed, when it is valid', () => {
    expect(validateEnvironment(JSON.parse(JSON.stringify(prod)), 'prod')).toEqual(prod);
  });
});
