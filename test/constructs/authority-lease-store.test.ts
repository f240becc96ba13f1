import { Testing } from 'cdk8s';
import { ETCD_IMAGE } from '../../envs/pins';
import { ETCD_CLIENT_PORT, ETCD_PEER_PORT, RUNTIME_ENV } from '../../runtime/contracts/runtime-interface';
import { AuthorityLeaseStore, AuthorityLeaseStoreProps, ETCD_METRICS_PORT } from '../../constructs/authority-lease-store';
import { MtlsBaseline } from '../../constructs/mtls-baseline';
import { IFlowEndpoint } from '../../constructs/network-flows';
import { byKind, flowAllowed, named, schemaProblem, workloadPods } from './platform-invariants.support';

const NS = 'rspp-test';
const client: IFlowEndpoint = { flowName: 'runtime', flowPeer: { podLabels: { app: 'runtime' } } };
const EXTERNAL = {
  mode: 'external' as const,
  endpoints: ['https://etcd-0.etcd.infra.svc:2379', 'https://etcd-1.etcd.infra.svc:2379'],
  tlsSecretName: 'infra-etcd-client',
  externalPeer: { namespaceLabels: { 'kubernetes.io/metadata.name': 'infra' }, podLabels: { app: 'etcd' } },
};

function synth(props: Partial<AuthorityLeaseStoreProps> = {}) {
  const chart = Testing.chart();
  const tls = new MtlsBaseline(chart, 'tls', { namespace: NS, instance: 'rspp-test' });
  const leases = new AuthorityLeaseStore(chart, 'leases', { tls, ...props });
  leases.grantClient(client);
  return { leases, tls, objects: Testing.synth(chart) };
}

const statefulSet = (objects: any[]) => byKind(objects, 'StatefulSet')[0];
const etcdArgs = (objects: any[]): string[] => statefulSet(objects).spec.template.spec.containers[0].args;

