import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-012 probes', () => {
  it('fires on a long-running container without probes', () => {
    const app = goldenApp();
    const { container } = runtimePod(app);
    delete container.livenessProbe;
    delete container.readinessProbe;
    expect(findingsOf(app, 'RSPP-POD-012')).toEqual([
      line('RSPP-POD-012', RUNTIME, `${C0}.livenessProbe`, 'long-running container "runtime" has no livenessProbe'),
      line('RSPP-POD-012', RUNTIME, `${C0}.readinessProbe`, 'long-running container "runtime" has no readinessProbe'),
    ]);
  });
  it('fires on identical probes', () => {
    const app = goldenApp();
    const { container } = runtimePod(app);
    container.readinessProbe = JSON.parse(JSON.stringify(container.livenessProbe));
    expect(findingsOf(app, 'RSPP-POD-012')).toEqual([
      line('RSPP-POD-012', RUNTIME, `${C0}.readinessProbe`, 'container "runtime" readinessProbe is identical to its livenessProbe'),
    ]);
  });
  it('fires on a native sidecar (init container with restartPolicy Always) without probes', () => {
    const app = goldenApp();
    const { pod, container } = runtimePod(app);
    pod.initContainers = [{ ...container, name: 'proxy', restartPolicy: 'Always', livenessProbe: undefined }];
    expect(findingsOf(app, 'RSPP-POD-012')).toEqual([
      line('RSPP-POD-012', RUNTIME, 'spec.template.spec.initContainers[0].livenessProbe', 'long-running container "proxy" has no livenessProbe'),
    ]);
  });
  it('stays quiet on Jobs, CronJobs, helm test pods and plain init containers', () => {
    const app = goldenApp();
    const { pod, container } = runtimePod(app);
    const bare = { ...container, livenessProbe: undefined, readinessProbe: undefined };
    pod.initContainers = [{ ...bare, name: 'migrate' }];
    const podSpec = { ...pod, restartPolicy: 'Never', containers: [bare] };
    app.push(
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'rspp' }, spec: { template: { spec: podSpec } } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj', namespace: 'rspp' }, spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: podSpec } } } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 't', namespace: 'rspp', annotations: { 'helm.sh/hook': 'test' } }, spec: { ...podSpec, restartPolicy: 'Always' } },
    );
    expect(findingsOf(app, 'RSPP-POD-012')).toEqual([]);
  });
});
