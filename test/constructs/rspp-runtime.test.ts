import { Chart, Testing } from 'cdk8s';
import {
  ADMIN_PORT,
  DRAIN_EXIT_MARGIN_SECONDS,
  DRAIN_SECONDS_ENV,
  gracePeriodFor,
  PRESTOP_SLEEP_SECONDS,
  RUNTIME_ENV,
  RUNTIME_SESSION_PORT,
} from '../../runtime/contracts/runtime-interface';
import { RUNTIME_IMAGE, SIMPLE_V1_BUNDLE_DIGEST } from '../../envs';
import { RsppRuntime, RUNTIME_ETCD_TLS_DIR, RUNTIME_TLS_MOUNT_PATH, SESSION_CLIENT_LABEL } from '../../constructs/rspp-runtime';
import { MtlsBaseline } from '../../constructs/mtls-baseline';
import { checkPolicy } from '../../constructs/policy';
import { container, envOf, K8sObject, only, synthChart } from './rspp-runtime-helpers';

const RECOMMENDED = ['name', 'instance', 'version', 'component', 'part-of', 'managed-by'].map((k) => `app.kubernetes.io/${k}`);

function runtimeIn(props: ConstructorParameters<typeof RsppRuntime>[2] = {}, namespace = 'rspp'): { runtime: RsppRuntime; objects: K8sObject[] } {
  const chart = Testing.chart();
  const scoped = new Chart(chart, 'c', { namespace });
  const runtime = new RsppRuntime(scoped, 'runtime', props);
  return { runtime, objects: synthChart(scoped) };
}

