/**
 * `emitHelmCharts(env, envOutDir)`: writes `<envOutDir>/charts/rspp-platform/` (with the
 * `rspp-runtime` subchart vendored in its `charts/`) from the env's construct tree, the same tree
 * `npm run synth` writes to `dist/<env>/k8s`. By convention `envOutDir` is `dist/<env>`.
 */
import * as path from 'path';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { buildEnvChart } from '../env-chart';
import { RsppRuntime } from '../rspp-runtime';
import { writeChartFiles } from './chart-files-writer';
import { GeneratedHelmCharts, generateHelmCharts, platformChartDir } from './helm-chart-generator';
import type { EnvChartBuilder, RuntimeScopePredicate } from './synthesized-objects';

export interface EmitHelmChartsOptions {
  /** Builds the env's chart. @default buildEnvChart */
  readonly build?: EnvChartBuilder;
  /** Marks the construct whose objects form the rspp-runtime subchart. @default `instanceof RsppRuntime` */
  readonly isRuntimeScope?: RuntimeScopePredicate;
}

export interface EmittedHelmCharts extends GeneratedHelmCharts {
  /** Absolute path of `rspp-platform` (pass it to `helm` or a Terraform helm_release). */
  readonly chartDir: string;
  /** Every file written, absolute. */
  readonly written: readonly string[];
}

export function emitHelmCharts(env: EnvironmentConfig, envOutDir: string, options: EmitHelmChartsOptions = {}): EmittedHelmCharts {
  const generated = generateHelmCharts(
    env,
    options.build ?? buildEnvChart,
    options.isRuntimeScope ?? ((construct) => construct instanceof RsppRuntime),
  );
  const chartsDir = path.resolve(envOutDir, 'charts');
  const written = writeChartFiles(chartsDir, generated.files);
  return { ...generated, chartDir: platformChartDir(path.resolve(envOutDir)), written };
}
