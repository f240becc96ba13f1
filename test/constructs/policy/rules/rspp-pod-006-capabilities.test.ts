import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-006 capabilities', () => {
  it('fires when ALL is not dropped and on added capabilities other than NET_BIND_SERVICE', () => {
    const app = goldenApp();
    runtimePod(app).container.securityContext.capabilities = { drop: ['NET_RAW'], add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] };
    expect(findingsOf(app, 'RSPP-POD-006')).toEqual([
      line('RSPP-POD-006', RUNTIME, `${C0}.securityContext.capabilities.drop`, 'container "runtime" does not drop ALL capabilities'),
      line('RSPP-POD-006', RUNTIME, `${C0}.securityContext.capabilities.add[1]`, 'container "runtime" adds capability "SYS_ADMIN"'),
    ]);
  });
  it('stays quiet on drop ALL plus NET_BIND_SERVICE', () => {
    const app = goldenApp();
    runtimePod(app).container.securityContext.capabilities = { drop: ['ALL'], add: ['NET_BIND_SERVICE'] };
    expect(findingsOf(app, 'RSPP-POD-006')).toEqual([]);
  });
});
