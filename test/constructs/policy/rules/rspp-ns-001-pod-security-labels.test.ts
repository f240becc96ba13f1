import { find, goldenApp } from '../fixtures/golden-app';
import { findingsOf, line } from '../policy-test-kit';

describe('RSPP-NS-001 Pod Security labels', () => {
  it('fires on a lowered enforce level and a missing warn label', () => {
    const app = goldenApp();
    const labels = find(app, 'Namespace', 'rspp').metadata.labels;
    labels['pod-security.kubernetes.io/enforce'] = 'baseline';
    delete labels['pod-security.kubernetes.io/warn'];
    expect(findingsOf(app, 'RSPP-NS-001')).toEqual([
      line('RSPP-NS-001', 'Namespace/-/rspp', 'metadata.labels["pod-security.kubernetes.io/enforce"]', 'label pod-security.kubernetes.io/enforce is "baseline", not "restricted"'),
      line('RSPP-NS-001', 'Namespace/-/rspp', 'metadata.labels["pod-security.kubernetes.io/warn"]', 'label pod-security.kubernetes.io/warn is missing, not "restricted"'),
    ]);
  });
  it('stays quiet on restricted enforce, audit and warn', () => {
    expect(findingsOf(goldenApp(), 'RSPP-NS-001')).toEqual([]);
  });
});
