import { find, goldenApp } from '../fixtures/golden-app';
import { RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-HA-002 PodDisruptionBudget', () => {
  it('fires in stage/prod when no PDB selects a replicated workload', () => {
    const app = goldenApp();
    find(app, 'PodDisruptionBudget', 'rspp-runtime').spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'someone-else' } };
    expect(findingsOf(app, 'RSPP-HA-002', 'stage')).toEqual([
      line('RSPP-HA-002', RUNTIME, 'spec.template.metadata.labels', 'no PodDisruptionBudget selects these pods'),
    ]);
  });
  it('stays quiet in dev and when a PDB selects the pods by matchExpressions', () => {
    const app = goldenApp().filter((o) => o.kind !== 'PodDisruptionBudget');
    expect(findingsOf(app, 'RSPP-HA-002', 'dev')).toEqual([]);
    const good = goldenApp();
    find(good, 'PodDisruptionBudget', 'rspp-runtime').spec.selector = {
      matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['rspp-runtime'] }],
    };
    expect(findingsOf(good, 'RSPP-HA-002')).toEqual([]);
  });
});
