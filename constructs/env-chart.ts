/**
 * `buildEnvChart(app, env)`: the cdk8s Chart of one environment — the whole `RsppPlatform`
 * (baseline, lease store, control plane, runtime, observability) built from the env's validated
 * `EnvironmentConfig`. `constructs/app.ts` (cdk8s CLI) and `npm run synth` both go through here.
 */
import { App, Chart } from 'cdk8s';
import type { EnvironmentConfig } from '../envs/environment-config';
import { validateEnvironment } from '../envs/schema';
import { RsppPlatform } from './rspp-platform';

/** Chart id (and output file stem, `rspp-<env>.k8s.yaml`) of an env. */
export function envChartId(env: EnvironmentConfig): string {
  return `rspp-${env.name}`;
}

/** Id of the `RsppPlatform` inside the env chart (`chart.node.findChild(ENV_PLATFORM_ID)`). */
export const ENV_PLATFORM_ID = 'platform';

export function buildEnvChart(app: App, env: EnvironmentConfig): Chart {
  // Re-validate: callers may hand-build a config instead of going through loadEnvironment().
  validateEnvironment(env, env.name);
  // Object names are explicit everywhere; no hash suffixes, so Service DNS names are stable.
  const chart = new Chart(app, envChartId(env), { namespace: env.namespace, disableResourceNameHashes: true });
  new RsppPlatform(chart, ENV_PLATFORM_ID, { env });
  return chart;
}
