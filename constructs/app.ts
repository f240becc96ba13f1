/**
 * The cdk8s app of `cdk8s.yaml`: `CI=1 npx cdk8s synth --no-check-upgrade` synthesizes every
 * environment (dev, stage, prod) into `dist/cdk8s/rspp-<env>.k8s.yaml`. `npm run synth` is the
 * fuller path (per-env folders, validation, policy, summary); both build charts with `buildEnvChart`.
 */
import { App, YamlOutputType } from 'cdk8s';
import * as path from 'path';
import { loadAllEnvironments, LoadEnvironmentOptions } from '../envs/load-environment';
import { BUILT_IMAGE_FILE } from '../envs/runtime-image';
import { assertNoDuplicateObjects } from './common/duplicate-objects';
import { buildEnvChart } from './env-chart';

export function buildApp(outdir?: string, options: LoadEnvironmentOptions = {}): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  for (const env of loadAllEnvironments(options)) buildEnvChart(app, env);
  return app;
}

if (require.main === module) {
  // This repository's own cdk8s app: the image `npm run image` built here, when there is one.
  const app = buildApp(undefined, { builtImageFile: path.resolve(BUILT_IMAGE_FILE) });
  // All envs in one app, as if on one cluster: any object two envs both make is an error.
  assertNoDuplicateObjects(app);
  app.synth();
}
