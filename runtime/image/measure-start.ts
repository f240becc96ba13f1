/**
 * Start-to-ready of the staged image: runs an entry point from the staged root filesystem (in a
 * `chroot` as uid 65532 when this process may chroot, so only the image's own files, libraries
 * included, are visible; otherwise the staged node binary directly) and times from spawn until
 * its admin `/readyz` answers 200. Uses the in-memory lease store.
 */
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE_USER_ID, NODE_PATH_IN_IMAGE } from './base-layer';

export interface StartMeasurement {
  readonly mode: 'chroot' | 'direct';
  readonly readyMs: number[];
  readonly medianMs: number;
}

export async function measureStartToReady(rootfsDir: string, command: readonly string[], runs = 5, timeoutMs = 10_000): Promise<StartMeasurement> {
  const chrootBinary = ['/usr/sbin/chroot', '/usr/bin/chroot', '/sbin/chroot'].find((p) => existsSync(p));
  const chrootable = process.getuid?.() === 0 && chrootBinary !== undefined && spawnSync(chrootBinary, ['--version'], { stdio: 'ignore' }).status === 0;
  const readyMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const apiPort = await freePort();
    const adminPort = await freePort();
    const args = [...command, '--host', '127.0.0.1', '--api-port', String(apiPort), '--admin-port', String(adminPort)];
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin', NODE_ENV: 'production', HOME: '/tmp', RSPP_LEASE_STORE: 'memory' };
    const start = performance.now();
    const child = chrootable
      ? spawn(chrootBinary!, [`--userspec=${IMAGE_USER_ID}:${IMAGE_USER_ID}`, rootfsDir, NODE_PATH_IN_IMAGE, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(join(rootfsDir, NODE_PATH_IN_IMAGE), args.map((a) => (a.startsWith('/app/') ? join(rootfsDir, a) : a)), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.on('error', (error) => (stderr += `spawn failed: ${error.message}`));
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    try {
      for (;;) {
        if (child.exitCode !== null || stderr.startsWith('spawn failed')) throw new Error(`image entry point exited with ${child.exitCode}: ${stderr.trim()}`);
        if (performance.now() - start > timeoutMs) throw new Error(`image entry point not ready within ${timeoutMs} ms: ${stderr.trim()}`);
        if ((await status(adminPort, '/readyz')) === 200) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      readyMs.push(Math.round(performance.now() - start));
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
    }
  }
  const sorted = [...readyMs].sort((a, b) => a - b);
  return { mode: chrootable ? 'chroot' : 'direct', readyMs, medianMs: sorted[Math.floor(sorted.length / 2)] };
}

function status(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 200 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
