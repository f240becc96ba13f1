/**
 * The process entrypoint: configuration from env + RSPP_CONFIG_FILE, SIGTERM → drain → exit 0.
 * Runs `runtime/server/main.ts` as a real child process (through tsx), bound to 127.0.0.1 on
 * random ports, stopped by the test.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
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

  /** Runs main.ts with `env` until it exits; returns its exit code and stderr. */
  async function runUntilExit(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(repo, 'runtime/server/main.ts')], {
      cwd: repo,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(kill);
    return { code, stderr };
  }

  test('an unsupported RSPP_PROFILE exits 1 at start instead of serving and deferring every turn', async () => {
    const { code, stderr } = await runUntilExit({ RSPP_PROFILE: 'complex/v9', RSPP_SESSION_PORT: '0', RSPP_ADMIN_PORT: '0' });
    expect(code).toBe(1);
    expect(stderr).toContain('RSPP_PROFILE: \\"complex/v9\\" is not a profile this runtime serves; use one of \\"simple/v1\\"');
    expect(stderr).not.toContain('runtime server started');
  }, 30_000);

  test('a session port in use exits 1 naming RSPP_SESSION_PORT', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    const configFile = path.join(dir, 'busy.yaml');
    fs.writeFileSync(configFile, 'host: 127.0.0.1\n');
    try {
      const { code, stderr } = await runUntilExit({ RSPP_CONFIG_FILE: configFile, RSPP_SESSION_PORT: String(port), RSPP_ADMIN_PORT: '0' });
      expect(code).toBe(1);
      expect(stderr).toContain(
        `session server: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}; the port is in use: stop what holds it or set RSPP_SESSION_PORT to a free port (0 picks one)`,
      );
    } finally {
      holder.close();
    }
  }, 30_000);

  test('npm start delivers SIGTERM to the server: SIGTERM to the npm process drains and stops it', async () => {
    const configFile = path.join(dir, 'npm-start.yaml');
    fs.writeFileSync(configFile, 'host: 127.0.0.1\n');
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: repo,
      env: { ...process.env, RSPP_CONFIG_FILE: configFile, RSPP_SESSION_PORT: '0', RSPP_ADMIN_PORT: '0', RSPP_DRAIN_SECONDS: '2' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true, // its own process group, so cleanup also reaches a server that outlived npm
    });
    const killGroup = (): void => {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        // the group is gone
      }
    };
    const kill = setTimeout(killGroup, 40_000);
    let stderr = '';
    try {
      const started = await new Promise<{ admin_port: number }>((resolve, reject) => {
        npm.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const line = stderr.split('\n').find((l) => l.includes('"runtime server started"'));
          if (line) resolve(JSON.parse(line));
        });
        npm.once('exit', (code) => reject(new Error(`npm start exited early (${code}): ${stderr}`)));
      });
      expect((await fetch(`http://127.0.0.1:${started.admin_port}/readyz`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
      npm.kill('SIGTERM');
      await exited;
      expect(stderr).toContain('"SIGTERM received: draining"');
      // The server itself is gone: its admin port refuses connections.
      const deadline = Date.now() + 10_000;
      let refused = false;
      while (!refused && Date.now() < deadline) {
        refused = await fetch(`http://127.0.0.1:${started.admin_port}/healthz`).then(
          () => false,
          () => true,
        );
        if (!refused) await new Promise((r) => setTimeout(r, 200));
      }
      expect(refused).toBe(true);
    } finally {
      clearTimeout(kill);
      killGroup();
      npm.stderr!.destroy();
    }
  }, 45_000);
});
