import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-010 resources', () => {
  it('fires on each missing request and the missing memory limit', () => {
    const app = goldenApp();
    runtimePod(app).container.resources = { limits: { cpu: '1' } };
    expect(findingsOf(app, 'RSPP-POD-010')).toEqual([
      line('RSPP-POD-010', RUNTIME, `${C0}.resources.requests.cpu`, 'container "runtime" has no cpu request'),
      line('RSPP-POD-010', RUNTIME, `${C0}.resources.requests.memory`, 'container "runtime" has no memory request'),
      line('RSPP-POD-010', RUNTIME, `${C0}.resources.limits.memory`, 'container "runtime" has no memory limit'),
    ]);
  });
  it('stays quiet without a CPU limit (not required)', () => {
    expect(findingsOf(goldenApp(), 'RSPP-POD-010')).toEqual([]);
  });
});
