import { find, goldenApp } from '../fixtures/golden-app';
import { findingsOf, line } from '../policy-test-kit';

const POLICY = 'NetworkPolicy/rspp/rspp-runtime-from-livekit';

describe('RSPP-NET-002 flows name their peer and port', () => {
  it('fires on a rule without peers or ports', () => {
    const app = goldenApp();
    find(app, 'NetworkPolicy', 'rspp-runtime-from-livekit').spec.ingress = [{}];
    expect(findingsOf(app, 'RSPP-NET-002')).toEqual([
      line('RSPP-NET-002', POLICY, 'spec.ingress[0].from', 'ingress rule allows any source'),
      line('RSPP-NET-002', POLICY, 'spec.ingress[0].ports', 'ingress rule allows every port'),
    ]);
  });
  it('fires on IP-block and empty-selector peers and on a port without a number', () => {
    const app = goldenApp();
    const policy = find(app, 'NetworkPolicy', 'rspp-runtime-from-livekit');
    policy.spec.policyTypes = ['Ingress', 'Egress'];
    policy.spec.egress = [
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { podSelector: {} }, { namespaceSelector: {} }], ports: [{ protocol: 'UDP' }] },
    ];
    expect(findingsOf(app, 'RSPP-NET-002')).toEqual([
      line('RSPP-NET-002', POLICY, 'spec.egress[0].to[0].ipBlock', 'destination is an IP block, not pods named by labels'),
      line('RSPP-NET-002', POLICY, 'spec.egress[0].to[1]', 'destination selects every pod in the namespace'),
      line('RSPP-NET-002', POLICY, 'spec.egress[0].to[2]', 'destination selects every pod in every namespace'),
      line('RSPP-NET-002', POLICY, 'spec.egress[0].ports[0].port', 'egress rule port has no port number'),
    ]);
  });
  it('stays quiet on labelled peers with explicit ports', () => {
    expect(findingsOf(goldenApp(), 'RSPP-NET-002')).toEqual([]);
  });
});
