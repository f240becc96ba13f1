import { Chart, Testing } from 'cdk8s';
import { externalPeer, FLOW_DESCRIPTION_ANNOTATION, IFlowEndpoint, NetworkFlows } from '../../constructs/network-flows';
import { allPodsOfNamespace } from '../../constructs/common/network-policy';
import { byKind, flowAllowed, PodView } from './platform-invariants.support';

const NS = 'flows-test';
const a: IFlowEndpoint = { flowName: 'alpha', flowPeer: { podLabels: { app: 'alpha' } } };
const b: IFlowEndpoint = { flowName: 'beta', flowPeer: { podLabels: { app: 'beta' } } };
const prom = externalPeer('prometheus', { namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' }, podLabels: { app: 'prometheus' } });

function setup() {
  const chart = Testing.chart();
  const flows = new NetworkFlows(chart, 'flows', { namespace: NS, labels: { team: 'platform' } });
  return { chart, flows };
}

const pod = (name: string, labels: Record<string, string>, namespace = NS, ports: number[] = [8080]): PodView => ({
  workload: name,
  namespace,
  namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
  labels,
  ports: ports.map((port) => ({ port, protocol: 'TCP' })),
});

describe('NetworkFlows', () => {
  test('a flow between two workloads of the namespace yields egress on the source and ingress on the destination', () => {
    const { chart, flows } = setup();
    const flow = flows.allow(a, b, [8080], 'alpha calls beta');
    const policies = byKind(Testing.synth(chart), 'NetworkPolicy');
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['allow-egress-alpha-to-beta', 'allow-ingress-beta-from-alpha']);
    expect(flow.policyNames).toHaveLength(2);

    const egress = policies.find((p) => p.metadata.name === 'allow-egress-alpha-to-beta')!;
    expect(egress.spec).toEqual({
      podSelector: { matchLabels: { app: 'alpha' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'beta' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    });
    const ingress = policies.find((p) => p.metadata.name === 'allow-ingress-beta-from-alpha')!;
    expect(ingress.spec.podSelector).toEqual({ matchLabels: { app: 'beta' } });
    expect(ingress.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: { app: 'alpha' } } }]);
    for (const p of policies) {
      expect(p.metadata.namespace).toBe(NS);
      expect(p.metadata.labels).toEqual({ team: 'platform' });
      expect(p.metadata.annotations[FLOW_DESCRIPTION_ANNOTATION]).toBe('alpha calls beta');
    }
  });

  test('the generated policies allow exactly the declared port, in that direction, over a default-deny', () => {
    const { chart, flows } = setup();
    flows.allow(a, b, [8080, { port: 9090, protocol: 'TCP' }], 'alpha calls beta');
    const denyAll = { metadata: { name: 'deny', namespace: NS }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
    const policies = [denyAll, ...byKind(Testing.synth(chart), 'NetworkPolicy')];
    const alpha = pod('alpha', { app: 'alpha' }, NS, [8080, 9090]);
    const beta = pod('beta', { app: 'beta' }, NS, [8080, 9090, 7000]);
    expect(flowAllowed(policies, alpha, beta, 8080)).toBe(true);
    expect(flowAllowed(policies, alpha, beta, 9090)).toBe(true);
    expect(flowAllowed(policies, alpha, beta, 7000)).toBe(false);
    expect(flowAllowed(policies, beta, alpha, 8080)).toBe(false);
    expect(flowAllowed(policies, alpha, beta, 8080, 'UDP')).toBe(false);
    const stranger = pod('stranger', { app: 'stranger' });
    expect(flowAllowed(policies, stranger, beta, 8080)).toBe(false);
  });

  test('a peer in another namespace gets no policy of ours; only our side is written, naming its namespace', () => {
    const { chart, flows } = setup();
    const flow = flows.allow(prom, b, [9090], 'scrape');
    const policies = byKind(Testing.synth(chart), 'NetworkPolicy');
    expect(flow.policyNames).toEqual(['allow-ingress-beta-from-prometheus']);
    expect(policies).toHaveLength(1);
    expect(policies[0].spec.ingress[0].from).toEqual([
      { podSelector: { matchLabels: { app: 'prometheus' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
  });

  test('a self flow (members of one workload) is allowed both ways between its pods', () => {
    const { chart, flows } = setup();
    flows.allow(a, a, [2380], 'members replicate');
    const policies = byKind(Testing.synth(chart), 'NetworkPolicy');
    const m0 = pod('alpha-0', { app: 'alpha' }, NS, [2380]);
    expect(flowAllowed(policies, m0, m0, 2380)).toBe(true);
  });

  test('a whole named namespace as the destination, with a UDP port range: egress only, the namespace selected by name', () => {
    const { chart, flows } = setup();
    const media = externalPeer('media', allPodsOfNamespace('media'));
    const flow = flows.allow(a, media, [{ port: 7880 }, { port: 50000, endPort: 50010, protocol: 'UDP' }], 'alpha sends media');
    const policies = byKind(Testing.synth(chart), 'NetworkPolicy');
    expect(flow.policyNames).toEqual(['allow-egress-alpha-to-media']);
    expect(flow.ports).toEqual([{ port: 7880, protocol: 'TCP' }, { port: 50000, endPort: 50010, protocol: 'UDP' }]);
    expect(policies[0].spec.egress).toEqual([{
      to: [{ podSelector: {}, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'media' } } }],
      ports: [{ port: 7880, protocol: 'TCP' }, { port: 50000, endPort: 50010, protocol: 'UDP' }],
    }]);
    const denyAll = { metadata: { name: 'deny', namespace: NS }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
    const all = [denyAll, ...policies];
    const alpha = pod('alpha', { app: 'alpha' });
    const server = pod('server', { anything: 'x' }, 'media', [7880]);
    expect(flowAllowed(all, alpha, server, 7880)).toBe(true);
    expect(flowAllowed(all, alpha, server, 50000, 'UDP')).toBe(true);
    expect(flowAllowed(all, alpha, server, 50010, 'UDP')).toBe(true);
    expect(flowAllowed(all, alpha, server, 50011, 'UDP')).toBe(false);
    expect(flowAllowed(all, alpha, server, 50005, 'TCP')).toBe(false);
    expect(flowAllowed(all, alpha, pod('elsewhere', { anything: 'x' }, 'other', [7880]), 7880)).toBe(false);
    expect(flowAllowed(all, pod('beta', { app: 'beta' }), server, 7880)).toBe(false);
  });

  test('flows are recorded in order, with normalized ports', () => {
    const { flows } = setup();
    flows.allow(a, b, [1], 'one');
    flows.allow(b, a, [{ port: 53, protocol: 'UDP' }], 'two');
    expect(flows.flows.map((f) => [f.from.flowName, f.to.flowName, f.ports])).toEqual([
      ['alpha', 'beta', [{ port: 1, protocol: 'TCP' }]],
      ['beta', 'alpha', [{ port: 53, protocol: 'UDP' }]],
    ]);
  });

  describe('bad props', () => {
    test.each([
      ['a flow declared twice', (f: NetworkFlows) => { f.allow(a, b, [1], 'x'); f.allow(a, b, [2], 'y'); }, /already declared/],
      ['no ports', (f: NetworkFlows) => f.allow(a, b, [], 'x'), /ports must not be empty/],
      ['port out of range', (f: NetworkFlows) => f.allow(a, b, [70000], 'x'), /70000 is not in 1\.\.65535/],
      ['range ending before it starts', (f: NetworkFlows) => f.allow(a, b, [{ port: 60000, endPort: 50000, protocol: 'UDP' }], 'x'), /endPort 50000 of the range starting at 60000 must be an integer in 60000\.\.65535/],
      ['range ending past 65535', (f: NetworkFlows) => f.allow(a, b, [{ port: 60000, endPort: 70000, protocol: 'UDP' }], 'x'), /endPort 70000/],
      ['a whole namespace selected by a label other than its name', (f: NetworkFlows) => f.allow(a, { flowName: 'team', flowPeer: { podLabels: {}, namespaceLabels: { team: 'media' } } }, [1], 'x'), /podLabels must not be empty/],
      ['no reason', (f: NetworkFlows) => f.allow(a, b, [1], '  '), /description must say why/],
      ['both ends outside', (f: NetworkFlows) => f.allow(prom, prom, [1], 'x'), /at least one end must be in namespace "flows-test"/],
      ['empty pod selector', (f: NetworkFlows) => f.allow({ flowName: 'all', flowPeer: { podLabels: {} } }, b, [1], 'x'), /podLabels must not be empty/],
      ['bad flow name', (f: NetworkFlows) => f.allow({ flowName: 'Bad_Name', flowPeer: { podLabels: { x: 'y' } } }, b, [1], 'x'), /flowName "Bad_Name" is not a DNS label/],
    ])('%s is rejected', (_name, act, message) => {
      const { flows } = setup();
      expect(() => act(flows)).toThrow(message);
    });

    test('an external peer must name its namespace', () => {
      expect(() => externalPeer('x', { namespaceLabels: {}, podLabels: { a: 'b' } })).toThrow(/namespaceLabels must not be empty/);
    });

    test('the namespace must be a DNS label', () => {
      expect(() => new NetworkFlows(new Chart(Testing.app(), 'c'), 'f', { namespace: 'Not A Namespace' })).toThrow(/props.namespace "Not A Namespace" is not a DNS label/);
    });
  });
});
