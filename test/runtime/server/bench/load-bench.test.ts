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

  test('a bad flag fails before anything starts, naming the flag', async () => {
    const run = await runBench(['--servers', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--servers must be an integer in 1\.\.8/);
  });
});
