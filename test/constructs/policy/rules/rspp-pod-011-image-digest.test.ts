import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-011 image digests', () => {
  it('fires on a tag alone', () => {
    const app = goldenApp();
    runtimePod(app).container.image = 'registry.example.com/rspp/runtime:1.2.3';
    expect(findingsOf(app, 'RSPP-POD-011')).toEqual([
      line('RSPP-POD-011', RUNTIME, `${C0}.image`, 'container "runtime" image "registry.example.com/rspp/runtime:1.2.3" is not pinned by digest'),
    ]);
  });
  it('fires on a truncated digest', () => {
    const app = goldenApp();
    runtimePod(app).container.image = 'registry.example.com/rspp/runtime@sha256:abc';
    expect(findingsOf(app, 'RSPP-POD-011')).toHaveLength(1);
  });
  it('stays quiet on tag@digest and digest', () => {
    const app = goldenApp();
    expect(findingsOf(app, 'RSPP-POD-011')).toEqual([]);
    runtimePod(app).container.image = `registry.example.com/rspp/runtime:1.2.3@sha256:${'b'.repeat(64)}`;
    expect(findingsOf(app, 'RSPP-POD-011')).toEqual([]);
  });
});
