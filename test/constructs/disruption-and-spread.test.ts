/**
 * Issue #13 item 7: the runtime PDB bounds how many session pods a drain may evict at once
 * (`maxUnavailable`, not an absolute `minAvailable`); etcd members spread across zones strictly
 * (`DoNotSchedule`) where the env declares at least 3 zones.
 */
import { App } from 'cdk8s';
import { buildEnvChart } from '../../constructs/env-chart';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { loadEnvironment } from '../../envs/load-environment';
import { environmentProblems } from '../../envs/schema';

const objectsOf = (env: EnvironmentConfig): any[] => {
  const app = new App();
  buildEnvChart(app, env);
  return app.charts.flatMap((c) => c.toJson());
};
const prod = (): EnvironmentConfig => loadEnvironment('prod', { builtImageFile: false });

test('the runtime PDB evicts at most one session pod at a time, at 20 replicas as at 3', () => {
  for (const maxReplicas of [3, 20]) {
    const env = { ...prod(), runtime: { ...prod().runtime, maxReplicas } };
    const pdb = objectsOf(env).find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'rspp-runtime');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.minAvailable).toBeUndefined();
  }
});

test.each([
  [undefined, 'ScheduleAnyway'],
  [['eu-west-1a', 'eu-west-1b'], 'ScheduleAnyway'],
  [['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], 'DoNotSchedule'],
])('etcd zone spread with zones %j: %s', (zones, expected) => {
  const env = { ...prod(), ...(zones ? { zones } : {}) };
  expect(environmentProblems(env, 'prod')).toEqual([]);
  const etcd = objectsOf(env).find((o) => o.kind === 'StatefulSet');
  expect(etcd.spec.template.spec.topologySpreadConstraints).toEqual([
    expect.objectContaining({ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: expected }),
  ]);
});

test('zones must be distinct label values', () => {
  expect(environmentProblems({ ...prod(), zones: ['a', 'a'] } as EnvironmentConfig, 'prod').join('\n')).toMatch(/zones/);
  expect(environmentProblems({ ...prod(), zones: ['bad zone'] } as EnvironmentConfig, 'prod').join('\n')).toMatch(/zones\[0\].*not a label value/);
});