describe('AuthorityLeaseStore', () => {
  test('snapshot: 3 managed members', () => {
    expect(synth({ members: 3, storageClassName: 'fast-ssd', storageSize: '20Gi' }).objects).toMatchSnapshot();
  });

  test('snapshot: external etcd', () => {
    expect(synth(EXTERNAL).objects).toMatchSnapshot();
  });

  test('managed: a StatefulSet of `members` pods, started in parallel, with a PVC template of the given class and size', () => {
    const { objects } = synth({ members: 5, storageClassName: 'fast-ssd', storageSize: '20Gi' });
    const sts = statefulSet(objects);
    expect(sts.spec.replicas).toBe(5);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.serviceName).toBe('rspp-etcd-peers');
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '20Gi' } } });
    expect(sts.spec.template.spec.containers[0].image).toBe(ETCD_IMAGE);
    expect(ETCD_IMAGE).toMatch(/^quay\.io\/coreos\/etcd:v3\.5\.\d+@sha256:[0-9a-f]{64}$/);
  });

  test('managed: peer and client traffic are mTLS (https URLs, client-cert-auth on both ports)', () => {
    const { objects } = synth({ members: 3 });
    const args = etcdArgs(objects);
    expect(args).toEqual(expect.arrayContaining(['--client-cert-auth', '--peer-client-cert-auth']));
    for (const flag of ['--listen-peer-urls', '--listen-client-urls', '--initial-advertise-peer-urls', '--advertise-client-urls']) {
      const value = args.find((a) => a.startsWith(`${flag}=`))!;
      expect(value.split('=')[1]).toMatch(/^https:\/\//);
    }
    const initialCluster = args.find((a) => a.startsWith('--initial-cluster='))!.slice('--initial-cluster='.length).split(',');
    expect(initialCluster).toEqual([0, 1, 2].map((i) => `rspp-etcd-${i}=https://rspp-etcd-${i}.rspp-etcd-peers.${NS}.svc:${ETCD_PEER_PORT}`));
    for (const f of ['--trusted-ca-file', '--cert-file', '--key-file', '--peer-trusted-ca-file', '--peer-cert-file', '--peer-key-file']) {
      expect(args.some((a) => a.startsWith(`${f}=/etc/etcd/tls/`))).toBe(true);
    }
    // The mounted secret is the peer certificate, whose SANs cover every member and the client Service.
    const sts = statefulSet(objects);
    const secretName = sts.spec.template.spec.volumes.find((v: any) => v.name === 'peer-tls').secret.secretName;
    const peerCert = byKind(objects, 'Certificate').find((c) => c.spec.secretName === secretName)!;
    expect(peerCert.spec.dnsNames).toEqual(expect.arrayContaining([`*.rspp-etcd-peers.${NS}.svc`, `rspp-etcd.${NS}.svc`]));
    expect(peerCert.spec.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
    const clientCert = byKind(objects, 'Certificate').find((c) => c.spec.secretName === 'etcd-client-tls')!;
    expect(clientCert.spec.usages).toContain('client auth');
    expect(clientCert.spec.usages).not.toContain('server auth');
  });

  test('managed: quorum-aware PDB (maxUnavailable = members - quorum) and one member per node', () => {
    for (const [members, maxUnavailable] of [[3, 1], [5, 2], [7, 3]] as const) {
      const { objects } = synth({ members });
      expect(byKind(objects, 'PodDisruptionBudget')[0].spec.maxUnavailable).toBe(maxUnavailable);
      const affinity = statefulSet(objects).spec.template.spec.affinity;
      expect(affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    }
  });

  test('managed, one member (dev): no PDB (it would block every drain) and no anti-affinity', () => {
    const { objects } = synth({ members: 1 });
    expect(byKind(objects, 'PodDisruptionBudget')).toHaveLength(0);
    expect(statefulSet(objects).spec.template.spec.affinity).toBeUndefined();
  });

  test('managed: secure by default (non-root uid, read-only root, data on the PVC, seccomp, drop ALL, no token)', () => {
    const pod = statefulSet(synth().objects).spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.automountServiceAccountToken).toBe(false);
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const dataDir = c.args.find((a: string) => a.startsWith('--data-dir=')).split('=')[1];
    const dataMount = c.volumeMounts.find((m: any) => m.name === 'data');
    expect(dataDir.startsWith(dataMount.mountPath)).toBe(true);
    expect(c.livenessProbe.httpGet.path).not.toBe(c.readinessProbe.httpGet.path);
  });

  test('managed: headless peer Service publishes not-ready members; client Service serves client and metrics ports', () => {
    const { objects } = synth();
    const peers = named(objects, 'Service', 'rspp-etcd-peers');
    expect(peers.spec.clusterIP).toBe('None');
    expect(peers.spec.publishNotReadyAddresses).toBe(true);
    const clientSvc = named(objects, 'Service', 'rspp-etcd');
    expect(clientSvc.spec.ports.map((p: any) => p.port)).toEqual([ETCD_CLIENT_PORT, ETCD_METRICS_PORT]);
    const podLabels = statefulSet(objects).spec.template.metadata.labels;
    for (const svc of [peers, clientSvc]) {
      expect(Object.entries(svc.spec.selector).every(([k, v]) => podLabels[k] === v)).toBe(true);
    }
  });

  test('managed: NetworkPolicies admit peers and granted clients only', () => {
    const { objects } = synth();
    const deny = { metadata: { name: 'deny', namespace: NS }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
    const policies = [deny, ...byKind(objects, 'NetworkPolicy')];
    const [etcd] = workloadPods(objects);
    const granted = { ...etcd, workload: 'runtime', labels: { app: 'runtime' }, ports: [] };
    const other = { ...etcd, workload: 'other', labels: { app: 'other' }, ports: [] };
    expect(flowAllowed(policies, etcd, etcd, ETCD_PEER_PORT)).toBe(true);
    expect(flowAllowed(policies, granted, etcd, ETCD_CLIENT_PORT)).toBe(true);
    expect(flowAllowed(policies, granted, etcd, ETCD_PEER_PORT)).toBe(false);
    expect(flowAllowed(policies, other, etcd, ETCD_CLIENT_PORT)).toBe(false);
  });

  test('managed: typed outputs for clients (endpoints, TLS secret, env, mount)', () => {
    const { leases } = synth({ members: 3, leaseTtlSeconds: 7 });
    expect(leases.clientEndpoints).toEqual([0, 1, 2].map((i) => `https://rspp-etcd-${i}.rspp-etcd-peers.${NS}.svc:${ETCD_CLIENT_PORT}`));
    expect(leases.clientTlsSecretName).toBe('etcd-client-tls');
    expect(leases.clientTlsSecretIsExternal).toBe(false);
    const conn = leases.clientConnection();
    const env = Object.fromEntries(conn.env.map((e) => [e.name, e.value]));
    expect(env).toEqual({
      [RUNTIME_ENV.leaseStore]: 'etcd',
      [RUNTIME_ENV.etcdEndpoints]: leases.clientEndpoints.join(','),
      [RUNTIME_ENV.etcdTlsDir]: conn.volumeMount.mountPath,
      [RUNTIME_ENV.leaseTtlSeconds]: '7',
    });
    expect(conn.volume.secret?.secretName).toBe('etcd-client-tls');
    expect(conn.externalRefs).toEqual([]);
    expect(leases.clients).toEqual(['runtime']);
  });

  test('external: no etcd objects; endpoints and the existing TLS secret are exposed and declared external', () => {
    const { leases, objects } = synth(EXTERNAL);
    expect(byKind(objects, 'StatefulSet')).toHaveLength(0);
    expect(byKind(objects, 'Certificate').filter((c) => c.metadata.name.startsWith('etcd'))).toHaveLength(0);
    expect(leases.clientEndpoints).toEqual(EXTERNAL.endpoints);
    expect(leases.clientTlsSecretName).toBe('infra-etcd-client');
    expect(leases.clientConnection().externalRefs).toEqual([{ kind: 'Secret', name: 'infra-etcd-client' }]);
    expect(leases.scrapeTarget).toBeUndefined();
    // Only our side: the client's egress to the external etcd namespace.
    const flows = byKind(objects, 'NetworkPolicy').filter((p) => p.metadata.name.includes('lease-store'));
    expect(flows.map((p) => p.metadata.name)).toEqual(['allow-egress-runtime-to-lease-store']);
    expect(flows[0].spec.egress[0].to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'infra' });
  });

  test('every object passes the Kubernetes and cert-manager schemas', () => {
    expect(synth({ members: 3 }).objects.map(schemaProblem).filter(Boolean)).toEqual([]);
  });

  describe('bad props', () => {
    test.each<[string, Partial<AuthorityLeaseStoreProps>, RegExp]>([
      ['even members', { members: 4 }, /props.members is 4; use an odd number \(3 or 5\)/],
      ['zero members', { members: 0 }, /props.members must be a positive integer/],
      ['fewer than 3 in prod', { members: 1, environment: 'prod' }, /props.members is 1 in prod; prod needs at least 3/],
      ['image by tag', { image: 'quay.io/coreos/etcd:v3.5.17' }, /props.image "quay.io\/coreos\/etcd:v3.5.17" is referenced by tag/],
      ['storage size not a quantity', { storageSize: 'big' }, /props.storageSize "big" is not a positive Kubernetes quantity/],
      ['managed with external endpoints', { endpoints: ['https://x:2379'] }, /apply to external mode only/],
      ['lease TTL zero', { leaseTtlSeconds: 0 }, /props.leaseTtlSeconds must be a whole number of seconds >= 1/],
      ['external without endpoints', { ...EXTERNAL, endpoints: [] }, /props.endpoints must list the external etcd client URLs/],
      ['external over plain http', { ...EXTERNAL, endpoints: ['http://etcd:2379'] }, /props.endpoints\[0\] "http:\/\/etcd:2379" must be https:\/\/host:port/],
      ['external without TLS secret', { ...EXTERNAL, tlsSecretName: undefined }, /props.tlsSecretName .* is required in external mode/],
      ['external without peer', { ...EXTERNAL, externalPeer: undefined }, /props.externalPeer .* is required in external mode/],
      ['external with members', { ...EXTERNAL, members: 3 }, /props.members applies to managed mode only/],
    ])('%s', (_name, props, message) => {
      expect(() => synth(props)).toThrow(message);
    });
  });
});
