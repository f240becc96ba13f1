import { Cron, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ValidationFailedError, assertValid, validateObjects } from '../../../constructs/validation';
import { find, goldenApp, runtimePod } from '../policy/fixtures/golden-app';
import { crds } from './fixtures/crd-objects';

/** Offline only: these tests are about the schema path (the server path has its own tests). */
function errors(objects: unknown[], declaredKinds?: { apiVersion: string; kind: string }[]): string[] {
  return validateObjects(objects, { server: false, declaredKinds }).map((i) => i.text);
}

const DIGEST = `@sha256:${'a'.repeat(64)}`;

function cdk8sPlusChart(): unknown[] {
  const chart = Testing.chart();
  const sa = new kplus.ServiceAccount(chart, 'sa');
  const cm = new kplus.ConfigMap(chart, 'cm', { data: { 'config.json': '{}' } });
  const deployment = new kplus.Deployment(chart, 'd', {
    serviceAccount: sa,
    containers: [
      {
        image: `runtime${DIGEST}`,
        portNumber: 8080,
        envVariables: { MODE: kplus.EnvValue.fromValue('x') },
        volumeMounts: [{ path: '/etc/rspp', volume: kplus.Volume.fromConfigMap(chart, 'v', cm) }],
        liveness: kplus.Probe.fromHttpGet('/healthz'),
        readiness: kplus.Probe.fromHttpGet('/readyz'),
      },
    ],
  });
  deployment.exposeViaService();
  new kplus.StatefulSet(chart, 'ss', { containers: [{ image: `etcd${DIGEST}`, portNumber: 2379 }] });
  new kplus.CronJob(chart, 'cj', { schedule: Cron.daily(), containers: [{ image: `job${DIGEST}` }] });
  new kplus.Job(chart, 'j', { containers: [{ image: `job${DIGEST}` }], ttlAfterFinished: Duration.minutes(5) });
  new kplus.DaemonSet(chart, 'ds', { containers: [{ image: `ds${DIGEST}` }] });
  new kplus.HorizontalPodAutoscaler(chart, 'hpa', {
    target: deployment,
    maxReplicas: 4,
    metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(70))],
  });
  const role = new kplus.Role(chart, 'role');
  role.allowRead(cm);
  role.bind(sa);
  new kplus.NetworkPolicy(chart, 'np', {
    selector: deployment,
    ingress: { rules: [{ peer: kplus.Pods.select(chart, 'peer', { labels: { app: 'livekit' } }), ports: [kplus.NetworkPolicyPort.tcp(8080)] }] },
  });
  new kplus.Secret(chart, 's', { stringData: { key: 'not-a-real-secret' } });
  new kplus.Namespace(chart, 'ns');
  return Testing.synth(chart);
}

describe('validateObjects: valid objects pass', () => {
  it('the golden app', () => {
    expect(errors(goldenApp())).toEqual([]);
  });
  it('a cdk8s-plus-27 chart of every workload kind, Service, HPA, Role, NetworkPolicy, Secret, Namespace', () => {
    const objects = cdk8sPlusChart();
    expect(objects.length).toBeGreaterThan(12);
    expect(errors(objects)).toEqual([]);
  });
  it('cert-manager and prometheus-operator resources', () => {
    expect(errors(crds())).toEqual([]);
  });
});

