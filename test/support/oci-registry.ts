/**
 * Starts a real OCI registry for integration tests: Debian's `docker-registry` (the CNCF distribution
 * registry), 127.0.0.1 only, a free port, filesystem storage in a temporary dir, its HTTP access log
 * kept so tests can count what clients sent (blob uploads). Every wait is bounded; `stop()` kills it
 * and removes its storage. Requires `docker-registry` on PATH (`test/tools/install-test-tools.sh`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

export interface OciRegistry {
  /** `127.0.0.1:<port>` (the registry part of a repository). */
  readonly host: string;
  /**
   * Access-log request lines so far, e.g. `POST /v2/rspp/runtime/blobs/uploads/`, once the log has
   * been quiet for 200 ms (at most 3 s): a synchronous client call returns before its lines arrive.
   */
  requests(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startOciRegistry(readyTimeoutMs = 10_000): Promise<OciRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'rspp-registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`, ''].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let lastChunkAt = Date.now();
  const collect = (chunk: Buffer): void => {
    log += chunk.toString();
    lastChunkAt = Date.now();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.once('error', () => (exited = true));
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGKILL');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exitedPromise, new Promise<void>((resolve) => (timer = setTimeout(resolve, 3000)))]);
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (!(await answers(`http://127.0.0.1:${port}/v2/`))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry on 127.0.0.1:${port} not ready within ${readyTimeoutMs} ms: ${log.trim().slice(-2000) || '(no output)'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    host: `127.0.0.1:${port}`,
    requests: async () => {
      const until = Date.now() + 3000;
      do await new Promise((resolve) => setTimeout(resolve, 200));
      while (Date.now() - lastChunkAt < 200 && Date.now() < until);
      return [...log.matchAll(/"([A-Z]+) (\S+) HTTP\/1\.1"/g)].map((m) => `${m[1]} ${m[2]}`);
    },
    stop,
  };
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
