import { Testing } from 'cdk8s';
import { CONTROL_PLANE_IMAGE } from '../../envs/pins';
import { ADMIN_PORT, CONTROL_PLANE_API_PORT, PATHS, PORT_NAMES, RUNTIME_ENV, gracePeriodFor } from '../../runtime/contracts/runtime-interface';
import { AuthorityLeaseStore } from '../../constructs/authority-lease-store';
import { MtlsBaseline } from '../../constructs/mtls-baseline';
import { IFlowEndpoint } from '../../constructs/network-flows';
import { DRAIN_SECONDS_ANNOTATION, EXTERNAL_REFS_ANNOTATION } from '../../constructs/policy';
import * as fs from 'fs';
import * as path from 'path';
import { NODE_PATH_IN_IMAGE } from '../../runtime/image/base-layer';
import { APP_DIR } from '../../runtime/image/build-image';
import { CONTROL_PLANE_COMMAND, CONTROL_PLANE_DRAIN_SECONDS, CONTROL_PLANE_TLS_MOUNT_PATH, RsppControlPlane, RsppControlPlaneProps } from '../../constructs/rspp-control-plane';
import { byKind, named, schemaProblem } from './platform-invariants.support';

const NS = 'rspp-test';
const DIGEST = `sha256:${'a'.repeat(64)}`;

function synth(props: Partial<RsppControlPlaneProps> = {}, external = false) {
  const chart = Testing.chart();
  const tls = new MtlsBaseline(chart, 'tls', { namespace: NS });
  const leases = external
    ? new AuthorityLeaseStore(chart, 'leases', {
        tls,
        mode: 'external',
        endpoints: ['https://etcd.infra.svc:2379'],
        tlsSecretName: 'infra-etcd-client',
        externalPeer: { namespaceLabels: { 'kubernetes.io/metadata.name': 'infra' }, podLabels: { app: 'etcd' } },
      })
    : new AuthorityLeaseStore(chart, 'leases', { tls, members: 1 });
  const cp = new RsppControlPlane(chart, 'cp', { tls, leases, ...props });
  return { cp, leases, objects: Testing.synth(chart) };
}
const deployment = (objects: any[]) => named(objects, 'Deployment', 'rspp-control-plane');

