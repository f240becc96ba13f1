import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, POD, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-004 runAsNonRoot and runAsUser', () => {
  it('fires when neither pod nor container sets them', () => {
    const app = goldenApp();
    const { pod } = runtimePod(app);
    delete pod.securityContext.runAsNonRoot;
    delete pod.securityContext.runAsUser;
    expect(findingsOf(app, 'RSPP-POD-004')).toEqual([
      line('RSPP-POD-004', RUNTIME, `${C0}.securityContext.runAsNonRoot`, 'container "runtime" runAsNonRoot is not set'),
      line('RSPP-POD-004', RUNTIME, `${C0}.securityContext.runAsUser`, 'container "runtime" runAsUser is not set (the image decides the UID)'),
    ]);
  });
  it('fires when a container overrides the pod with root', () => {
    const app = goldenApp();
    Object.assign(runtimePod(app).container.securityContext, { runAsUser: 0, runAsNonRoot: false });
    expect(findingsOf(app, 'RSPP-POD-004')).toEqual([
      line('RSPP-POD-004', RUNTIME, `${C0}.securityContext.runAsNonRoot`, 'container "runtime" runAsNonRoot is false'),
      line('RSPP-POD-004', RUNTIME, `${C0}.securityContext.runAsUser`, 'container "runtime" runAsUser is 0 (root)'),
    ]);
  });
  it('fires on a pod-level root UID at the pod path', () => {
    const app = goldenApp();
    runtimePod(app).pod.securityContext.runAsUser = 0;
    expect(findingsOf(app, 'RSPP-POD-004')).toEqual([
      line('RSPP-POD-004', RUNTIME, `${POD}.securityContext.runAsUser`, 'container "runtime" runAsUser is 0 (root)'),
    ]);
  });
  it('stays quiet when the pod sets them (golden app)', () => {
    expect(findingsOf(goldenApp(), 'RSPP-POD-004')).toEqual([]);
  });
});
