/**
 * The control-plane entry point as a real process: it binds the ports it is given, becomes ready
 * with the in-memory lease store, and drains and exits 0 on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { RUNTIME_ENV } from '../../../runtime/contracts/runtime-interface';
import { parseControlPlaneArgs } from '../../../runtime/control-plane';
import { createTestCa, issueTestLeaf, removeTestPki } from './test-certificates';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');

function get(port: number, path: string): Promise<number> {
  return new Promise((resolvePromise) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise(res.statusCode ?? 0));
    });
    req.on('error', () => resolvePromise(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

describe('runtime/control-plane/main.ts', () => {
  test('parses its flags and refuses unknown ones', () => {
    expect(parseControlPlaneArgs(['--host', '127.0.0.1', '--api-port', '0', '--admin-port', '9999'])).toEqual({ host: '127.0.0.1', apiPort: 0, adminPort: 9999 });
    expect(() => parseControlPlaneArgs(['--api-port', 'http'])).toThrow(/--api-port needs a port/);
    expect(() => parseControlPlaneArgs(['--verbose'])).toThrow(/unknown argument --verbose/);
  });

  test('starts, is ready, drains on SIGTERM and exits 0', async () => {
    const { [RUNTIME_ENV.tlsDir]: _unset, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'runtime/control-plane/main.ts'), '--host', '127.0.0.1', '--api-port', '0', '--admin-port', '0'], {
      cwd: REPO_ROOT,
      env: { ...inherited, RSPP_LEASE_STORE: 'memory', RSPP_DRAIN_SECONDS: '5' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      const lines = createInterface({ input: child.stdout! });
      const records: Array<Record<string, unknown>> = [];
      const plainNotice = new Promise<Record<string, unknown>>((resolvePromise) => {
        lines.on('line', (line) => {
          const record = JSON.parse(line);
          records.push(record);
          if (String(record.msg).includes('plain HTTP')) resolvePromise(record);
        });
      });
      const listening = await new Promise<{ apiPort: number; adminPort: number; bundles: string[] }>((resolvePromise, reject) => {
        lines.on('line', (line) => {
          const record = JSON.parse(line);
          if (record.msg === 'control plane listening') resolvePromise(record);
        });
        child.once('exit', (code) => reject(new Error(`control plane exited early with ${code}`)));
      });
      expect(listening.bundles.length).toBeGreaterThan(0);
      // Without RSPP_TLS_DIR the API is plain HTTP, and the log says so at start.
      expect(await plainNotice).toMatchObject({ level: 'warn', msg: expect.stringContaining('RSPP_TLS_DIR is not set') });
      expect(records.find((r) => r.msg === 'control plane listening')).toMatchObject({ apiScheme: 'http' });
      expect(await get(listening.adminPort, '/readyz')).toBe(200);
      expect(await get(listening.apiPort, `/v1/bundles/${listening.bundles[0]}`)).toBe(200);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  });

  test('with RSPP_TLS_DIR serves the API over mutual TLS and says so; probes stay plain HTTP', async () => {
    const ca = createTestCa();
    const cpCert = issueTestLeaf(ca, 'control-plane');
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'runtime/control-plane/main.ts'), '--host', '127.0.0.1', '--api-port', '0', '--admin-port', '0'], {
      cwd: REPO_ROOT,
      env: { ...process.env, RSPP_LEASE_STORE: 'memory', RSPP_DRAIN_SECONDS: '5', [RUNTIME_ENV.tlsDir]: cpCert.dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      const lines = createInterface({ input: child.stdout! });
      const records: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
      const notice = await new Promise<Record<string, unknown>>((resolvePromise, reject) => {
        lines.on('line', (line) => {
          const record = JSON.parse(line);
          records.push(record);
          if (String(record.msg).includes('serves HTTPS')) resolvePromise(record);
        });
        child.once('exit', (code) => reject(new Error(`control plane exited early with ${code}`)));
      });
      expect(notice).toMatchObject({ level: 'info', tlsDir: cpCert.dir });
      const listening = records.find((r) => r.msg === 'control plane listening')!;
      expect(listening.apiScheme).toBe('https');
      expect(await get(listening.adminPort, '/readyz')).toBe(200); // plain HTTP admin port
      expect(await get(listening.apiPort, `/v1/bundles/${listening.bundles[0]}`)).not.toBe(200); // plain HTTP to the API: never served
      expect(JSON.stringify(records)).not.toContain('PRIVATE KEY');
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
      removeTestPki(ca);
    }
  });

  test('refuses to start when RSPP_BUNDLE_DIGEST is a mutable reference', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'runtime/control-plane/main.ts'), '--host', '127.0.0.1', '--api-port', '0', '--admin-port', '0'], {
      cwd: REPO_ROOT,
      env: { ...process.env, RSPP_LEASE_STORE: 'memory', RSPP_BUNDLE_DIGEST: 'simple_v1:latest' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    clearTimeout(killer);
    expect(code).toBe(1);
    expect(out).toContain('mutable reference');
    expect(out).toContain('RSPP_BUNDLE_DIGEST');
  });
});