describe('validateObjects: problems fail with the right path', () => {
  it('unknown fields at the top of the spec and deep in a container', () => {
    const app = goldenApp();
    const { deployment, container } = runtimePod(app);
    deployment.spec.replicass = 3;
    container.imagePullPolicyy = 'Always';
    expect(errors(app)).toEqual([
      'Deployment/rspp/rspp-runtime spec.replicass: unknown field "replicass" (not in the Deployment schema of kubernetes-models); did you mean "replicas"?',
      'Deployment/rspp/rspp-runtime spec.template.spec.containers[0].imagePullPolicyy: unknown field "imagePullPolicyy" (not in the Deployment schema of kubernetes-models); did you mean "imagePullPolicy"?',
    ]);
  });
  it('unknown fields in metadata, at the root and in a Service port', () => {
    const app = goldenApp();
    const service = find(app, 'Service', 'rspp-runtime');
    service.metadata.lables = { a: 'b' };
    service.specc = {};
    service.spec.ports[0].protocoll = 'TCP';
    expect(errors(app)).toEqual([
      'Service/rspp/rspp-runtime specc: unknown field "specc" (not in the Service schema of kubernetes-models); did you mean "spec"?',
      'Service/rspp/rspp-runtime metadata.lables: unknown field "lables" (not in the Service schema of kubernetes-models); did you mean "labels"?',
      'Service/rspp/rspp-runtime spec.ports[0].protocoll: unknown field "protocoll" (not in the Service schema of kubernetes-models); did you mean "protocol"?',
    ]);
  });
  it('does not mistake map keys (labels, annotations, data, resource lists, selectors) for unknown fields', () => {
    const app = goldenApp();
    const { deployment, container } = runtimePod(app);
    deployment.metadata.annotations = { 'anything.example.com/whatever': 'x' };
    container.resources.limits['nvidia.com/gpu'] = '1';
    find(app, 'ConfigMap', 'rspp-runtime-config').data['any-key.yaml'] = 'v';
    expect(errors(app)).toEqual([]);
  });
  it('a wrong type', () => {
    const app = goldenApp();
    const { container, pod } = runtimePod(app);
    container.ports[0].containerPort = '8080';
    pod.automountServiceAccountToken = 'false';
    expect(errors(app)).toEqual([
      'Deployment/rspp/rspp-runtime spec.template.spec.automountServiceAccountToken: must be boolean, got string',
      'Deployment/rspp/rspp-runtime spec.template.spec.containers[0].ports[0].containerPort: must be integer, got string',
    ]);
  });
  it('a missing required field', () => {
    const app = goldenApp();
    const { deployment, container } = runtimePod(app);
    delete container.name;
    delete deployment.spec.selector;
    expect(errors(app)).toEqual([
      'Deployment/rspp/rspp-runtime spec.selector: required field is missing',
      'Deployment/rspp/rspp-runtime spec.template.spec.containers[0].name: required field is missing',
    ]);
  });
  it('a bad enum and a bad quantity format', () => {
    const app = goldenApp();
    const { container } = runtimePod(app);
    container.resources.requests.memory = '256 megs';
    find(app, 'NetworkPolicy', 'default-deny').spec.policyTypes = ['Inbound'];
    const found = errors(app);
    expect(found).toContain('Deployment/rspp/rspp-runtime spec.template.spec.containers[0].resources.requests.memory: must be a valid quantity, got "256 megs"');
    expect(found.some((e) => e.startsWith('NetworkPolicy/rspp/default-deny spec.policyTypes[0]:'))).toBe(true);
  });
  it('bad CRD fields: unknown, wrong type, missing required', () => {
    const objects = crds();
    const certificate = objects[2] as { spec: Record<string, unknown> };
    (certificate.spec.privateKey as Record<string, unknown>).sizee = 256;
    certificate.spec.dnsNames = 'rspp-runtime';
    delete certificate.spec.issuerRef;
    const rule = ((objects[4] as { spec: { groups: { rules: Record<string, unknown>[] }[] } }).spec.groups[0].rules[1]);
    rule.forr = '5m';
    expect(errors(objects)).toEqual([
      'Certificate/rspp/runtime spec.issuerRef: required field is missing',
      'Certificate/rspp/runtime spec.dnsNames: must be array, got string',
      'Certificate/rspp/runtime spec.privateKey.sizee: unknown field "sizee" (not in the Certificate schema of @kubernetes-models/cert-manager); did you mean "size"?',
      'PrometheusRule/rspp/slo spec.groups[0].rules[1].forr: unknown field "forr" (not in the PrometheusRule schema of @kubernetes-models/prometheus-operator); did you mean "for"?',
    ]);
  });
  it('an unknown apiVersion/kind unless declared; declared kinds still get metadata checked', () => {
    const objects = [
      { apiVersion: 'apps/v1', kind: 'Deploymnt', metadata: { name: 'x', namespace: 'rspp' } },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'rspp', lables: {} }, spec: { anything: true } },
    ];
    const found = errors(objects);
    expect(found[0]).toBe(
      'Deploymnt/rspp/x kind: no schema for Deploymnt in apps/v1 (installed: kubernetes-models, @kubernetes-models/cert-manager, @kubernetes-models/prometheus-operator); fix the apiVersion/kind or declare it in declaredKinds if a CRD serves it',
    );
    expect(found[1]).toContain('Widget/rspp/w kind: no schema for Widget in example.com/v1');
    expect(errors(objects, [{ apiVersion: 'example.com/v1', kind: 'Widget' }])).toEqual([
      found[0],
      'Widget/rspp/w metadata.lables: unknown field "lables" (not in the ObjectMeta schema of @kubernetes-models/apimachinery); did you mean "labels"?',
    ]);
  });
  it('non-objects, missing apiVersion/kind/name and duplicates', () => {
    const app = goldenApp();
    app.push(JSON.parse(JSON.stringify(find(app, 'ConfigMap', 'rspp-runtime-config'))));
    expect(errors([...app, null, { kind: 'ConfigMap', metadata: {} }])).toEqual([
      '?/-/document[12] (object): is null, not a Kubernetes object',
      'ConfigMap/-/? apiVersion: required string field is missing',
      'ConfigMap/rspp/rspp-runtime-config (object): duplicate of document[6]; object names must be unique per kind and namespace',
    ]);
  });
});

describe('assertValid', () => {
  it('throws listing every error, and returns the notes when clean', () => {
    const app = goldenApp();
    runtimePod(app).deployment.spec.replicass = 1;
    expect(() => assertValid(app, { server: false })).toThrow(ValidationFailedError);
    expect(() => assertValid(app, { server: false })).toThrow(/manifest validation failed: 1 error\n {2}Deployment\/rspp\/rspp-runtime spec\.replicass/);
    expect(assertValid(goldenApp(), { server: { kubeconfig: '' } })).toEqual([
      expect.objectContaining({ severity: 'note', source: 'server' }),
    ]);
  });
});
