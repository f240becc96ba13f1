/** RsppRuntime: worker processes per pod (RSPP_WORKERS), the CPU request/limit and HPA that go with them. */
import { Chart, Testing } from 'cdk8s';
import { RUNTIME_ENV } from '../../runtime/contracts/runtime-interface';
import { RsppRuntime } from '../../constructs/rspp-runtime';
import { checkPolicy } from '../../constructs/policy';
import { container, envOf, K8sObject, only, synthChart } from './rspp-runtime-helpers';

function runtimeIn(props: ConstructorParameters<typeof RsppRuntime>[2] = {}): { runtime: RsppRuntime; objects: K8sObject[] } {
  const chart = Testing.chart();
  const scoped = new Chart(chart, 'c', { namespace: 'rspp' });
  const runtime = new RsppRuntime(scoped, 'runtime', props);
  return { runtime, objects: synthChart(scoped) };
}

const RESOURCES = { cpuRequest: '500m', memoryRequest: '512Mi', memoryLimit: '1Gi' };

describe('RsppRuntime workers', () => {
  test('default: one worker, no RSPP_WORKERS (the process finds no cgroup CPU limit), resources unchanged', () => {
    const { runtime, objects } = runtimeIn();
    expect(runtime.workers).toBe(1);
    expect(envOf(objects)[RUNTIME_ENV.workers]).toBeUndefined();
    expect(container(objects).resources.limits.cpu).toBeUndefined();
  });

  test('workers: 3 without a CPU limit → request = limit = 3 cores, RSPP_WORKERS=3, HPA on CPU utilisation of that request', () => {
    const { runtime, objects } = runtimeIn({ workers: 3, resources: RESOURCES, targetCpuUtilization: 60 });
    expect(runtime.workers).toBe(3);
    expect(container(objects).resources).toEqual({ requests: { cpu: '3', memory: '512Mi' }, limits: { cpu: '3', memory: '1Gi' } });
    expect(envOf(objects)[RUNTIME_ENV.workers]).toEqual({ name: RUNTIME_ENV.workers, value: '3' });
    const hpa = only(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
    const findings = checkPolicy(objects, { env: 'dev' }).findings.filter((f) => !/^RSPP-(NS|NET-001)/.test(f.ruleId));
    expect(findings.map((f) => f.text)).toEqual([]);
  });

  test('a CPU limit alone sets the workers from the limit the pod really gets (downward API, rounded up to whole cores)', () => {
    const { runtime, objects } = runtimeIn({ resources: { ...RESOURCES, cpuRequest: '1500m', cpuLimit: '1500m' } });
    expect(runtime.workers).toBe(2);
    expect(envOf(objects)[RUNTIME_ENV.workers]).toEqual({
      name: RUNTIME_ENV.workers,
      valueFrom: { resourceFieldRef: { containerName: 'runtime', resource: 'limits.cpu', divisor: '1' } },
    });
  });

  test('more workers than the CPU limit has cores is refused, naming both and the fix; 0 workers too', () => {
    expect(() => runtimeIn({ workers: 4, resources: { ...RESOURCES, cpuLimit: '2' } })).toThrow(
      /props\.workers \(4\) exceeds the CPU limit \(resources\.cpuLimit 2\).*set cpuLimit to at least "4" or lower workers to 2/,
    );
    expect(() => runtimeIn({ workers: 0 })).toThrow(/workers/);
  });

  test('the image entry stays the same: one command, the workers are forked by it', () => {
    const a = container(runtimeIn().objects);
    const b = container(runtimeIn({ workers: 2 }).objects);
    expect(b.command).toEqual(a.command);
    expect(b.args).toEqual(a.args);
  });
});
