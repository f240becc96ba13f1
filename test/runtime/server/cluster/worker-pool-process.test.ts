/**
 * One pod, all its cores: `runtime/server/main.ts` with `RSPP_WORKERS=2` as a real process tree
 * (primary + 2 cluster workers, through tsx) on 127.0.0.1 random ports: sessions spread over both
 * workers on the one session port, each worker holds its own lease, the primary's one `/metrics`
 * sums the workers, and SIGTERM drains every worker within the one drain time, then exits 0.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { METRICS } from '../../../../runtime/contracts/runtime-interface';
import { SessionClient } from '../../../../runtime/server/client/session-client';
import { CLOSE_CODES } from '../../../../runtime/server/session/wire-protocol';

const repo = path.resolve(__dirname, '../../../..');

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('runtime server: N worker processes per pod (node:cluster)', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-workers-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('2 workers share the session port, each with its own lease; one aggregated /metrics; SIGTERM drains both within the drain time', async () => {
    const configFile = path.join(dir, 'server.yaml');
    fs.writeFileSync(configFile, 'host: 127.0.0.1\nsessionPort: 0\nadminPort: 0\n');
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(repo, 'runtime/server/main.ts')], {
      cwd: repo,
      env: { ...process.env, RSPP_CONFIG_FILE: configFile, RSPP_DRAIN_SECONDS: '2', RSPP_POD_NAME: 'pool-test', RSPP_WORKERS: '2' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 50_000);
    const clients: SessionClient[] = [];
    try {
      let stderr = '';
      const started = new Promise<{ session_port: number; admin_port: number; pids: number[] }>((resolve, reject) => {
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const line = stderr.split('\n').find((l) => l.includes('"runtime workers started"'));
          if (line) resolve(JSON.parse(line));
        });
        child.once('exit', (code) => reject(new Error(`pod exited early (${code}): ${stderr}`)));
      });
      const { session_port, admin_port, pids } = await started;
      expect(pids).toHaveLength(2);
      expect(new Set([...pids, child.pid]).size).toBe(3);
      // Two servers started, each with its own lease key (<pod>-w<i>).
      const serverLines = stderr.split('\n').filter((l) => l.includes('"runtime server started"'));
      expect(serverLines).toHaveLength(2);
      const leaseKeys = stderr
        .split('\n')
        .filter((l) => l.includes('"authority lease acquired"'))
        .map((l) => JSON.parse(l).key as string)
        .sort();
      expect(leaseKeys).toEqual(['runtime-placements/local/pool-test-w0', 'runtime-placements/local/pool-test-w1']);

      for (let i = 0; i < 6; i++) clients.push(await SessionClient.connect(SessionClient.url('127.0.0.1', session_port, `pool-${i}`)));
      clients[0].send(clients[0].envelopes.proposeTurn('t1'));
      await clients[0].waitForSignal('turn_open', 't1');
      expect((await fetch(`http://127.0.0.1:${admin_port}/readyz`)).status).toBe(200);

      const metrics = await (await fetch(`http://127.0.0.1:${admin_port}/metrics`)).text();
      expect(sample(metrics, METRICS.sessionsActive)).toBe(6);
      expect(sample(metrics, METRICS.sessionsTotal)).toBe(6);
      expect(sample(metrics, METRICS.leaseHeld)).toBe(2);
      expect(sample(metrics, METRICS.acceptedTurnsTotal)).toBe(1);
      expect(sample(metrics, 'rspp_runtime_workers')).toBe(2);
      const perWorker = [sample(metrics, 'rspp_worker_sessions_active{worker="0"}'), sample(metrics, 'rspp_worker_sessions_active{worker="1"}')];
      expect(perWorker[0]! + perWorker[1]!).toBe(6);
      expect(Math.min(perWorker[0]!, perWorker[1]!)).toBeGreaterThanOrEqual(1); // spread over both workers
      // One HELP/TYPE per family, however many workers.
      expect(metrics.match(new RegExp(`^# TYPE ${METRICS.sessionsActive} `, 'gm'))).toHaveLength(1);

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const sigtermAt = performance.now();
      child.kill('SIGTERM');
      const closes = await Promise.all(clients.map((c) => c.closed));
      // Idle sessions close at once; the turn in flight runs to the 2 s deadline (T8 abort), then closes.
      expect(closes.map((c) => c.code)).toEqual(Array(6).fill(CLOSE_CODES.goingAway));
      expect(closes[0].reason).toMatch(/^drain_deadline:/);
      expect(clients[0].outputs().some((o) => o.kind === 'signal' && (o.signal as { signal: string }).signal === 'abort')).toBe(true);
      expect(await exited).toBe(0);
      const drainMs = performance.now() - sigtermAt;
      expect(drainMs).toBeGreaterThanOrEqual(1900);
      expect(drainMs).toBeLessThan(2000 + 4000);
      expect(stderr).toContain('"all workers drained"');
      expect(stderr.split('\n').filter((l) => l.includes('"drain finished"'))).toHaveLength(2);
      // No worker outlives the pod.
      for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      clearTimeout(kill);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
