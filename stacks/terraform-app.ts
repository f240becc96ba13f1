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

/**
 * Synthesizes every env stack into `outDir` (the layout `npx cdktf synth` writes to `cdktf.out`).
 * The app is synthesized into a sibling staging folder and renamed into place, so a failure leaves
 * the previous output intact; the sibling has the same depth, so chart paths stay valid.
 */
export function synthTerraform(outDir: string, options: TerraformAppOptions = {}): SynthesizedTerraform {
  const started = process.hrtime.bigint();
  const target = path.resolve(outDir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(target), '.cdktf-staging-'));
  try {
    const app = new App({ outdir: staging });
    const stacks = buildTerraformApp(app, options);
    app.synth();
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    const stackFiles = Object.fromEntries(stacks.map((s) => [s.env.name, path.join(target, 'stacks', s.env.name, 'cdk.tf.json')]));
    return { stackFiles, elapsedMs: Number(process.hrtime.bigint() - started) / 1e6 };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
