import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-005 seccomp', () => {
  it('fires when no profile is set', () => {
    const app = goldenApp();
    delete runtimePod(app).pod.securityContext.seccompProfile;
    expect(findingsOf(app, 'RSPP-POD-005')).toEqual([
      line('RSPP-POD-005', RUNTIME, `${C0}.securityContext.seccompProfile`, 'container "runtime" seccompProfile is not set'),
    ]);
  });
  it('fires when a container opts out with Unconfined', () => {
    const app = goldenApp();
    runtimePod(app).container.securityContext.seccompProfile = { type: 'Unconfined' };
    expect(findingsOf(app, 'RSPP-POD-005')).toEqual([
      line('RSPP-POD-005', RUNTIME, `${C0}.securityContext.seccompProfile`, 'container "runtime" seccompProfile type is "Unconfined"'),
    ]);
  });
  it('stays quiet on RuntimeDefault (pod) and Localhost (container)', () => {
    const app = goldenApp();
    expect(findingsOf(app, 'RSPP-POD-005')).toEqual([]);
    runtimePod(app).container.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'rspp.json' };
    expect(findingsOf(app, 'RSPP-POD-005')).toEqual([]);
  });
});
