/**
 * The opt-in runtime → LiveKit node-CIDR egress (`env.livekit.nodeCidrs`, `LiveKitNodeEgress`): one
 * NetworkPolicy, exempted from RSPP-NET-002 with its reason, that opens exactly the LiveKit ports to
 * exactly those CIDRs; without the field the output is unchanged and exemption-free.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { dev, LIVEKIT_NODE_CIDRS_MAX, prod, stage } from '../../envs';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { checkPolicy, formatPolicyReport } from '../../constructs/policy';
import { validateObjects } from '../../constructs/validation';
import { LIVEKIT_NODE_EGRESS_EXEMPTION_REASON, LiveKitNodeEgress } from '../../constructs/livekit-node-egress';
import { emitHelmCharts } from '../../constructs/helm/emit-helm-charts';
import {
  addressFlowAllowed, allowedPodFlows, byKind, flowAllowed, K8sObject, named, PodView, schemaProblem, synthPlatform, workloadPods,
} from './platform-invariants.support';
import { helm, parseManifests } from './helm/helm-harness';

const ENVS: ReadonlyArray<[string, EnvironmentConfig]> = [['dev', dev], ['stage', stage], ['prod', prod]];
const POLICY_NAME = 'allow-egress-runtime-to-livekit-nodes';
const NODE_CIDRS = ['10.20.0.0/16', 'fd00:20::/64'];

const withNodeCidrs = (env: EnvironmentConfig, nodeCidrs: readonly string[] = NODE_CIDRS): EnvironmentConfig => ({
  ...env,
  livekit: { ...env.livekit, nodeCidrs },
});

/** Every (source pod, destination, port) the evaluator allows, over a grid of addresses and ports. */
function allowedGrid(objects: readonly K8sObject[], env: EnvironmentConfig): Set<string> {
  const policies = byKind(objects, 'NetworkPolicy');
  const { udpPortRangeStart: first, udpPortRangeEnd: last } = env.livekit;
  const addresses = ['10.20.0.1', '10.20.255.254', '10.21.0.1', '10.19.255.255', '192.168.1.1', '8.8.8.8', 'fd00:20::5', 'fd00:21::5', '2001:db8::1'];
  const ports: Array<[number, string]> = [
    [7880, 'TCP'], [7881, 'TCP'], [7880, 'UDP'], [7881, 'UDP'], [first, 'UDP'], [Math.floor((first + last) / 2), 'UDP'], [last, 'UDP'],
    [first - 1, 'UDP'], [last + 1, 'UDP'], [first, 'TCP'], [6379, 'TCP'], [443, 'TCP'], [22, 'TCP'], [10250, 'TCP'], [2379, 'TCP'], [53, 'UDP'], [53, 'TCP'],
  ];
  const livekitPod: PodView = {
    workload: 'Deployment/livekit-server',
    namespace: env.livekit.namespace,
    namespaceLabels: { 'kubernetes.io/metadata.name': env.livekit.namespace },
    labels: { 'app.kubernetes.io/name': 'livekit-server' },
    ports: ports.map(([port, protocol]) => ({ port, protocol })),
  };
  const allowed = new Set<string>();
  for (const from of workloadPods(objects)) {
    for (const [port, protocol] of ports) {
      for (const ip of addresses) if (addressFlowAllowed(policies, from, { ip }, port, protocol)) allowed.add(`${from.workload} -> ${ip}:${port}/${protocol}`);
      if (flowAllowed(policies, from, livekitPod, port, protocol)) allowed.add(`${from.workload} -> livekit-pod:${port}/${protocol}`);
    }
  }
  return allowed;
}

