/**
 * The cdktf app of `cdktf.json` (`npx tsx stacks/main.ts`): `npx cdktf synth` writes
 * `cdktf.out/stacks/{dev,stage,prod}/cdk.tf.json`; `npx cdktf deploy prod` deploys prod.
 */
import * as path from 'path';
import { App } from 'cdktf';
import { loadAllEnvironments } from '../envs/load-environment';
import { BUILT_IMAGE_FILE } from '../envs/runtime-image';
import { buildTerraformApp } from './terraform-app';

const app = new App();
// This repository's own cdktf app: the image `npm run image` built here, when there is one.
buildTerraformApp(app, { environments: loadAllEnvironments({ builtImageFile: path.resolve(BUILT_IMAGE_FILE) }) });
app.synth();
