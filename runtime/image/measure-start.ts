/**
 * Start-to-ready of the staged image: runs an entry point from the staged root filesystem and times
 * from spawn until its admin `/readyz` answers 200 (in-memory lease store). Isolation, best first:
 *
 * - `chroot-readonly`: a private mount namespace with the rootfs bind-mounted read-only and a tmpfs
 *   on /tmp, then `chroot` as uid 65532: exactly the pod's `readOnlyRootFilesystem` + `/tmp` volume,
 *   and only the image's own files (libraries, packages) are visible;
 * - `chroot`: the same without the read-only mount (no mount namespace allowed);
 * - `direct`: the staged node binary run on the host (not root).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGE_USER_ID, NODE_PATH_IN_IMAGE } from './base-layer';

export interface StartMeasurement {
  readonly mode: 'chroot-readonly' | 'chroot' | 'direct';
  readonly readyMs: number[];
  readonly medianMs: number;
}

/** How to launch one process of the image on two free ports. */
export interface LaunchPlan {
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Files to place in the image's /tmp (name → content) before start. */
  readonly tmpFiles?: Readonly<Record<string, string>>;
}

export type Launcher = (ports: { readonly main: number; readonly admin: number }) => LaunchPlan;

/** The control plane: ports by flag. */
export const controlPlaneLauncher: Launcher = ({ main, admin }) => ({
  args: ['--host', '127.0.0.1', '--api-port', String(main), '--admin-port', String(admin)],
});

/** The runtime server: ports by its config file (RSPP_CONFIG_FILE). */
export const runtimeServerLauncher: Launcher = ({ main, admin }) => ({
  env: { RSPP_CONFIG_FILE: '/tmp/rspp-measure.json', RSPP_POD_NAME: 'start-measure' },
  tmpFiles: { 'rspp-measure.json': JSON.stringify({ host: '127.0.0.1', sessionPort: main, adminPort: admin }) },
});

export async function measureStartToReady(
  rootfsDir: string,
  command: readonly string[],
  launcher: Launcher = controlPlaneLauncher,
  runs = 5,
  timeoutMs = 10_000,
): Promise<StartMeasurement> {
  const chrootBinary = ['/usr/sbin/chroot', '/usr/bin/chroot', '/sbin/chroot'].find((p) => existsSync(p));
  const unshareBinary = ['/usr/bin/unshare', '/bin/unshare'].find((p) => existsSync(p));
  const chrootable = process.getuid?.() === 0 && chrootBinary !== undefined && spawnSync(chrootBinary, ['--version'], { stdio: 'ignore' }).status === 0;
  const readOnly =
    chrootable && unshareBinary !== undefined && spawnSync(unshareBinary, ['-m', '--propagation', 'private', 'true'], { stdio: 'ignore' }).status === 0;
  const mode: StartMeasurement['mode'] = readOnly ? 'chroot-readonly' : chrootable ? 'chroot' : 'direct';
  // Inside the namespace: rootfs read-only, tmpfs on /tmp seeded with the plan's files, chroot as 65532.
  const readOnlyScript =
    'set -e; r="$1"; c="$2"; seed="$3"; shift 3; mount --bind "$r" "$r"; mount -o remount,bind,ro "$r"; ' +
    'mount -t tmpfs -o mode=1777,size=64m tmpfs "$r/tmp"; cp -R "$seed"/. "$r/tmp/"; ' +
    `exec "$c" --userspec=${IMAGE_USER_ID}:${IMAGE_USER_ID} "$r" ${NODE_PATH_IN_IMAGE} "$@"`;

  const readyMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const ports = { main: await freePort(), admin: await freePort() };
    const plan = launcher(ports);
    const seed = mkdtempSync(join(tmpdir(), 'rspp-start-seed-'));
    const tmpTarget = mode === 'chroot-readonly' ? seed : join(rootfsDir, 'tmp');
    mkdirSync(tmpTarget, { recursive: true });
    for (const [name, content] of Object.entries(plan.tmpFiles ?? {})) writeFileSync(join(tmpTarget, name), content, { mode: 0o644 });
    const hostPath = (value: string): string => (mode === 'direct' && value.startsWith('/') ? join(rootfsDir, value) : value);
    const env: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin', NODE_ENV: 'production', HOME: '/tmp', RSPP_LEASE_STORE: 'memory' };
    for (const [name, value] of Object.entries(plan.env ?? {})) env[name] = hostPath(value);
    const args = [...command.map(hostPath), ...(plan.args ?? [])];
    const start = performance.now();
    const child =
      mode === 'chroot-readonly'
        ? spawn(unshareBinary!, ['-m', '--propagation', 'private', '/bin/sh', '-c', readOnlyScript, 'sh', rootfsDir, chrootBinary!, seed, ...args], {
            env,
            stdio: ['ignore', 'ignore', 'pipe'],
          })
        : mode === 'chroot'
          ? spawn(chrootBinary!, [`--userspec=${IMAGE_USER_ID}:${IMAGE_USER_ID}`, rootfsDir, NODE_PATH_IN_IMAGE, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] })
          : spawn(join(rootfsDir, NODE_PATH_IN_IMAGE), args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let spawnError: Error | undefined;
    child.on('error', (error) => (spawnError = error));
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    try {
      for (;;) {
        if (spawnError) throw new Error(`cannot start the image entry point: ${spawnError.message}`);
        if (child.exitCode !== null) throw new Error(`image entry point exited with ${child.exitCode}: ${stderr.trim()}`);
        if (performance.now() - start > timeoutMs) throw new Error(`image entry point not ready within ${timeoutMs} ms: ${stderr.trim()}`);
        if ((await status(ports.admin, '/readyz')) === 200) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      readyMs.push(Math.round(performance.now() - start));
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
      rmSync(seed, { recursive: true, force: true });
      if (mode !== 'chroot-readonly') for (const name of Object.keys(plan.tmpFiles ?? {})) rmSync(join(tmpTarget, name), { force: true });
    }
  }
  const sorted = [...readyMs].sort((a, b) => a - b);
  return { mode, readyMs, medianMs: sorted[Math.floor(sorted.length / 2)] };
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
