/**
 * The cdktf app of `cdktf.json` (`npx tsx stacks/main.ts`): `npx cdktf synth` writes
 * `cdktf.out/stacks/{dev,stage,prod}/cdk.tf.json`; `npx cdktf deploy prod` deploys prod.
 */
import { App } from 'cdktf';
import { buildTerraformApp } from './terraform-app';

const app = new App();
buildTerraformApp(app);
app.synth();
