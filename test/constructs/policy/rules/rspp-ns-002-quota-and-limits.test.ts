import { goldenApp } from '../fixtures/golden-app';
import { findingsOf, line } from '../policy-test-kit';

describe('RSPP-NS-002 ResourceQuota and LimitRange', () => {
  it('fires for a namespace without them', () => {
    const app = goldenApp().filter((o) => o.kind !== 'ResourceQuota' && o.kind !== 'LimitRange');
    expect(findingsOf(app, 'RSPP-NS-002')).toEqual([
      line('RSPP-NS-002', 'Namespace/-/rspp', '(object)', 'namespace "rspp" has no ResourceQuota'),
      line('RSPP-NS-002', 'Namespace/-/rspp', '(object)', 'namespace "rspp" has no LimitRange'),
    ]);
  });
  it('fires for a namespace the output uses without a Namespace object', () => {
    const app = goldenApp();
    app.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'other' }, data: {} });
    expect(findingsOf(app, 'RSPP-NS-002')).toEqual([
      line('RSPP-NS-002', 'Namespace/-/other', '(object)', 'namespace "other" has no ResourceQuota'),
      line('RSPP-NS-002', 'Namespace/-/other', '(object)', 'namespace "other" has no LimitRange'),
    ]);
  });
  it('stays quiet when both exist', () => {
    expect(findingsOf(goldenApp(), 'RSPP-NS-002')).toEqual([]);
  });
});
