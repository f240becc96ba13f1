/**
 * `runSynth()`: synthesize the chosen envs into a staging area, check them offline, and replace
 * `<out>/<env>/k8s/` only when every env passed. Returns a result; never exits the process (the CLI does).
 */
import * as path from 'path';
import type { EnvironmentConfig, EnvName } from '../../envs/environment-config';
import { loadEnvironment, LoadEnvironmentOptions, runtimeImageFileOf } from '../../envs/load-environment';
import { ENV_NAMES } from '../../envs/posture';
import { resolveRuntimeImage } from '../../envs/runtime-image';
import { StagingArea } from './atomic-output';
import { checkDeployedRecord, DEPLOYED_RECORDS_DIR } from './deployed-record';
import { OfflineCheckResult, runOfflineChecks } from './offline-checks';
import { formatEnvSummary } from './synth-summary';
import { SynthesizedEnv, synthesizeEnv } from './synthesize-env';

export interface SynthOptions {
  /** Output root; each env goes to `<outRoot>/<env>/k8s/`. @default 'dist' */
  readonly outRoot?: string;
  /** Envs to synthesize. @default all: dev, stage, prod */
  readonly envs?: readonly EnvName[];
  /** Passed to `loadEnvironment` (where the runtime image comes from). @default `RSPP_RUNTIME_IMAGE_FILE`, else the pin */
  readonly builtImageFile?: LoadEnvironmentOptions['builtImageFile'];
  /** Folder of the per-env deployed records (deployed-record.ts); `false` skips the check. @default envs/deployed */
  readonly recordsDir?: string | false;
  /** Record new values of deploy-time-immutable fields (after their manual procedure). @default false */
  readonly acceptLeaseStoreChange?: boolean;
  /** Adjusts each loaded env before synthesis (the result is validated again). @default none */
  readonly transformEnvironment?: (env: EnvironmentConfig) => EnvironmentConfig;
  /**
   * Stage into this area and leave committing (or discarding) to the caller, who stages further
   * outputs beside the manifests (`npm run synth`: charts, Terraform). @default an area of its own,
   * committed when every env passed
   */
  readonly staging?: StagingArea;
}

export interface EnvSynthResult {
  readonly synth: SynthesizedEnv;
  readonly checks: OfflineCheckResult;
  /** Final directory of the env's manifests. */
  readonly outDir: string;
}

export interface SynthResult {
  readonly ok: boolean;
  readonly envs: readonly EnvSynthResult[];
  /** Problems that stopped the run before checks (bad config, construct errors), one per line. */
  readonly errors: readonly string[];
  /** Where the runtime image reference came from. */
  readonly imageSource: string;
  readonly totalMillis: number;
  /** Human-readable output: summaries and every failure. */
  readonly report: string;
}

export function runSynth(options: SynthOptions = {}): SynthResult {
  const started = process.hrtime.bigint();
  const outRoot = path.resolve(options.outRoot ?? 'dist');
  const envNames = options.envs ?? ENV_NAMES;
  const errors: string[] = [];
  const results: EnvSynthResult[] = [];
  let imageSource = 'envs/pins.ts';
  const owned = options.staging === undefined;
  const staging = options.staging ?? new StagingArea(outRoot);
  try {
    try {
      imageSource = resolveRuntimeImage(runtimeImageFileOf(options)).source;
    } catch (err) {
      errors.push((err as Error).message);
    }
    for (const name of errors.length === 0 ? envNames : []) {
      const relative = path.join(name, 'k8s');
      try {
        const loaded = loadEnvironment(name, { builtImageFile: options.builtImageFile });
        const env = options.transformEnvironment ? options.transformEnvironment(loaded) : loaded;
        if (options.recordsDir !== false) {
          const check = checkDeployedRecord(env, path.resolve(options.recordsDir ?? DEPLOYED_RECORDS_DIR), options.acceptLeaseStoreChange);
          if (check.problems.length > 0) {
            errors.push(...check.problems);
            continue;
          }
          // The record follows the outputs: written only when the staged outputs are committed.
          staging.afterCommit(check.commit);
        }
        const synth = synthesizeEnv(env, staging.stage(relative));
        results.push({ synth, checks: runOfflineChecks(name, synth.objects), outDir: path.join(outRoot, relative) });
      } catch (err) {
        errors.push(`${name}: ${(err as Error).message}`);
      }
    }
    const ok = errors.length === 0 && results.every((r) => r.checks.passed);
    if (owned && ok) staging.commit();
    else if (owned) staging.discard();
    const totalMillis = Number(process.hrtime.bigint() - started) / 1e6;
    const lines = [`runtime image from ${imageSource}`, ...results.map((r) => formatEnvSummary(r.synth, r.checks, path.relative(process.cwd(), r.outDir) || '.'))];
    for (const r of results.filter((x) => !x.checks.passed)) lines.push('', r.checks.report);
    if (errors.length > 0) lines.push('', ...errors);
    lines.push(
      '',
      ok
        ? `synth ok: ${results.length} env(s) in ${totalMillis.toFixed(0)} ms`
        : `synth FAILED: nothing written to ${path.relative(process.cwd(), outRoot) || outRoot} (${errors.length} error(s), ${results.filter((r) => !r.checks.passed).length} env(s) failing checks)`,
    );
    return { ok, envs: results, errors, imageSource, totalMillis, report: lines.join('\n') };
  } catch (err) {
    if (owned) staging.discard();
    throw err;
  }
}
