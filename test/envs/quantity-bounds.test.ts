/**
 * Quantities get sane bounds per field, with the fix: a unit slip ('500M' CPU, '512m' memory) is a
 * config error naming the env, the field and the likely intended value.
 */
import { environmentProblems, prod, validateEnvironment, EnvironmentConfig } from '../../envs';
import { resourceSpecProblems } from '../../envs/resource-spec';

function variant(mutate: (cfg: any) => void): EnvironmentConfig {
  const copy = JSON.parse(JSON.stringify(prod));
  mutate(copy);
  return copy;
}

describe('quantity bounds in the env schema', () => {
  test.each([
    ['runtime.resources.cpuRequest', (c: any) => (c.runtime.resources.cpuRequest = '500M'), 'prod: runtime.resources.cpuRequest: "500M" is outside 10m..64 for a container CPU (cores); "M" is mega (×1,000,000); for 500 millicores write "500m"'],
    ['controlPlane.resources.cpuLimit', (c: any) => (c.controlPlane.resources.cpuLimit = '2k'), 'prod: controlPlane.resources.cpuLimit: "2k" is outside 10m..64 for a container CPU (cores); "k" is kilo (×1,000); for 2 millicores write "2m"'],
    ['runtime.resources.memoryRequest', (c: any) => (c.runtime.resources.memoryRequest = '512m'), 'prod: runtime.resources.memoryRequest: "512m" is outside 32Mi..256Gi for a container memory (bytes); "m" is milli (×1/1,000); for 512 mebibytes write "512Mi"'],
    ['leaseStore.resources.memoryLimit', (c: any) => (c.leaseStore.resources.memoryLimit = '1024'), 'prod: leaseStore.resources.memoryLimit: "1024" is outside 32Mi..256Gi for a container memory (bytes); a bare number is bytes; for 1024 mebibytes write "1024Mi"'],
    ['leaseStore.storageSize', (c: any) => (c.leaseStore.storageSize = '10Mi'), 'prod: leaseStore.storageSize: "10Mi" is outside 1Gi..1Ti for an etcd data volume (bytes); use e.g. "10Gi"'],
    ['runtime.resources.cpuRequest (too small)', (c: any) => (c.runtime.resources.cpuRequest = '1m'), 'prod: runtime.resources.cpuRequest: "1m" is outside 10m..64 for a container CPU (cores); use e.g. "250m"'],
  ])('%s', (_field, mutate, message) => {
    const cfg = variant(mutate);
    expect(environmentProblems(cfg, 'prod')).toEqual([message]);
    expect(() => validateEnvironment(cfg, 'prod')).toThrow(message);
  });

  test('the shipped envs are within bounds', () => {
    expect(environmentProblems(prod, 'prod')).toEqual([]);
  });

  test('construct props get the same bounds (resourceSpecProblems)', () => {
    expect(resourceSpecProblems({ cpuRequest: '500M', memoryRequest: '256Mi', memoryLimit: '512Mi' }, 'props.resources')).toEqual([
      'props.resources.cpuRequest: "500M" is outside 10m..64 for a container CPU (cores); "M" is mega (×1,000,000); for 500 millicores write "500m"',
    ]);
  });
});
