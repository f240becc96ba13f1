/**
 * #12 item 6 (runtime half): the control plane comes up late on a cold start. The runtime, a real
 * process (`runtime/server/main.ts` through tsx), does not exit: it answers /healthz 200 and
 * /readyz 503 with the reason, retries with capped, jittered backoff logging each attempt, and
 * becomes ready once the control plane answers. Bound to 127.0.0.1, stopped by the test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InMemoryLeaseStore } from '../../../../runtime/authority';
import { ControlPlaneService } from '../../../../runtime/control-plane';
import { loadArtifacts } from '../../../../pipelines';
import { freePort } from '../../../support/ports';

jest.setTimeout(60_000);
const repo = resolve(__dirname, '../../../..');
const BUNDLE = loadArtifacts().bundles.find((b) => b.artifact.name === 'simple_v1')!.digest;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function get(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

test('without a control plane the runtime stays up and not ready, retries, and becomes ready when it arrives', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rspp-cp-late-'));
  const [adminPort, cpPort] = [await freePort(), await freePort()];
  const configFile = join(dir, 'server.yaml');
  writeFileSync(configFile, `host: 127.0.0.1\nsessionPort: 0\nadminPort: ${adminPort}\n`);
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), join(repo, 'runtime/server/main.ts')], {
    cwd: repo,
    env: { ...process.env, RSPP_CONFIG_FILE: configFile, RSPP_POD_NAME: 'late-cp', RSPP_CONTROL_PLANE_URL: `http://127.0.0.1:${cpPort}`, RSPP_BUNDLE_DIGEST: BUNDLE },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const kill = setTimeout(() => child.kill('SIGKILL'), 50_000);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const records = (): Array<Record<string, unknown>> =>
    stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const retries = () => records().filter((r) => String(r.message).includes('not ready, retrying'));
  const waitFor = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (child.exitCode !== null) throw new Error(`runtime exited (${child.exitCode}) while waiting for ${what}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${stderr}`);
      await sleep(50);
    }
  };
  const service = new ControlPlaneService({ store: new InMemoryLeaseStore(), host: '127.0.0.1', apiPort: cpPort, adminPort: 0, log: () => undefined });
  try {
    await waitFor('three failed attempts', () => retries().length >= 3, 20_000);
    // Alive, not ready, saying why; still running (the old behaviour exited after ~37 s and crash-looped).
    expect((await get(`http://127.0.0.1:${adminPort}/healthz`))?.status).toBe(200);
    const readyz = (await get(`http://127.0.0.1:${adminPort}/readyz`))!;
    expect(readyz.status).toBe(503);
    expect(JSON.parse(readyz.body)).toMatchObject({ ready: false, reason: expect.stringMatching(new RegExp(`^waiting for the control plane at http://127.0.0.1:${cpPort}: attempt \\d+ failed \\(.*ECONNREFUSED.*\\); next attempt in \\d+ ms$`)) });
    const attempts = retries().map((r) => r.attempt);
    expect(attempts).toEqual(attempts.map((_, i) => i + 1)); // each attempt logged, in order
    const waits = retries().map((r) => Number(r.retry_in_ms));
    const steps = waits.map((_, i) => Math.min(5000, 500 * 2 ** i));
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(steps[i] / 2);
      expect(w).toBeLessThanOrEqual(steps[i]);
    });
    expect(child.exitCode).toBeNull();

    const cpUpAt = Date.now();
    await service.start();
    await waitFor('/readyz 200', async () => (await get(`http://127.0.0.1:${adminPort}/readyz`))?.status === 200, 15_000);
    const readyAfterMs = Date.now() - cpUpAt;
    expect(readyAfterMs).toBeLessThan(5000 + 3000); // at most one capped wait, then start
    expect(records().some((r) => String(r.message).startsWith('bundle resolved from the control plane'))).toBe(true);
    process.stdout.write(`control plane late: ${retries().length} failed attempts logged; ready ${readyAfterMs} ms after the control plane came up\n`);

    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    clearTimeout(kill);
    if (child.exitCode === null) child.kill('SIGKILL');
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
