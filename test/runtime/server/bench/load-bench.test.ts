import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../../..');
const BENCH = path.join(ROOT, 'runtime/server/bench/load-bench.ts');

function runBench(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--require', require.resolve('tsx/cjs'), BENCH, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run bench:load (small, real processes on 127.0.0.1)', () => {
  jest.setTimeout(90_000);
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'load-bench-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('two server processes, two clients: every data event matched to its egress, zero errors, the fields the SLO gate reads', async () => {
    const out = path.join(dir, 'load.json');
    const run = await runBench(['--sessions', '6', '--rate', '40', '--seconds', '2', '--turn-events', '5', '--servers', '2', '--clients', '2', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(report.config).toMatchObject({ sessions: 6, servers: 2, clients: 2, sessionsOpen: 6, semiSpaceMiB: 64 });
    expect(report.errors.total).toBe(0);
    expect(report.clientSide.dataSent).toBeGreaterThan(50);
    expect(report.clientSide.dataReceived).toBe(report.clientSide.dataSent);
    expect(report.clientSide.ingressToEgress.count).toBe(report.clientSide.dataSent);
    expect(report.clientSide.turnsOpened).toBeGreaterThan(6);
    expect(report.clientSide.turnsCommitted + report.clientSide.turnsCancelled).toBeGreaterThan(3);
    expect(report.clientSide.cancelFence.count).toBe(report.clientSide.turnsCancelled);
    // pipelines/tests/mvp_gates_manifest_v1.yaml reads these (stage: slo, source: load).
    expect(typeof report.clientSide.turnOpen.p95Ms).toBe('number');
    expect(typeof report.clientSide.cancelFence.p95Ms).toBe('number');
    expect(report.serverSide).toMatchObject({ processes: 2, nodeFlags: ['--max-semi-space-size=64'] });
    expect(report.serverSide.cpuMicrosPerIngressFrame).toBeGreaterThan(0);
  });

  test('--baseline echo --pin --workers 2: echo and runtime with the same client and load, the ratio, pinned cores, sessions spread over workers', async () => {
    const out = path.join(dir, 'load-echo.json');
    // Pinning needs a core for the server and one for the client.
    const canPin = os.cpus().length >= 2;
    const clientCpus = Array.from({ length: os.cpus().length - 1 }, (_x, i) => i + 1).join(',');
    const run = await runBench(['--sessions', '6', '--rate', '40', '--seconds', '2', '--turn-events', '5', '--baseline', 'echo', ...(canPin ? ['--pin'] : []), '--workers', '2', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    if (canPin) expect(run.stdout).toContain(`(server CPUs 0, client CPUs ${clientCpus})`);
    expect(run.stdout).toMatch(/runtime\/echo CPU per ingress frame [0-9.]+ \(/);
    for (const r of [report, report.baseline]) {
      expect(r.errors.total).toBe(0);
      expect(r.clientSide.dataReceived).toBe(r.clientSide.dataSent);
      expect(r.clientSide.dataSent).toBeGreaterThan(50);
      expect(r.clientSide.cancelFence.count).toBe(r.clientSide.turnsCancelled);
      expect(r.serverSide.cpuMicrosPerIngressFrame).toBeGreaterThan(0);
    }
    expect(report.server).toBe('runtime');
    expect(report.baseline.server).toBe('echo');
    expect(report.config.workers).toBe(2);
    if (canPin) expect(report.config.pin).toEqual({ serverCpus: '0', clientCpus });
    // Round-robin hands connections to the workers ready for one: both get sessions, all are counted.
    expect(report.serverSide.sessionsPerWorker).toHaveLength(2);
    expect(report.serverSide.sessionsPerWorker.reduce((a: number, b: number) => a + b, 0)).toBe(6);
    expect(Math.min(...report.serverSide.sessionsPerWorker)).toBeGreaterThanOrEqual(1);
    expect(report.baseline.serverSide.sessionsPerWorker).toEqual([6]);
    expect(report.comparison.cpuPerFrameRatio).toBe(
      Math.round((report.serverSide.cpuMicrosPerIngressFrame / report.baseline.serverSide.cpuMicrosPerIngressFrame) * 100) / 100,
    );
    expect(typeof report.verdict.cpuPerFrameRatio).toBe('boolean');
  });

  test('a bad flag fails before anything starts, naming the flag', async () => {
    const run = await runBench(['--servers', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--servers must be an integer in 1\.\.8/);
    const baseline = await runBench(['--baseline', 'nginx']);
    expect(baseline.code).toBe(1);
    expect(baseline.stderr).toMatch(/--baseline must be "echo"/);
    const pin = await runBench(['--pin', '0-63']);
    expect(pin.code).toBe(1);
    expect(pin.stderr).toMatch(/--pin 0-63: CPU .* does not exist/);
  });
});
