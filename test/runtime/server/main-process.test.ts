/**
 * The process entrypoint: configuration from env + RSPP_CONFIG_FILE, SIGTERM → drain → exit 0.
 * Runs `runtime/server/main.ts` as a real child process (through tsx), bound to 127.0.0.1 on
 * random ports, stopped by the test.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SessionClient } from '../../../runtime/server/client/session-client';
import { CLOSE_CODES } from '../../../runtime/server/session/wire-protocol';

const repo = path.resolve(__dirname, '../../..');

describe('runtime server: main process', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-server-main-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('starts from env + config file, serves a session, and exits 0 after draining on SIGTERM', async () => {
    const configFile = path.join(dir, 'server.yaml');
    fs.writeFileSync(configFile, 'host: 127.0.0.1\nsessionPort: 0\nadminPort: 0\n');
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(repo, 'runtime/server/main.ts')], {
      cwd: repo,
      env: { ...process.env, RSPP_CONFIG_FILE: configFile, RSPP_DRAIN_SECONDS: '3', RSPP_POD_NAME: 'main-test' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 40_000);
    try {
      let stderr = '';
      const started = new Promise<{ session_port: number; admin_port: number }>((resolve, reject) => {
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          for (const line of stderr.split('\n')) {
            if (line.includes('"runtime server started"')) resolve(JSON.parse(line));
          }
        });
        child.once('exit', (code) => reject(new Error(`server exited early (${code}): ${stderr}`)));
      });
      const { session_port, admin_port } = await started;
      expect(JSON.parse(stderr.split('\n').find((l) => l.includes('"runtime server started"'))!)).toMatchObject({ drain_seconds: 3, lease_store: 'memory' });

      const client = await SessionClient.connect(SessionClient.url('127.0.0.1', session_port, 'main-1'));
      client.send(client.envelopes.proposeTurn('t1'));
      await client.waitForSignal('turn_open', 't1');
      expect((await fetch(`http://127.0.0.1:${admin_port}/readyz`)).status).toBe(200);

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      // The turn in flight is aborted at the 3 s deadline, then the process exits 0.
      const closed = await client.closed;
      expect(closed.code).toBe(CLOSE_CODES.goingAway);
      expect(await exited).toBe(0);
      expect(stderr).toContain('"SIGTERM received: draining"');
      const finished = JSON.parse(stderr.split('\n').find((l) => l.includes('"drain finished"'))!);
      expect(finished).toMatchObject({ turnsInFlightAtStart: 1, turnsAborted: 1, deadlineMs: 3000 });
    } finally {
      clearTimeout(kill);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 45_000);

  test('a bad configuration exits 1 with every problem named', async () => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(repo, 'runtime/server/main.ts')], {
      cwd: repo,
      env: { ...process.env, RSPP_DRAIN_SECONDS: 'soon', RSPP_LEASE_STORE: 'etcd' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('RSPP_DRAIN_SECONDS: must be an integer in 1..3600, got \\"soon\\"');
    expect(stderr).toContain('RSPP_ETCD_ENDPOINTS: required when RSPP_LEASE_STORE=etcd');
  }, 30_000);
});
