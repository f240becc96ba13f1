/** Worker count from RSPP_WORKERS / the cgroup CPU limit, and the merge of worker expositions. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { METRICS } from '../../../../runtime/contracts/runtime-interface';
import { resolveWorkerCount, workersFromCgroup } from '../../../../runtime/server/cluster/worker-pool';
import { loadServerConfig, ServerConfigError } from '../../../../runtime/server/config/server-config';
import { mergeExpositions } from '../../../../runtime/server/metrics/merge-exposition';
import { RuntimeMetrics } from '../../../../runtime/server/metrics/runtime-metrics';

describe('worker count', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'cgroup-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };

  test.each([
    ['200000 100000\n', 8, 2],
    ['150000 100000\n', 8, 2], // 1.5 CPUs: the second worker uses the half core the first cannot
    ['100000 100000\n', 8, 1],
    ['50000 100000\n', 8, 1],
    ['400000 100000\n', 2, 2], // never more than the cores this process may run on
    ['max 100000\n', 8, 1], // no limit: one worker, not one per node core
  ])('cgroup v2 cpu.max %j with %i cores → %i workers', (cpuMax, cores, expected) => {
    write('cpu.max', cpuMax);
    expect(workersFromCgroup(root, cores)).toBe(expected);
  });

  test('cgroup v1 quota/period, and no cgroup files at all', () => {
    write('cpu/cpu.cfs_quota_us', '300000\n');
    write('cpu/cpu.cfs_period_us', '100000\n');
    expect(workersFromCgroup(root, 8)).toBe(3);
    expect(workersFromCgroup(path.join(root, 'missing'), 8)).toBe(1);
    write('cpu/cpu.cfs_quota_us', '-1\n');
    expect(workersFromCgroup(root, 8)).toBe(1);
  });

  test('RSPP_WORKERS wins over the cgroup; bad values are named', () => {
    expect(resolveWorkerCount(loadServerConfig({ RSPP_WORKERS: '3' }).workers, () => 7)).toBe(3);
    expect(resolveWorkerCount(loadServerConfig({}).workers, () => 7)).toBe(7);
    expect(() => loadServerConfig({ RSPP_WORKERS: '0' })).toThrow(ServerConfigError);
    expect(() => loadServerConfig({ RSPP_WORKERS: 'all' })).toThrow(/RSPP_WORKERS: must be an integer in 1\.\.64, got "all"/);
  });
});

describe('mergeExpositions', () => {
  test('sums counters, gauges and histograms per series; lease epoch and draining take the max; one header per family', () => {
    const a = new RuntimeMetrics();
    const b = new RuntimeMetrics();
    a.sessionsActive.set(3);
    b.sessionsActive.set(4);
    a.acceptedTurnsTotal.inc(10);
    b.acceptedTurnsTotal.inc(5);
    a.leaseHeld.set(1);
    b.leaseHeld.set(1);
    a.leaseEpoch.set(7);
    b.leaseEpoch.set(9);
    a.terminal('abort', 'cancelled');
    b.terminal('commit', 'none');
    b.terminal('abort', 'cancelled');
    a.turnOpenDecisionSeconds.observe(0.002);
    b.turnOpenDecisionSeconds.observe(0.2);
    const merged = mergeExpositions([a.render(), b.render()], new Set([METRICS.leaseEpoch, METRICS.draining]));
    const value = (series: string) => Number(merged.split('\n').find((l) => l.startsWith(`${series} `))!.split(' ')[1]);
    expect(value(METRICS.sessionsActive)).toBe(7);
    expect(value(METRICS.acceptedTurnsTotal)).toBe(15);
    expect(value(METRICS.leaseHeld)).toBe(2);
    expect(value(METRICS.leaseEpoch)).toBe(9);
    expect(value(`${METRICS.turnTerminalsTotal}{terminal="abort",reason="cancelled"}`)).toBe(2);
    expect(value(`${METRICS.turnTerminalsTotal}{terminal="commit",reason="none"}`)).toBe(1); // a series only one worker has
    expect(value(`${METRICS.turnOpenDecisionSeconds}_count`)).toBe(2);
    expect(value(`${METRICS.turnOpenDecisionSeconds}_bucket{le="0.0025"}`)).toBe(1);
    expect(value(`${METRICS.turnOpenDecisionSeconds}_bucket{le="+Inf"}`)).toBe(2);
    expect(value(`${METRICS.turnOpenDecisionSeconds}_sum`)).toBeCloseTo(0.202, 9);
    expect(merged.match(/^# HELP /gm)!.length).toBe(a.render().match(/^# HELP /gm)!.length);
    // Every family and series of one worker is still there, in order.
    const names = (text: string) => text.split('\n').filter((l) => l.startsWith('# TYPE')).map((l) => l.split(' ')[2]);
    expect(names(merged)).toEqual(names(a.render()));
  });
});
