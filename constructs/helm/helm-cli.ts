/**
 * Runs the Helm binary the repository installs (`.tools/bin/helm`, Helm 4) or `helm` on PATH, with
 * cache and config homes kept out of the user's own Helm setup.
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { repoTool } from '../tools/repo-tools';

export interface HelmRun {
  /** Exit status; null when helm could not start or timed out. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly millis: number;
}

/** Runs `helm <args>`; never throws (a missing binary is a non-zero run with the reason in stderr). */
export function runHelm(args: readonly string[], options: { readonly cwd?: string; readonly timeoutMs?: number } = {}): HelmRun {
  const started = process.hrtime.bigint();
  const home = path.join(os.tmpdir(), 'rspp-helm');
  const result = spawnSync(repoTool('helm'), args, {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data') },
  });
  return {
    status: result.status,
    stdout: result.stdout ?? '',
    stderr: result.stderr || (result.error ? `helm could not run: ${result.error.message} (run \`npm run tools\` to install it into .tools/bin)` : ''),
    millis: Number(process.hrtime.bigint() - started) / 1e6,
  };
}

/** `helm lint --strict <chartDir>`. */
export function lintChart(chartDir: string): HelmRun {
  return runHelm(['lint', '--strict', chartDir]);
}
