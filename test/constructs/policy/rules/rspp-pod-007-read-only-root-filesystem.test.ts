import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-007 readOnlyRootFilesystem', () => {
  it('fires when unset', () => {
    const app = goldenApp();
    delete runtimePod(app).container.securityContext.readOnlyRootFilesystem;
    expect(findingsOf(app, 'RSPP-POD-007')).toEqual([
      line('RSPP-POD-007', RUNTIME, `${C0}.securityContext.readOnlyRootFilesystem`, 'container "runtime" readOnlyRootFilesystem is not set'),
    ]);
  });
  it('stays quiet on the golden app (writes go to the tmp emptyDir)', () => {
    expect(findingsOf(goldenApp(), 'RSPP-POD-007')).toEqual([]);
  });
});
