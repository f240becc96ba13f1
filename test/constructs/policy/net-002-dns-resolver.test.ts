/** RSPP-NET-002 admits an IP block only as a DNS resolver: one host, port 53 only, egress, no `except`. */
import { checkPolicy } from '../../../constructs/policy';

const policy = (egress: unknown[], ingress: unknown[] = []) => [{
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
  metadata: { name: 'p', namespace: 'ns', labels: {} },
  spec: { podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Egress', 'Ingress'], egress, ingress },
}];
const net002 = (objects: unknown[]) => checkPolicy(objects, { env: 'dev' }).findings.filter((f) => f.ruleId === 'RSPP-NET-002').map((f) => f.path);
const dns = [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }];

describe('RSPP-NET-002 and DNS resolver addresses', () => {
  it('admits single-host resolvers on port 53', () => {
    expect(net002(policy([{ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }, { ipBlock: { cidr: 'fd00::a/128' } }], ports: dns }]))).toEqual([]);
  });
  it.each([
    ['a wider block on 53', [{ to: [{ ipBlock: { cidr: '169.254.0.0/16' } }], ports: dns }]],
    ['a single host on 443', [{ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ port: 443, protocol: 'TCP' }] }]],
    ['53 mixed with another port', [{ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [...dns, { port: 80, protocol: 'TCP' }] }]],
    ['an except', [{ to: [{ ipBlock: { cidr: '169.254.20.10/32', except: [] } }], ports: dns }]],
    ['a port range from 53', [{ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ port: 53, endPort: 60, protocol: 'UDP' }] }]],
  ])('refuses %s', (_what, egress) => {
    expect(net002(policy(egress))).toEqual(['spec.egress[0].to[0].ipBlock']);
  });
  it('refuses a single-host ingress source even on 53', () => {
    expect(net002(policy([], [{ from: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: dns }]))).toEqual(['spec.ingress[0].from[0].ipBlock']);
  });
});
