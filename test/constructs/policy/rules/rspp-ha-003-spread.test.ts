import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { POD, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-HA-003 anti-affinity or topology spread', () => {
  it('fires in prod when nothing spreads replicas across nodes', () => {
    const app = goldenApp();
    const { pod } = runtimePod(app);
    delete pod.affinity;
    pod.topologySpreadConstraints[0].topologyKey = 'topology.kubernetes.io/zone';
    expect(findingsOf(app, 'RSPP-HA-003')).toEqual([
      line('RSPP-HA-003', RUNTIME, `${POD}.affinity`, 'nothing spreads the replicas across nodes'),
    ]);
  });
  it("fires when the anti-affinity term selects someone else's pods", () => {
    const app = goldenApp();
    const { pod } = runtimePod(app);
    delete pod.topologySpreadConstraints;
    pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector = { matchLabels: { app: 'other' } };
    expect(findingsOf(app, 'RSPP-HA-003')).toHaveLength(1);
  });
  it('stays quiet in dev, and with only required anti-affinity', () => {
    const app = goldenApp();
    const { pod } = runtimePod(app);
    delete pod.topologySpreadConstraints;
    const term = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
    pod.affinity.podAntiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: [term] };
    expect(findingsOf(app, 'RSPP-HA-003')).toEqual([]);
    delete pod.affinity;
    expect(findingsOf(app, 'RSPP-HA-003', 'dev')).toEqual([]);
  });
});
