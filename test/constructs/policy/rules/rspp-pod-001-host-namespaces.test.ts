import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { POD, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-001 host namespaces', () => {
  it('fires on hostNetwork, hostPID and hostIPC', () => {
    const app = goldenApp();
    Object.assign(runtimePod(app).pod, { hostNetwork: true, hostPID: true, hostIPC: true });
    expect(findingsOf(app, 'RSPP-POD-001')).toEqual([
      line('RSPP-POD-001', RUNTIME, `${POD}.hostNetwork`, "hostNetwork is true; the pod shares the node's namespace"),
      line('RSPP-POD-001', RUNTIME, `${POD}.hostPID`, "hostPID is true; the pod shares the node's namespace"),
      line('RSPP-POD-001', RUNTIME, `${POD}.hostIPC`, "hostIPC is true; the pod shares the node's namespace"),
    ]);
  });
  it('stays quiet when they are false or unset', () => {
    const app = goldenApp();
    runtimePod(app).pod.hostNetwork = false;
    expect(findingsOf(app, 'RSPP-POD-001')).toEqual([]);
  });
});