describe('RsppRuntime with no props is secure and complete', () => {
  const { runtime, objects } = runtimeIn();

  test('creates the expected objects and nothing else', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'Service', 'ServiceAccount'].sort(),
    );
    expect(runtime.disruptionBudget).toBeUndefined();
  });

  test('passes every workload rule of manifest-policy.md (namespace rules belong to MtlsBaseline)', () => {
    const report = checkPolicy(objects, { env: 'dev' });
    const workloadFindings = report.findings.filter((f) => !/^RSPP-(NS|NET-001)/.test(f.ruleId));
    expect(workloadFindings.map((f) => f.text)).toEqual([]);
  });

  test('restricted pod and container security context', () => {
    const pod = only(objects, 'Deployment').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork).toBeUndefined();
    expect(container(objects).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('read-only root with an explicit /tmp emptyDir', () => {
    const pod = only(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
    expect(container(objects).volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  test('probes: /healthz liveness and startup, /readyz readiness, on the admin port', () => {
    const c = container(objects);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin', scheme: 'HTTP' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'admin', scheme: 'HTTP' });
    expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'admin', scheme: 'HTTP' });
    expect(c.livenessProbe).not.toEqual(c.readinessProbe);
    expect(c.ports).toEqual([
      { name: 'sessions', containerPort: RUNTIME_SESSION_PORT, protocol: 'TCP' },
      { name: 'admin', containerPort: ADMIN_PORT, protocol: 'TCP' },
    ]);
  });

  test('requests and a memory limit, no CPU limit', () => {
    expect(container(objects).resources).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } });
  });

  test('image and bundle digest default to the pins; the ConfigMap carries bundle digest and profile', () => {
    expect(container(objects).image).toBe(RUNTIME_IMAGE);
    expect(only(objects, 'ConfigMap').data).toEqual({ bundleDigest: SIMPLE_V1_BUNDLE_DIGEST, profile: 'simple/v1' });
    const env = envOf(objects);
    expect(env.RSPP_BUNDLE_DIGEST.valueFrom.configMapKeyRef).toMatchObject({ name: runtime.configMapName, key: 'bundleDigest' });
    expect(env.RSPP_PROFILE.valueFrom.configMapKeyRef).toMatchObject({ name: runtime.configMapName, key: 'profile' });
    expect(env.RSPP_LEASE_STORE.value).toBe('memory');
  });

  test('the six recommended labels on every object; selectors are stable (no version)', () => {
    for (const o of objects) expect(Object.keys(o.metadata.labels).sort()).toEqual([...RECOMMENDED].sort());
    const deployment = only(objects, 'Deployment');
    expect(deployment.spec.selector.matchLabels).toEqual(runtime.podSelector);
    expect(runtime.podSelector).not.toHaveProperty('app.kubernetes.io/version');
    expect(deployment.spec.template.metadata.labels).toMatchObject(runtime.podSelector);
    expect(only(objects, 'Service').spec.selector).toEqual(runtime.podSelector);
    expect(only(objects, 'NetworkPolicy').spec.podSelector.matchLabels).toEqual(runtime.podSelector);
    expect(only(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
  });

  test('Service target ports exist on the container', () => {
    const ports = container(objects).ports.map((p: K8sObject) => p.containerPort);
    for (const p of only(objects, 'Service').spec.ports) expect(ports).toContain(p.targetPort);
  });

  test('dedicated ServiceAccount without a token', () => {
    const sa = only(objects, 'ServiceAccount');
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(only(objects, 'Deployment').spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
  });

  test('NetworkPolicy: sessions in from labelled session clients, DNS out', () => {
    const np = only(objects, 'NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { [SESSION_CLIENT_LABEL]: 'true' } } }], ports: [{ port: RUNTIME_SESSION_PORT, protocol: 'TCP' }] }]);
    expect(np.spec.egress[0].ports).toEqual([{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }]);
  });

  test('exposes what neighbours need as typed properties', () => {
    expect(runtime.serviceName).toBe('rspp-runtime');
    expect(runtime.serviceAccountName).toBe('rspp-runtime');
    expect(runtime.serviceHost).toBe('rspp-runtime.rspp.svc');
    expect(runtime.sessionsUrl).toBe('ws://rspp-runtime.rspp.svc:8080/v1/sessions');
    expect(runtime.ports.sessions).toEqual({ name: 'sessions', port: 8080, protocol: 'TCP' });
    expect(runtime.ports.admin).toEqual({ name: 'admin', port: 9090, protocol: 'TCP' });
    expect(runtime.flowName).toBe('runtime');
    expect(runtime.flowPeer).toEqual({ podLabels: runtime.podSelector });
  });
});

describe('tls: the runtime\'s own certificate Secret, mounted read-only', () => {
  test('mounts the Secret at RUNTIME_TLS_MOUNT_PATH by default and exposes where', () => {
    const { runtime, objects } = runtimeIn({ tls: { secretName: 'runtime-tls' } });
    const pod = only(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
      { name: 'tls', secret: { secretName: 'runtime-tls', defaultMode: 0o440 } },
    ]);
    expect(container(objects).volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'tls', mountPath: RUNTIME_TLS_MOUNT_PATH, readOnly: true },
    ]);
    expect([runtime.tlsSecretName, runtime.tlsMountPath]).toEqual(['runtime-tls', RUNTIME_TLS_MOUNT_PATH]);
    // RSPP_TLS_DIR names the mount: the process presents this certificate to the control plane.
    expect(envOf(objects)[RUNTIME_ENV.tlsDir].value).toBe(RUNTIME_TLS_MOUNT_PATH);
  });

  test('without a certificate there is no RSPP_TLS_DIR', () => {
    expect(envOf(runtimeIn({}).objects)[RUNTIME_ENV.tlsDir]).toBeUndefined();
  });

  test('next to the etcd client TLS, at a chosen path', () => {
    const { objects } = runtimeIn({
      leaseStore: { endpoints: ['https://etcd:2379'], tlsSecretName: 'etcd-client-tls' },
      tls: { secretName: 'edge-tls', mountPath: '/var/run/rspp/tls' },
    });
    const mounts = container(objects).volumeMounts.map((m: K8sObject) => [m.name, m.mountPath]);
    expect(mounts).toEqual([['tmp', '/tmp'], ['etcd-tls', RUNTIME_ETCD_TLS_DIR], ['tls', '/var/run/rspp/tls']]);
    const secrets = only(objects, 'Deployment').spec.template.spec.volumes.filter((v: K8sObject) => v.secret).map((v: K8sObject) => v.secret.secretName);
    expect(secrets).toEqual(['etcd-client-tls', 'edge-tls']);
    expect(envOf(objects)[RUNTIME_ENV.tlsDir].value).toBe('/var/run/rspp/tls');
  });

  test('takes an IssuedCertificate from MtlsBaseline as is; the Secret then resolves (RSPP-META-003) and the workload rules pass', () => {
    const chart = Testing.chart();
    const scoped = new Chart(chart, 'c', { namespace: 'rspp' });
    const baseline = new MtlsBaseline(scoped, 'tls', { namespace: 'rspp' });
    const certificate = baseline.issueCertificate({ component: 'runtime', dnsNames: baseline.serviceDnsNames('rspp-runtime') });
    const runtime = new RsppRuntime(scoped, 'runtime', { tls: certificate });
    const objects = synthChart(scoped);
    expect(runtime.tlsSecretName).toBe(certificate.secretName);
    const report = checkPolicy(objects, { env: 'dev' });
    expect(report.findings.map((f) => f.text)).toEqual([]);
    // Without the Certificate the same mount is an unresolved reference: the rule does look at it.
    const alone = runtimeIn({ tls: { secretName: certificate.secretName } }).objects;
    expect(checkPolicy(alone, { env: 'dev' }).findings.filter((f) => f.ruleId === 'RSPP-META-003').map((f) => f.message).join('\n')).toContain('runtime-tls');
  });
});

