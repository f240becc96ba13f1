/**
 * Starts a real, single-member etcd for integration tests: 127.0.0.1 only, random free client and
 * peer ports, a temporary data dir, health-checked before use, stopped and cleaned up by `stop()`.
 * Every wait is bounded. Requires `etcd` (3.4+) on PATH (`test/tools/install-test-tools.sh`).
 *
 *   const etcd = await startEtcd();
 *   try { ... etcd.endpoint ... } finally { await etcd.stop(); }
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

export interface EtcdServer {
  /** Client URL, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  readonly clientPort: number;
  readonly pid: number;
  /** Freezes the process (SIGSTOP): a store that accepts connections but never answers. */
  pause(): void;
  /** Thaws a paused process (SIGCONT). */
  resume(): void;
  /** Kills etcd and removes its data dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartEtcdOptions {
  /** How long to wait for `/health`. @default 5000 */
  readonly readyTimeoutMs?: number;
  /**
   * Serve clients over mutual TLS with these PEM files (server cert valid for 127.0.0.1; clients
   * must present a certificate signed by `caFile`). @default plain http
   */
  readonly tls?: { readonly caFile: string; readonly certFile: string; readonly keyFile: string };
}

/** True when an `etcd` binary is on PATH (tests use it to skip with a clear message otherwise). */
export function etcdAvailable(): boolean {
  return spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;
}

export { freePort } from './ports';

export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 5000;
  const dataDir = mkdtempSync(join(tmpdir(), 'rspp-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const clientUrl = `${options.tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const child: ChildProcess = spawn(
    'etcd',
    [
      '--name', 'rspp-test',
      '--data-dir', dataDir,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `rspp-test=${peerUrl}`,
      '--initial-cluster-state', 'new',
      '--logger', 'zap',
      '--log-level', 'error',
      // Short heartbeat/election keep the minimum lease TTL at its floor and start-up fast.
      '--heartbeat-interval', '50',
      '--election-timeout', '500',
      ...(options.tls
        ? ['--cert-file', options.tls.certFile, '--key-file', options.tls.keyFile, '--trusted-ca-file', options.tls.caFile, '--client-cert-auth']
        : []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      try {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exitedPromise, new Promise<void>((resolve) => (timer = setTimeout(resolve, 3000)))]);
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`etcd exited before becoming healthy on ${clientUrl}: ${stderr.trim() || '(no stderr)'}`);
    }
    if (options.tls ? await listening(clientPort) : await healthy(clientUrl)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd on ${clientUrl} not healthy within ${readyTimeoutMs} ms: ${stderr.trim() || '(no stderr)'}`);
    }
    await delay(25);
  }

  return {
    endpoint: clientUrl,
    clientPort,
    pid: child.pid ?? -1,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    stop,
  };
}

/** With client-cert auth /health needs a client certificate; a TCP accept is enough to start trying. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function healthy(clientUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${clientUrl}/health`, { timeout: 300 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
