import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-002 privileged', () => {
  it('fires on a privileged container', () => {
    const app = goldenApp();
    runtimePod(app).container.securityContext.privileged = true;
    expect(findingsOf(app, 'RSPP-POD-002')).toEqual([
      line('RSPP-POD-002', RUNTIME, `${C0}.securityContext.privileged`, 'container "runtime" is privileged'),
    ]);
  });
  it('stays quiet on the golden app', () => {
    expect(findingsOf(goldenApp(), 'RSPP-POD-002')).toEqual([]);
  });
});