describe('drain: preStop + grace period derived from the declared drain time', () => {
  test.each([30, 90, 1])('drainSeconds %i', (drainSeconds) => {
    const { runtime, objects } = runtimeIn({ drainSeconds });
    const pod = only(objects, 'Deployment').spec.template;
    expect(pod.spec.terminationGracePeriodSeconds).toBe(PRESTOP_SLEEP_SECONDS + drainSeconds + DRAIN_EXIT_MARGIN_SECONDS);
    expect(pod.spec.terminationGracePeriodSeconds).toBe(gracePeriodFor(drainSeconds));
    expect(runtime.terminationGracePeriodSeconds).toBe(gracePeriodFor(drainSeconds));
    expect(container(objects).lifecycle).toEqual({ preStop: { sleep: { seconds: PRESTOP_SLEEP_SECONDS } } });
    expect(envOf(objects)[DRAIN_SECONDS_ENV].value).toBe(String(drainSeconds));
    expect(pod.metadata.annotations['rspp.io/drain-seconds']).toBe(String(drainSeconds));
  });
});

describe('high availability', () => {
  test.each([
    [2, 4, 1],
    [3, 20, 1],
  ])('min %i max %i: PDB maxUnavailable %i (whatever the replica count), spread', (minReplicas, maxReplicas, maxUnavailable) => {
    const { runtime, objects } = runtimeIn({ minReplicas, maxReplicas });
    expect(runtime.highAvailability).toBe(true);
    const pdb = only(objects, 'PodDisruptionBudget');
    const hpa = only(objects, 'HorizontalPodAutoscaler');
    expect(pdb.spec.maxUnavailable).toBe(maxUnavailable);
    expect(pdb.spec.minAvailable).toBeUndefined();
    expect(pdb.spec.selector.matchLabels).toEqual(runtime.podSelector);
    expect(hpa.spec.minReplicas).toBeGreaterThan(pdb.spec.maxUnavailable);
    expect(hpa.spec).toMatchObject({ minReplicas, maxReplicas });
    expect(hpa.spec.metrics[0].resource).toEqual({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } });
    const pod = only(objects, 'Deployment').spec.template.spec;
    // The HPA owns the count: no replicas field that a re-apply would reset (see the next test).
    expect(only(objects, 'Deployment').spec).not.toHaveProperty('replicas');
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm).toEqual({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: runtime.podSelector },
    });
    expect(pod.topologySpreadConstraints.map((t: K8sObject) => t.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(checkPolicy(objects, { env: 'prod' }).findings.filter((f) => /^RSPP-(HA|POD|META)/.test(f.ruleId)).map((f) => f.text)).toEqual([]);
  });

  test('the Deployment leaves the replica count to the HPA, so kubectl apply / helm upgrade never scales a busy runtime back to min', () => {
    for (const [minReplicas, maxReplicas] of [[1, 1], [2, 4], [3, 20]] as const) {
      const { objects } = runtimeIn({ minReplicas, maxReplicas });
      const deployment = only(objects, 'Deployment');
      expect(deployment.spec.replicas).toBeUndefined();
      const hpa = only(objects, 'HorizontalPodAutoscaler');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
      expect(hpa.spec.minReplicas).toBe(minReplicas);
    }
    // RSPP-HA-001 reads the HPA minimum, so prod-sized replicas still pass without the field.
    const { objects } = runtimeIn({ minReplicas: 3, maxReplicas: 20 });
    expect(checkPolicy(objects, { env: 'prod' }).findings.filter((f) => f.ruleId === 'RSPP-HA-001')).toEqual([]);
  });

  test('off: no PDB, no anti-affinity, no spread', () => {
    const { objects } = runtimeIn({ minReplicas: 2, highAvailability: false });
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    const pod = only(objects, 'Deployment').spec.template.spec;
    expect(pod.affinity).toBeUndefined();
    expect(pod.topologySpreadConstraints).toBeUndefined();
  });
});

