/**
 * The Terraform app: generates each env's Helm chart (the stacks install it from disk), then one
 * `RsppStack` per env. `main.ts` runs it under the cdktf CLI; `synthTerraform(outDir)` runs it in
 * process (for `npm run synth` and tests).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { emitHelmCharts, EmittedHelmCharts } from '../constructs/helm/emit-helm-charts';
import type { KubeObject } from '../constructs/helm/synthesized-objects';
import type { EnvironmentConfig } from '../envs/environment-config';
import { loadAllEnvironments } from '../envs/load-environment';
import { PlatformChart, RsppStack } from './rspp-stack';
import { LOCAL_STATE_DIR } from './state-backend';

const posix = (p: string): string => p.split(path.sep).join('/');

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
  /**
   * Folder of the local backends' state files (`terraform.<env>.tfstate`). Kept outside the synth
   * output so no synth can delete state. @default `<cwd>/.terraform-state` (git-ignored)
   */
  readonly stateDir?: string;
}

/** Labels and annotations of the chart's Namespace object (the stack creates it). */
function namespaceMetadata(object: KubeObject | undefined): PlatformChart['namespace'] {
  const metadata = object?.metadata as { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined;
  return metadata && { labels: metadata.labels, annotations: metadata.annotations };
}

/** Adds the env stacks to `app`, writing each env's chart to `<distDir>/<env>/charts` first. */
export function buildTerraformApp(app: App, options: TerraformAppOptions = {}): RsppStack[] {
  const distDir = path.resolve(options.distDir ?? 'dist');
  const environments = options.environments ?? loadAllEnvironments();
  const stateDir = path.resolve(options.stateDir ?? LOCAL_STATE_DIR);
  return environments.map((env) => {
    const charts = options.emittedCharts?.[env.name] ?? emitHelmCharts(env, path.join(distDir, env.name));
    const stackDir = path.resolve(app.outdir, 'stacks', env.name);
    return new RsppStack(app, {
      env,
      platformChart: {
        pathFromStackDir: posix(path.relative(stackDir, charts.chartDir)),
        values: charts.values,
        version: charts.version,
        namespace: namespaceMetadata(charts.namespaces.find((o) => o.metadata.name === env.namespace)),
      },
      localStatePath: posix(path.relative(stackDir, path.join(stateDir, `terraform.${env.name}.tfstate`))),
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
 * Synthesizes every env stack into a staging folder beside `outDir` (same depth, so relative chart and
 * state paths stay valid) without touching `outDir`; `commit()` moves only the files it wrote into
 * place, one rename each. Synth never deletes a file it did not write: Terraform state,
 * `.terraform.lock.hcl`, `.terraform/` and the stacks of envs not synthesized this time survive;
 * `manifest.json` keeps their entries.
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
        mergeSynthOutput(staging, target);
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
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** Moves each file of `staging` over its counterpart in `target`; `manifest.json` stacks are merged. */
function mergeSynthOutput(staging: string, target: string): void {
  const manifest = 'manifest.json';
  const previous = path.join(target, manifest);
  if (fs.existsSync(previous) && fs.existsSync(path.join(staging, manifest))) {
    const old = JSON.parse(fs.readFileSync(previous, 'utf8')) as { stacks?: Record<string, unknown> };
    const next = JSON.parse(fs.readFileSync(path.join(staging, manifest), 'utf8')) as { stacks?: Record<string, unknown> };
    next.stacks = { ...old.stacks, ...next.stacks };
    fs.writeFileSync(path.join(staging, manifest), JSON.stringify(next, null, 2));
  }
  for (const file of filesUnder(staging)) {
    const to = path.join(target, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.renameSync(path.join(staging, file), to);
  }
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
