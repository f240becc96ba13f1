/**
 * `LiveKitValkey`, the Redis-compatible store of multi-node LiveKit (replaces the Bitnami chart):
 * policy-clean with no exemption but its written LiveKit ones, strict schema, password only from the
 * Secret, and reachable only from LiveKit (the repo's NetworkPolicy evaluator).
 */
import { Chart, Testing } from 'cdk8s';
import { checkPolicy, formatPolicyReport } from '../../constructs/policy';
import { validateObjects } from '../../constructs/validation';
import { LiveKitValkey, LiveKitValkeyProps, VALKEY_HA_EXEMPTION_REASON, VALKEY_NODE_INGRESS_EXEMPTION_REASON, VALKEY_PORT } from '../../constructs/livekit-valkey';
import { VALKEY_IMAGE } from '../../envs/third-party-images';
import { addressFlowAllowed, byKind, flowAllowed, K8sObject, named, PodView, workloadPods } from './platform-invariants.support';

const BASE: LiveKitValkeyProps = {
  namespace: 'livekit-valkey', livekitNamespace: 'livekit', passwordSecretName: 'livekit-valkey-auth',
  instance: 'livekit-prod', version: '0.1.0', highAvailabilityEnv: true,
};

function synth(props: Partial<LiveKitValkeyProps> = {}): K8sObject[] {
  const chart = new Chart(Testing.app(), 'valkey', { disableResourceNameHashes: true });
  new LiveKitValkey(chart, 'valkey', { ...BASE, ...props });
  return Testing.synth(chart);
}

const pod = (namespace: string, labels: Record<string, string>): PodView => ({
  workload: `pod/${namespace}`, namespace, namespaceLabels: { 'kubernetes.io/metadata.name': namespace }, labels, ports: [{ port: VALKEY_PORT, protocol: 'TCP' }],
});

describe('LiveKitValkey', () => {
  it.each(['dev', 'stage', 'prod'] as const)('passes the manifest policy in %s; the only exemption is the written one-replica HA-001 on LiveKit\'s store', (env) => {
    const objects = synth({ highAvailabilityEnv: env !== 'dev' });
    const report = checkPolicy(objects, { env });
    expect(formatPolicyReport(report)).not.toMatch(/FAIL/);
    expect(report.findings).toEqual([]);
    expect(report.exempted.map((e) => `${e.ruleId} ${e.reason}`)).toEqual(env === 'dev' ? [] : [`RSPP-HA-001 ${VALKEY_HA_EXEMPTION_REASON}`]);
  });

  it('is valid against the strict Kubernetes schemas', () => {
    expect(validateObjects(synth()).filter((i) => i.severity !== 'note')).toEqual([]);
  });

  it('runs the digest-pinned official image with the password only from the Secret (config file + secretKeyRef)', () => {
    const objects = synth();
    const spec = named(objects, 'Deployment', 'livekit-valkey').spec.template.spec;
    const c = spec.containers[0];
    expect(c.image).toBe(VALKEY_IMAGE.reference);
    expect(c.image).toMatch(/^docker\.io\/valkey\/valkey:[0-9.]+@sha256:[0-9a-f]{64}$/);
    expect(c.args[0]).toBe('/etc/valkey/auth/valkey.conf');
    expect(c.args.join(' ')).not.toMatch(/requirepass/);
    expect(c.env).toEqual([{ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'livekit-valkey-auth', key: 'password' } } }]);
    expect(spec.volumes.find((v: K8sObject) => v.name === 'auth').secret.secretName).toBe('livekit-valkey-auth');
    expect(byKind(objects, 'ConfigMap')).toEqual([]);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 999, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(named(objects, 'Namespace', 'livekit-valkey').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('is reachable on 6379 only from LiveKit\'s namespace, and reaches nothing', () => {
    const objects = synth();
    const policies = byKind(objects, 'NetworkPolicy');
    const [valkey] = workloadPods(objects);
    expect(flowAllowed(policies, pod('livekit', { 'app.kubernetes.io/name': 'livekit-server' }), valkey, VALKEY_PORT)).toBe(true);
    expect(flowAllowed(policies, pod('livekit', { 'app.kubernetes.io/name': 'livekit-server' }), valkey, 6380)).toBe(false);
    expect(flowAllowed(policies, pod('rspp', { 'app.kubernetes.io/name': 'rspp-runtime' }), valkey, VALKEY_PORT)).toBe(false);
    expect(flowAllowed(policies, pod('default', { app: 'x' }), valkey, VALKEY_PORT)).toBe(false);
    for (const ip of ['10.96.0.10', '169.254.20.10', '8.8.8.8']) {
      expect(addressFlowAllowed(policies, valkey, { ip }, 53, 'UDP')).toBe(false);
    }
  });

  it('admits LiveKit\'s node CIDRs on 6379 only when livekit.nodeCidrs is given, with the written NET-002 exemption', () => {
    const objects = synth({ livekitNodeCidrs: ['10.20.0.0/16'] });
    const report = checkPolicy(objects, { env: 'prod' });
    expect(report.findings).toEqual([]);
    expect(report.exempted.map((e) => e.reason)).toContain(VALKEY_NODE_INGRESS_EXEMPTION_REASON);
    const policy = named(objects, 'NetworkPolicy', 'allow-ingress-livekit-nodes-to-valkey');
    expect(policy.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: VALKEY_PORT, protocol: 'TCP' }] }]);
    expect(byKind(synth(), 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('allow-ingress-livekit-nodes-to-valkey');
  });

  it('refuses LiveKit\'s own namespace, a catch-all node CIDR and a tag-only image, naming the prop', () => {
    expect(() => synth({ namespace: 'livekit' })).toThrow(/props.namespace "livekit" is LiveKit's namespace/);
    expect(() => synth({ livekitNodeCidrs: ['0.0.0.0/0'] })).toThrow(/props.livekitNodeCidrs\[0\]: .*every address/);
    expect(() => synth({ image: 'valkey/valkey:8.1.3' })).toThrow(/props.image "valkey\/valkey:8.1.3" is referenced by tag/);
  });
});