describe('composition in a user chart with overridden props', () => {
  class PlatformChart extends Chart {
    public readonly runtime: RsppRuntime;
    public constructor(scope: ReturnType<typeof Testing.app>) {
      super(scope, 'voice', { namespace: 'voice-prod' });
      this.runtime = new RsppRuntime(this, 'edge-runtime', {
        name: 'voice-runtime',
        instance: 'voice-prod',
        version: '2.3.4',
        image: 'registry.example.com/voice/runtime:2.3.4@sha256:' + 'd'.repeat(64),
        bundleDigest: 'sha256:' + 'e'.repeat(64),
        minReplicas: 4,
        maxReplicas: 12,
        targetCpuUtilization: 55,
        drainSeconds: 45,
        region: 'us-east-1',
        resources: { cpuRequest: '1', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '2Gi' },
        leaseStore: { endpoints: ['https://etcd-0.etcd:2379', 'https://etcd-1.etcd:2379'], tlsSecretName: 'etcd-client-tls', leaseTtlSeconds: 8 },
        controlPlaneUrl: 'https://control-plane.voice-prod.svc:8081',
        tls: { secretName: 'voice-runtime-tls' },
        sessionClients: [{ podLabels: { app: 'livekit-agent' }, namespaceLabels: { 'kubernetes.io/metadata.name': 'livekit' } }],
        securityContext: { runAsUser: 10001 },
      });
    }
  }

  const app = Testing.app();
  const chart = new PlatformChart(app);
  chart.runtime.allowEgressTo({ podLabels: { 'app.kubernetes.io/component': 'lease-store' } }, [{ port: 2379 }]);
  chart.runtime.allowIngressFrom({ podLabels: { app: 'prometheus' }, namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, [chart.runtime.ports.admin]);
  const objects = synthChart(chart);

  test('names, namespace and labels follow the props', () => {
    for (const o of objects) {
      expect(o.metadata.namespace).toBe('voice-prod');
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'voice-runtime', 'app.kubernetes.io/instance': 'voice-prod', 'app.kubernetes.io/version': '2.3.4' });
    }
    expect(only(objects, 'ConfigMap').metadata.name).toBe('voice-runtime-config');
    expect(chart.runtime.serviceHost).toBe('voice-runtime.voice-prod.svc');
  });

  test('image, resources, uid, HPA and drain follow the props', () => {
    const c = container(objects);
    expect(c.image).toBe('registry.example.com/voice/runtime:2.3.4@sha256:' + 'd'.repeat(64));
    expect(c.resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } });
    expect(c.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001 });
    expect(only(objects, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 4, maxReplicas: 12 });
    expect(only(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(only(objects, 'Deployment').spec.template.spec.terminationGracePeriodSeconds).toBe(gracePeriodFor(45));
  });

  test('lease store, control plane and region reach the process', () => {
    const env = envOf(objects);
    expect(env.RSPP_LEASE_STORE.value).toBe('etcd');
    expect(env.RSPP_ETCD_ENDPOINTS.value).toBe('https://etcd-0.etcd:2379,https://etcd-1.etcd:2379');
    expect(env.RSPP_ETCD_TLS_DIR.value).toBe(RUNTIME_ETCD_TLS_DIR);
    expect(env.RSPP_LEASE_TTL_SECONDS.value).toBe('8');
    expect(env.RSPP_CONTROL_PLANE_URL.value).toBe('https://control-plane.voice-prod.svc:8081');
    // The https control plane gets the runtime's own certificate as its client identity.
    expect(env[RUNTIME_ENV.tlsDir].value).toBe(RUNTIME_TLS_MOUNT_PATH);
    expect(container(objects).volumeMounts).toContainEqual({ name: 'tls', mountPath: RUNTIME_TLS_MOUNT_PATH, readOnly: true });
    expect(env.RSPP_REGION.value).toBe('us-east-1');
    const pod = only(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'etcd-tls', secret: { secretName: 'etcd-client-tls', defaultMode: 0o440 } });
    expect(container(objects).volumeMounts).toContainEqual({ name: 'etcd-tls', mountPath: RUNTIME_ETCD_TLS_DIR, readOnly: true });
  });

  test('flows declared after construction are synthesized into the NetworkPolicy', () => {
    const np = only(objects, 'NetworkPolicy').spec;
    expect(np.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { app: 'livekit-agent' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'livekit' } } }], ports: [{ port: 8080, protocol: 'TCP' }] },
      { from: [{ podSelector: { matchLabels: { app: 'prometheus' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 9090, protocol: 'TCP' }] },
    ]);
    expect(np.egress).toContainEqual({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'lease-store' } } }], ports: [{ port: 2379, protocol: 'TCP' }] });
  });

  test('a config change rolls the pods (checksum annotation follows the bundle digest)', () => {
    const checksum = (digest: string) =>
      only(runtimeIn({ bundleDigest: digest }).objects, 'Deployment').spec.template.metadata.annotations['rspp.io/config-checksum'];
    expect(checksum('sha256:' + '1'.repeat(64))).not.toBe(checksum('sha256:' + '2'.repeat(64)));
    expect(checksum('sha256:' + '1'.repeat(64))).toBe(checksum('sha256:' + '1'.repeat(64)));
  });
});

