import { find, goldenApp } from '../fixtures/golden-app';
import { findingsOf, line } from '../policy-test-kit';

const HPA = 'HorizontalPodAutoscaler/rspp/rspp-runtime';

describe('RSPP-HA-004 autoscaler bounds', () => {
  it('fires on min > max and on a min that leaves no pod evictable under the PDB (in every env)', () => {
    const app = goldenApp();
    const hpa = find(app, 'HorizontalPodAutoscaler', 'rspp-runtime');
    hpa.spec.minReplicas = 5;
    find(app, 'PodDisruptionBudget', 'rspp-runtime').spec.minAvailable = '100%';
    expect(findingsOf(app, 'RSPP-HA-004', 'dev')).toEqual([
      line('RSPP-HA-004', HPA, 'spec.minReplicas', 'minReplicas 5 > maxReplicas 4'),
      line('RSPP-HA-004', HPA, 'spec.minReplicas', 'minReplicas 5 < minAvailable 5 + 1 of PodDisruptionBudget/rspp/rspp-runtime: at the minimum no pod could be evicted'),
    ]);
  });
  it('fires when min equals the PDB minAvailable', () => {
    const app = goldenApp();
    find(app, 'PodDisruptionBudget', 'rspp-runtime').spec.minAvailable = 2;
    expect(findingsOf(app, 'RSPP-HA-004')).toEqual([
      line('RSPP-HA-004', HPA, 'spec.minReplicas', 'minReplicas 2 < minAvailable 2 + 1 of PodDisruptionBudget/rspp/rspp-runtime: at the minimum no pod could be evicted'),
    ]);
  });
  it('reads maxUnavailable budgets as replicas - maxUnavailable', () => {
    const app = goldenApp();
    const pdb = find(app, 'PodDisruptionBudget', 'rspp-runtime');
    delete pdb.spec.minAvailable;
    pdb.spec.maxUnavailable = 0;
    expect(findingsOf(app, 'RSPP-HA-004')).toEqual([
      line('RSPP-HA-004', HPA, 'spec.minReplicas', 'minReplicas 2 < minAvailable 2 + 1 of PodDisruptionBudget/rspp/rspp-runtime: at the minimum no pod could be evicted'),
    ]);
    pdb.spec.maxUnavailable = '50%';
    expect(findingsOf(app, 'RSPP-HA-004')).toEqual([]);
  });
  it('fires on a missing target, missing metrics and a metric without a target', () => {
    const app = goldenApp();
    const hpa = find(app, 'HorizontalPodAutoscaler', 'rspp-runtime');
    hpa.spec.scaleTargetRef.name = 'gone';
    hpa.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu' } }];
    expect(findingsOf(app, 'RSPP-HA-004')).toEqual([
      line('RSPP-HA-004', HPA, 'spec.metrics[0]', 'metric of type "Resource" has no target'),
      line('RSPP-HA-004', HPA, 'spec.scaleTargetRef', 'target Deployment/gone is not in the output'),
    ]);
    delete hpa.spec.metrics;
    expect(findingsOf(app, 'RSPP-HA-004')).toContain(line('RSPP-HA-004', HPA, 'spec.metrics', 'no metric targets'));
  });
  it('stays quiet on min 2 ≥ minAvailable 1 + 1, min ≤ max', () => {
    expect(findingsOf(goldenApp(), 'RSPP-HA-004')).toEqual([]);
  });
});
