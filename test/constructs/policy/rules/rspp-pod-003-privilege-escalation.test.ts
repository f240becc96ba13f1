import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-003 allowPrivilegeEscalation', () => {
  it('fires when unset (the default is true) and when true', () => {
    const app = goldenApp();
    const { pod, container } = runtimePod(app);
    delete container.securityContext.allowPrivilegeEscalation;
    pod.initContainers = [{ ...container, name: 'init', securityContext: { ...container.securityContext, allowPrivilegeEscalation: true } }];
    expect(findingsOf(app, 'RSPP-POD-003')).toEqual([
      line('RSPP-POD-003', RUNTIME, 'spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation', 'container "init" allowPrivilegeEscalation is true'),
      line('RSPP-POD-003', RUNTIME, `${C0}.securityContext.allowPrivilegeEscalation`, 'container "runtime" allowPrivilegeEscalation is not set (defaults to true)'),
    ]);
  });
  it('stays quiet on the golden app', () => {
    expect(findingsOf(goldenApp(), 'RSPP-POD-003')).toEqual([]);
  });
});