describe('bad props fail in the constructor, naming the prop', () => {
  const D = 'f'.repeat(64);
  test.each([
    [{ image: 'ghcr.io/rspp/runtime:1.0' }, 'props.image "ghcr.io/rspp/runtime:1.0" is referenced by tag; pin it by digest'],
    [{ image: 'ghcr.io/rspp/runtime@sha256:123' }, 'props.image "ghcr.io/rspp/runtime@sha256:123" is not a valid digest-pinned reference'],
    [{ bundleDigest: 'simple_v1:latest' }, 'props.bundleDigest "simple_v1:latest" is not an immutable bundle digest'],
    [{ minReplicas: 0 }, 'props.minReplicas must be an integer in 1..1000, got 0'],
    [{ minReplicas: 2.5 }, 'props.minReplicas must be an integer in 1..1000, got 2.5'],
    [{ minReplicas: 3, maxReplicas: 2 }, 'props.maxReplicas (2) is below props.minReplicas (3)'],
    [{ highAvailability: true }, 'props.highAvailability needs props.minReplicas >= 2 (HPA min must be >= PDB minAvailable + 1), got 1'],
    [{ drainSeconds: 0 }, 'props.drainSeconds must be an integer in 1..3600, got 0'],
    [{ targetCpuUtilization: 150 }, 'props.targetCpuUtilization must be an integer in 1..100, got 150'],
    [{ resources: { cpuRequest: '250m', memoryRequest: '2Gi', memoryLimit: '1Gi' } }, 'props.resources.memoryRequest: 2Gi exceeds memoryLimit 1Gi'],
    [{ resources: { cpuRequest: 'lots', memoryRequest: '1Gi', memoryLimit: '1Gi' } }, 'props.resources.cpuRequest: "lots" is not a positive Kubernetes quantity'],
    [{ name: 'Runtime_1' }, 'props.name "Runtime_1" is not a valid object name'],
    [{ namespace: 'Bad Namespace' }, 'props.namespace "Bad Namespace" is not a DNS label'],
    [{ version: 'v 1' }, 'props.version "v 1" is not a valid label value'],
    [{ region: 'EU West' }, 'props.region "EU West" is not a region name'],
    [{ securityContext: { runAsUser: 0 } }, 'props.runAsUser must be a non-zero integer id (root is not allowed), got 0'],
    [{ sessionClients: [{ podLabels: {} }] }, 'props.sessionClients[0].podLabels must not be empty'],
    [{ leaseStore: { endpoints: [] } }, 'props.leaseStore.endpoints must list at least one etcd client URL'],
    [{ leaseStore: { endpoints: ['http://etcd:2379'] } }, 'props.leaseStore.endpoints[0] "http://etcd:2379" is not an https://host[:port] URL'],
    [{ leaseStore: { endpoints: ['https://etcd:2379'], leaseTtlSeconds: 60 } }, 'props.leaseStore.leaseTtlSeconds must be an integer in 2..drainSeconds (30), got 60'],
    [{ controlPlaneUrl: 'control-plane:8081' }, 'props.controlPlaneUrl "control-plane:8081" is not an http(s)://host[:port] URL'],
    [{ controlPlaneUrl: 'https://control-plane:8081' }, 'props.controlPlaneUrl is https but props.tls is not set; the control plane requires a client certificate'],
    [{ profile: ' ' }, 'props.profile must not be empty'],
    [{ tls: { secretName: 'Runtime_TLS' } }, 'props.tls.secretName "Runtime_TLS" is not a valid object name'],
    [{ tls: { secretName: 'runtime-tls', mountPath: 'etc/tls' } }, 'props.tls.mountPath "etc/tls" is not an absolute directory path'],
    [{ tls: { secretName: 'runtime-tls', mountPath: '/etc/../root' } }, 'props.tls.mountPath "/etc/../root" is not an absolute directory path'],
    [{ tls: { secretName: 'runtime-tls', mountPath: '/tmp/tls' } }, 'props.tls.mountPath "/tmp/tls" overlaps /tmp'],
    [{ tls: { secretName: 'runtime-tls', mountPath: RUNTIME_ETCD_TLS_DIR }, leaseStore: { endpoints: ['https://etcd:2379'], tlsSecretName: 'etcd-tls' } }, `props.tls.mountPath "${RUNTIME_ETCD_TLS_DIR}" overlaps ${RUNTIME_ETCD_TLS_DIR}`],
    [{ tls: { secretName: 'runtime-tls', mountPath: '/etc/rspp' }, leaseStore: { endpoints: ['https://etcd:2379'], tlsSecretName: 'etcd-tls' } }, `props.tls.mountPath "/etc/rspp" overlaps ${RUNTIME_ETCD_TLS_DIR}`],
  ] as const)('%j', (props, message) => {
    expect(() => runtimeIn(props as never)).toThrow(message);
    expect(() => runtimeIn(props as never)).toThrow(/^RsppRuntime\(test\/c\/runtime\): /);
  });

  test('flow methods refuse peers that would select everything', () => {
    const { runtime } = runtimeIn();
    expect(() => runtime.allowIngressFrom({ podLabels: {} })).toThrow('allowIngressFrom(peer).podLabels must not be empty');
    expect(() => runtime.allowEgressTo({ podLabels: { a: 'b' } }, [])).toThrow('allowEgressTo(ports) must name at least one port');
    expect(() => runtime.allowEgressTo({ podLabels: { a: 'b' }, namespaceLabels: {} }, [{ port: 1 }])).toThrow('namespaceLabels must not be empty');
    expect(() => runtime.allowEgressTo({ podLabels: {}, namespaceLabels: { team: 'media' } }, [{ port: 1 }])).toThrow('allowEgressTo(peer).podLabels must not be empty');
    expect(() => runtime.allowEgressTo({ podLabels: { a: 'b' } }, [{ port: 50000, endPort: 40000, protocol: 'UDP' }])).toThrow(
      'allowEgressTo(ports): endPort 40000 of the range starting at 50000 must be an integer in 50000..65535',
    );
  });

  test('flow methods take port ranges and whole named namespaces', () => {
    const { runtime, objects } = (() => {
      const chart = Testing.chart();
      const scoped = new Chart(chart, 'c', { namespace: 'rspp' });
      const r = new RsppRuntime(scoped, 'runtime');
      r.allowEgressTo({ podLabels: {}, namespaceLabels: { 'kubernetes.io/metadata.name': 'media' } }, [{ port: 50000, endPort: 50100, protocol: 'UDP' }]);
      return { runtime: r, objects: synthChart(scoped) };
    })();
    expect(runtime.flowName).toBe('runtime');
    expect(only(objects, 'NetworkPolicy').spec.egress).toContainEqual({
      to: [{ podSelector: {}, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'media' } } }],
      ports: [{ port: 50000, endPort: 50100, protocol: 'UDP' }],
    });
  });

  test('a valid digest with a tag is accepted', () => {
    expect(() => runtimeIn({ image: `ghcr.io/rspp/runtime:1.0@sha256:${D}` })).not.toThrow();
  });
});
