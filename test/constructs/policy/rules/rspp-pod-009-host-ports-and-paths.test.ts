import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, POD, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-009 hostPort and hostPath', () => {
  it('fires on a hostPort and a hostPath volume', () => {
    const app = goldenApp();
    const { pod, container } = runtimePod(app);
    container.ports[0].hostPort = 8080;
    pod.volumes.push({ name: 'node-logs', hostPath: { path: '/var/log' } });
    expect(findingsOf(app, 'RSPP-POD-009')).toEqual([
      line('RSPP-POD-009', RUNTIME, `${C0}.ports[0].hostPort`, 'container "runtime" binds hostPort 8080'),
      line('RSPP-POD-009', RUNTIME, `${POD}.volumes[2].hostPath`, 'volume "node-logs" mounts a host path'),
    ]);
  });
  it('stays quiet on the golden app', () => {
    expect(findingsOf(goldenApp(), 'RSPP-POD-009')).toEqual([]);
  });
});
