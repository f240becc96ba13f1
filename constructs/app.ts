/**
 * The cdk8s app of `cdk8s.yaml`: `CI=1 npx cdk8s synth --no-check-upgrade` synthesizes every
 * environment (dev, stage, prod) into `dist/cdk8s/rspp-<env>.k8s.yaml`. `npm run synth` is the
 * fuller path (per-env folders, validation, policy, summary); both build charts with `buildEnvChart`.
 */
import { App, YamlOutputType } from 'cdk8s';
import { loadAllEnvironments } from '../envs/load-environment';
import { assertNoDuplicateObjects } from './common/duplicate-objects';
import { buildEnvChart } from './env-chart';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  for (const env of loadAllEnvironments()) buildEnvChart(app, env);
  return app;
}

if (require.main === module) {
  const app = buildApp();
  // All envs in one app, as if on one cluster: any object two envs both make is an error.
  assertNoDuplicateObjects(app);
  app.synth();
}