describe('RsppControlPlane', () => {
  test('snapshot: single replica (dev)', () => {
    expect(synth({ replicas: 1, bundleDigest: DIGEST }).objects.filter((o) => !['Namespace', 'ResourceQuota', 'LimitRange'].includes(o.kind))).toMatchSnapshot();
  });

  test('snapshot: three replicas, HA (prod)', () => {
    expect(synth({ replicas: 3, bundleDigest: DIGEST, region: 'eu-west-1' }).objects.filter((o) => ['Deployment', 'PodDisruptionBudget', 'Service'].includes(o.kind))).toMatchSnapshot();
  });

  test('the runtime image with the control-plane command, pinned by digest', () => {
    const c = deployment(synth().objects).spec.template.spec.containers[0];
    expect(c.image).toBe(CONTROL_PLANE_IMAGE);
    expect(c.command).toEqual(CONTROL_PLANE_COMMAND);
    expect(c.image).toMatch(/@sha256:[0-9a-f]{64}$/);
  });

  test('the command is the image layout (absolute node + compiled main), not a path relative to WorkingDir', () => {
    // The image build's own constants: Entrypoint node binary, code under APP_DIR (runtime/image/README.md).
    expect(CONTROL_PLANE_COMMAND).toEqual([NODE_PATH_IN_IMAGE, `${APP_DIR}/lib/runtime/control-plane/main.js`]);
    expect(CONTROL_PLANE_COMMAND.every((part) => part.startsWith('/'))).toBe(true);
    // The compiled entry point exists where the image build puts it (main.ts compiles to main.js).
    expect(fs.existsSync(path.join(__dirname, '../../runtime/control-plane/main.ts'))).toBe(true);
  });

  test('probes on the shared admin port and paths; liveness and readiness differ', () => {
    const c = deployment(synth().objects).spec.template.spec.containers[0];
    expect(c.livenessProbe.httpGet).toMatchObject({ path: PATHS.healthz, port: PORT_NAMES.admin });
    expect(c.readinessProbe.httpGet).toMatchObject({ path: PATHS.readyz, port: PORT_NAMES.admin });
    expect(c.ports.map((p: any) => [p.name, p.containerPort])).toEqual([[PORT_NAMES.api, CONTROL_PLANE_API_PORT], [PORT_NAMES.admin, ADMIN_PORT]]);
  });

  test('minimal RBAC: a dedicated ServiceAccount, no token, no Role or binding (the control plane never calls the API)', () => {
    const { objects } = synth();
    const pod = deployment(objects).spec.template.spec;
    expect(pod.serviceAccountName).toBe('rspp-control-plane');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(named(objects, 'ServiceAccount', 'rspp-control-plane').automountServiceAccountToken).toBe(false);
    expect(objects.filter((o) => /Role/.test(o.kind))).toEqual([]);
  });

  test('HA per env: 1 replica → no PDB, no spread; 2 and 3 → PDB (replicas-1) and spread across nodes', () => {
    const single = synth({ replicas: 1 }).objects;
    expect(byKind(single, 'PodDisruptionBudget').filter((p) => p.metadata.name === 'rspp-control-plane')).toHaveLength(0);
    expect(deployment(single).spec.template.spec.topologySpreadConstraints).toBeUndefined();
    for (const replicas of [2, 3]) {
      const objects = synth({ replicas }).objects;
      expect(deployment(objects).spec.replicas).toBe(replicas);
      expect(named(objects, 'PodDisruptionBudget', 'rspp-control-plane').spec.minAvailable).toBe(replicas - 1);
      const pod = deployment(objects).spec.template.spec;
      expect(pod.affinity.podAntiAffinity).toBeDefined();
      expect(pod.topologySpreadConstraints.length).toBeGreaterThan(0);
    }
  });

  test('drain: grace period from the shared formula, declared on the pod template, preStop sleep', () => {
    const d = deployment(synth().objects);
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(gracePeriodFor(CONTROL_PLANE_DRAIN_SECONDS));
    expect(d.spec.template.metadata.annotations[DRAIN_SECONDS_ANNOTATION]).toBe(String(CONTROL_PLANE_DRAIN_SECONDS));
    expect(d.spec.template.spec.containers[0].lifecycle.preStop.sleep.seconds).toBeGreaterThan(0);
  });

  test('mTLS: its own certificate and the lease store client connection are mounted; env names come from RUNTIME_ENV', () => {
    const { objects, leases, cp } = synth({ bundleDigest: DIGEST });
    const pod = deployment(objects).spec.template.spec;
    const secrets = pod.volumes.filter((v: any) => v.secret).map((v: any) => v.secret.secretName).sort();
    expect(secrets).toEqual([cp.tlsSecretName, leases.clientTlsSecretName].sort());
    expect(named(objects, 'Certificate', 'control-plane').spec.dnsNames).toContain(`rspp-control-plane.${NS}.svc`);
    const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env[RUNTIME_ENV.etcdEndpoints]).toBe(leases.clientEndpoints.join(','));
    expect(env[RUNTIME_ENV.bundleDigest]).toBe(DIGEST);
    expect(env[RUNTIME_ENV.leaseStore]).toBe('etcd');
    // RSPP_TLS_DIR names the directory its own certificate Secret is mounted at: the API serves mutual TLS.
    expect(env[RUNTIME_ENV.tlsDir]).toBe(CONTROL_PLANE_TLS_MOUNT_PATH);
    const tlsVolume = pod.volumes.find((v: any) => v.secret?.secretName === cp.tlsSecretName).name;
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: tlsVolume, mountPath: CONTROL_PLANE_TLS_MOUNT_PATH, readOnly: true });
    expect(cp.apiUrl.startsWith('https://')).toBe(true);
  });

  test('the Service selects the control-plane pods and exposes the API and admin ports', () => {
    const { objects, cp } = synth();
    const svc = named(objects, 'Service', 'rspp-control-plane');
    const podLabels = deployment(objects).spec.template.metadata.labels;
    expect(Object.entries(svc.spec.selector).every(([k, v]) => podLabels[k] === v)).toBe(true);
    expect(svc.spec.ports.map((p: any) => p.port)).toEqual([CONTROL_PLANE_API_PORT, ADMIN_PORT]);
    // https: the control plane always has its certificate, so it always serves mutual TLS.
    expect(cp.apiUrl).toBe(`https://rspp-control-plane.${NS}.svc:${CONTROL_PLANE_API_PORT}`);
  });

  test('flows: egress to the lease store, API ingress only from granted clients', () => {
    const chart = Testing.chart();
    const tls = new MtlsBaseline(chart, 'tls', { namespace: NS });
    const leases = new AuthorityLeaseStore(chart, 'leases', { tls, members: 1 });
    const cp = new RsppControlPlane(chart, 'cp', { tls, leases });
    const runtime: IFlowEndpoint = { flowName: 'runtime', flowPeer: { podLabels: { app: 'runtime' } } };
    cp.grantApiClient(runtime);
    cp.grantApiClient(runtime); // idempotent
    const names = tls.flows.flows.map((f) => `${f.from.flowName}->${f.to.flowName}:${f.ports.map((p) => p.port).join('+')}`);
    expect(names).toEqual(['lease-store->lease-store:2380+2379', 'control-plane->lease-store:2379', `runtime->control-plane:${CONTROL_PLANE_API_PORT}`]);
  });

  test('an external lease store TLS secret is declared external on the Deployment', () => {
    const d = deployment(synth({}, true).objects);
    expect(d.metadata.annotations[EXTERNAL_REFS_ANNOTATION]).toBe('Secret/infra-etcd-client');
  });

  test('every object passes the Kubernetes and cert-manager schemas', () => {
    expect(synth({ replicas: 3 }).objects.map(schemaProblem).filter(Boolean)).toEqual([]);
  });

  describe('bad props', () => {
    test.each<[string, Partial<RsppControlPlaneProps>, RegExp]>([
      ['HA with one replica', { replicas: 1, highAvailability: true }, /props.highAvailability needs props.replicas >= 2 \(got 1\)/],
      ['zero replicas', { replicas: 0 }, /props.replicas must be a positive integer/],
      ['image by tag', { image: 'ghcr.io/rspp/runtime:latest' }, /props.image "ghcr.io\/rspp\/runtime:latest" is referenced by tag/],
      ['mutable bundle reference', { bundleDigest: 'simple_v1' }, /props.bundleDigest "simple_v1" must be sha256:<64 hex>/],
      ['empty command', { command: [] }, /props.command must be a non-empty list/],
      ['bad name', { name: 'Control_Plane' }, /props.name "Control_Plane" is not a valid object name/],
    ])('%s', (_name, props, message) => {
      expect(() => synth(props)).toThrow(message);
    });
  });
});
