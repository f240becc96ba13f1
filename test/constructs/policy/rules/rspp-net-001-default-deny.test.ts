import { find, goldenApp } from '../fixtures/golden-app';
import { findingsOf, line } from '../policy-test-kit';

describe('RSPP-NET-001 default deny', () => {
  it('fires when the namespace has no default-deny policy', () => {
    const app = goldenApp().filter((o) => o.metadata.name !== 'default-deny');
    expect(findingsOf(app, 'RSPP-NET-001')).toEqual([
      line('RSPP-NET-001', 'Namespace/-/rspp', '(object)', 'namespace "rspp" has no default-deny Ingress NetworkPolicy'),
      line('RSPP-NET-001', 'Namespace/-/rspp', '(object)', 'namespace "rspp" has no default-deny Egress NetworkPolicy'),
    ]);
  });
  it('does not count a policy that selects some pods or allows something', () => {
    const app = goldenApp();
    const deny = find(app, 'NetworkPolicy', 'default-deny');
    deny.spec.egress = [{ to: [{ podSelector: { matchLabels: { a: 'b' } } }], ports: [{ port: 53 }] }];
    expect(findingsOf(app, 'RSPP-NET-001')).toEqual([
      line('RSPP-NET-001', 'Namespace/-/rspp', '(object)', 'namespace "rspp" has no default-deny Egress NetworkPolicy'),
    ]);
  });
  it('stays quiet with separate ingress and egress deny policies', () => {
    const app = goldenApp();
    find(app, 'NetworkPolicy', 'default-deny').spec.policyTypes = ['Ingress'];
    app.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-egress', namespace: 'rspp' }, spec: { podSelector: {}, policyTypes: ['Egress'] } });
    expect(findingsOf(app, 'RSPP-NET-001')).toEqual([]);
  });
});