describe('LiveKit node-CIDR egress (livekit.nodeCidrs, opt-in)', () => {
  describe.each(ENVS)('%s with nodeCidrs set', (_name, base) => {
    const env = withNodeCidrs(base);
    const { objects, platform } = synthPlatform(env);
    const { objects: baseline } = synthPlatform(base);
    const policy = named(objects, 'NetworkPolicy', POLICY_NAME);

    test('exactly one object is added: the runtime egress policy to the node CIDRs on the LiveKit ports', () => {
      const key = (o: K8sObject) => `${o.kind}/${o.metadata?.name}`;
      expect(objects.map(key).filter((k) => !baseline.map(key).includes(k))).toEqual([`NetworkPolicy/${POLICY_NAME}`]);
      expect(objects.filter((o) => o !== policy)).toEqual(baseline);
      expect(platform.liveKitNodeEgress?.policyName).toBe(POLICY_NAME);
      expect(policy.spec).toEqual({
        podSelector: { matchLabels: platform.runtime.podSelector },
        policyTypes: ['Egress'],
        egress: [{
          to: NODE_CIDRS.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [
            { port: 7880, protocol: 'TCP' },
            { port: 7881, protocol: 'TCP' },
            { port: env.livekit.udpPortRangeStart, endPort: env.livekit.udpPortRangeEnd, protocol: 'UDP' },
          ],
        }],
      });
      expect(schemaProblem(policy)).toBeUndefined();
    });

    test('policy evaluator: the only newly allowed flows are runtime -> those CIDRs on 7880/TCP, 7881/TCP and the UDP range', () => {
      const before = allowedGrid(baseline, env);
      const after = allowedGrid(objects, env);
      expect([...before].filter((f) => !after.has(f))).toEqual([]);
      const added = [...after].filter((f) => !before.has(f)).sort();
      const { udpPortRangeStart: first, udpPortRangeEnd: last } = env.livekit;
      const runtime = `Deployment/${platform.runtime.name}`;
      const expected = ['10.20.0.1', '10.20.255.254', 'fd00:20::5'].flatMap((ip) =>
        [`7880/TCP`, `7881/TCP`, `${first}/UDP`, `${Math.floor((first + last) / 2)}/UDP`, `${last}/UDP`].map((p) => `${runtime} -> ${ip}:${p}`));
      expect(added).toEqual(expected.sort());
      expect(allowedPodFlows(objects)).toEqual(allowedPodFlows(baseline));
    });

    test('checkPolicy passes with exactly one exemption: RSPP-NET-002 on this policy, with its reason; validateObjects passes', () => {
      const report = checkPolicy(objects, { env: env.name });
      expect(report.passed).toBe(true);
      expect(report.findings).toEqual([]);
      expect(report.exemptions.map((e) => [e.ruleId, `${e.object.kind}/${e.object.name}`, e.reason])).toEqual([
        ['RSPP-NET-002', `NetworkPolicy/${POLICY_NAME}`, LIVEKIT_NODE_EGRESS_EXEMPTION_REASON],
      ]);
      expect(LIVEKIT_NODE_EGRESS_EXEMPTION_REASON).toMatch(/hostNetwork.*WebRTC.*not selectable.*node addresses.*LiveKit ports only/);
      expect(formatPolicyReport(report)).toContain(`exempt RSPP-NET-002 NetworkPolicy/${env.namespace}/${POLICY_NAME}`);
      expect(validateObjects(objects as any).filter((i) => i.severity === 'error')).toEqual([]);
      // The exemption is what makes it pass: the rule does fire on the ipBlock peers.
      const unexempted = objects.map((o) => (o === policy ? { ...o, metadata: { ...o.metadata, annotations: {} } } : o));
      expect(checkPolicy(unexempted, { env: env.name }).findings.map((f) => f.text)).toEqual(
        NODE_CIDRS.map((_c, i) => expect.stringMatching(new RegExp(`^RSPP-NET-002 NetworkPolicy/${env.namespace}/${POLICY_NAME} spec\\.egress\\[0\\]\\.to\\[${i}\\]\\.ipBlock: `))),
      );
    });
  });

  test.each(ENVS)('%s as shipped: no nodeCidrs, no node policy, zero exemptions', (_name, env) => {
    expect(env.livekit.nodeCidrs).toBeUndefined();
    const { objects, platform } = synthPlatform(env);
    expect(platform.liveKitNodeEgress).toBeUndefined();
    // The only IP blocks are the cluster flavour's DNS resolvers: single hosts, port 53 only.
    const ipRules = byKind(objects, 'NetworkPolicy').flatMap((p) => [...(p.spec.egress ?? []), ...(p.spec.ingress ?? [])]).filter((r) => JSON.stringify(r).includes('ipBlock'));
    for (const rule of ipRules) expect(rule.ports.map((p: K8sObject) => p.port)).toEqual([53, 53]);
    expect(checkPolicy(objects, { env: env.name }).exemptions).toEqual([]);
  });

  test('the construct refuses what the schema refuses (built without the env schema)', () => {
    const build = (nodeCidrs: readonly string[]) => () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'rspp' });
      new LiveKitNodeEgress(chart, 'nodes', {
        namespace: 'rspp',
        labels: {},
        from: { flowName: 'runtime', flowPeer: { podLabels: { app: 'runtime' } } },
        nodeCidrs,
        ports: [{ port: 7880 }],
      });
    };
    expect(build(['0.0.0.0/0'])).toThrow(/LiveKitNodeEgress\(nodes\): nodeCidrs\[0\]: "0.0.0.0\/0" is every address/);
    expect(build(['10.0.0.0/8', '::/0'])).toThrow(/nodeCidrs\[1\]: "::\/0" is every address/);
    expect(build(['10.0.0.1/8'])).toThrow(/nodeCidrs\[0\]: "10.0.0.1\/8" has host bits set; write the network address "10.0.0.0\/8"/);
    expect(build([])).toThrow(/nodeCidrs has 0 entries; list 1\.\.32/);
    expect(build(Array.from({ length: LIVEKIT_NODE_CIDRS_MAX + 1 }, (_v, i) => `10.${i}.0.0/16`))).toThrow(/nodeCidrs has 33 entries/);
    expect(build(['10.0.0.0/8', '10.0.0.0/8'])).toThrow(/nodeCidrs\[1\]: "10.0.0.0\/8" repeats nodeCidrs\[0\]/);
    expect(build(['10.0.0.0/8'])).not.toThrow();
  });

  test('the Helm chart renders the node policy as synthesized (prod)', () => {
    const env = withNodeCidrs(prod);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-nodecidrs-'));
    try {
      const emitted = emitHelmCharts(env, path.join(dir, 'prod'));
      const r = helm(['template', 'rspp-prod', emitted.chartDir]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const rendered = parseManifests(r.stdout).find((o) => o.kind === 'NetworkPolicy' && o.metadata?.name === POLICY_NAME);
      const synthesized = named(synthPlatform(env).objects, 'NetworkPolicy', POLICY_NAME);
      expect(rendered?.spec).toEqual(synthesized.spec);
      expect(rendered?.metadata.annotations['policy.rspp.io/exempt.RSPP-NET-002']).toBe(LIVEKIT_NODE_EGRESS_EXEMPTION_REASON);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
