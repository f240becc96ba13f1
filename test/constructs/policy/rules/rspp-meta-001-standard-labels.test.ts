import { find, goldenApp } from '../fixtures/golden-app';
import { findingsOf, line } from '../policy-test-kit';

describe('RSPP-META-001 standard labels', () => {
  it('fires listing every missing label', () => {
    const app = goldenApp();
    const labels = find(app, 'Service', 'rspp-runtime').metadata.labels;
    delete labels['app.kubernetes.io/version'];
    labels['app.kubernetes.io/part-of'] = ' ';
    expect(findingsOf(app, 'RSPP-META-001')).toEqual([
      line('RSPP-META-001', 'Service/rspp/rspp-runtime', 'metadata.labels', 'missing app.kubernetes.io/version, app.kubernetes.io/part-of'),
    ]);
  });
  it('stays quiet when every object carries all six', () => {
    expect(findingsOf(goldenApp(), 'RSPP-META-001')).toEqual([]);
  });
});
