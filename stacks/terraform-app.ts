/**
 * The Terraform app: generates each env's Helm chart (the stacks install it from disk), then one
 * `RsppStack` per env. `main.ts` runs it under the cdktf CLI; `synthTerraform(outDir)` runs it in
 * process (for `npm run synth` and tests).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { emitHelmCharts, EmittedHelmCharts } from '../constructs/helm/emit-helm-charts';
import type { EnvironmentConfig } from '../envs/environment-config';
import { loadAllEnvironments } from '../envs/load-environment';
import { RsppStack } from './rspp-stack';

export interface TerraformAppOptions {
  /** Environments to build stacks for. @default loadAllEnvironments() (dev, stage, prod) */
  readonly environments?: readonly EnvironmentConfig[];
  /** Folder holding `<env>/charts/rspp-platform`. @default `<cwd>/dist` */
  readonly distDir?: string;
  /**
   * Charts already emitted by the caller (e.g. `npm run synth`), by env name; those envs are not
   * generated again. @default none: every env's chart is emitted here
   */
  readonly emittedCharts?: Readonly<Partial<Record<string, EmittedHelmCharts>>>;
}

/** Adds the env stacks to `app`, writing each env's chart to `<distDir>/<env>/charts` first. */
export function buildTerraformApp(app: App, options: TerraformAppOptions = {}): RsppStack[] {
  const distDir = path.resolve(options.distDir ?? 'dist');
  const environments = options.environments ?? loadAllEnvironments();
  return environments.map((env) => {
    const charts = options.emittedCharts?.[env.name] ?? emitHelmCharts(env, path.join(distDir, env.name));
    const stackDir = path.resolve(app.outdir, 'stacks', env.name);
    return new RsppStack(app, {
      env,
      platformChart: {
        pathFromStackDir: path.relative(stackDir, charts.chartDir).split(path.sep).join('/'),
        values: charts.values,
        createsNamespace: charts.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === env.namespace),
      },
    });
  });
}

export interface SynthesizedTerraform {
  /** `<outDir>/stacks/<env>/cdk.tf.json` per env. */
  readonly stackFiles: Readonly<Record<string, string>>;
  /** Wall time of chart generation + stack construction + synthesis, ms. */
  readonly elapsedMs: number;
}

/** A Terraform synth held in a staging folder until `commit()`. */
export interface StagedTerraform {
  /** `<outDir>/stacks/<env>/cdk.tf.json` per env: where each file lands on commit. */
  readonly stackFiles: Readonly<Record<string, string>>;
  /** The same files inside the staging folder (to check before committing). */
  readonly stagedStackFiles: Readonly<Record<string, string>>;
  /** Moves every file synth wrote into place, one rename each; files synth did not write (state, `.terraform/`, lock files) are left alone. */
  commit(): void;
  /** Removes the staging folder. */
  discard(): void;
}

/**
 * Synthesizes every env stack into a staging folder beside `outDir` (same depth, so chart paths stay
 * valid) without touching `outDir`; `commit()` moves the written files into place.
 */
export function stageTerraform(outDir: string, options: TerraformAppOptions = {}): StagedTerraform {
  const target = path.resolve(outDir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(target), '.cdktf-staging-'));
  const discard = (): void => fs.rmSync(staging, { recursive: true, force: true });
  try {
    const app = new App({ outdir: staging });
    const stacks = buildTerraformApp(app, options);
    app.synth();
    const names = stacks.map((s) => s.env.name);
    const file = (root: string, env: string): string => path.join(root, 'stacks', env, 'cdk.tf.json');
    return {
      stackFiles: Object.fromEntries(names.map((n) => [n, file(target, n)])),
      stagedStackFiles: Object.fromEntries(names.map((n) => [n, file(staging, n)])),
      commit: () => {
        for (const relative of filesUnder(staging)) {
          const destination = path.join(target, relative);
          fs.mkdirSync(path.dirname(destination), { recursive: true });
          fs.renameSync(path.join(staging, relative), destination);
        }
        discard();
      },
      discard,
    };
  } catch (err) {
    discard();
    throw err;
  }
}

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, path.join(prefix, e.name)) : e.isFile() ? [path.join(prefix, e.name)] : []))
    .sort();
}

/**
 * Synthesizes every env stack into `outDir` (the layout `npx cdktf synth` writes to `cdktf.out`):
 * staged first, so a failure leaves the previous output intact; only the files synth writes are replaced.
 */
export function synthTerraform(outDir: string, options: TerraformAppOptions = {}): SynthesizedTerraform {
  const started = process.hrtime.bigint();
  const staged = stageTerraform(outDir, options);
  staged.commit();
  return { stackFiles: staged.stackFiles, elapsedMs: Number(process.hrtime.bigint() - started) / 1e6 };
}
