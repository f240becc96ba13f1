/**
 * `npm run synth:tf`: the same output as `npx cdktf synth` (`cdktf.out/stacks/<env>/cdk.tf.json`),
 * in process and timed, followed by `terraform validate` where the providers are available.
 */
import * as path from 'path';
import { loadAllEnvironments } from '../envs/load-environment';
import { BUILT_IMAGE_FILE } from '../envs/runtime-image';
import { synthTerraform } from './terraform-app';
import { validateTerraformStacks } from './terraform-validate';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log('usage: synth:tf [<out-dir>]\n  cdktf.out/stacks/<env>/cdk.tf.json for dev, stage, prod (default out-dir: cdktf.out), then terraform validate where the providers exist');
  process.exit(0);
}
const outDir = process.argv[2] ?? 'cdktf.out';
const result = synthTerraform(outDir, { environments: loadAllEnvironments({ builtImageFile: path.resolve(BUILT_IMAGE_FILE) }) });
console.log(`terraform synth: ${Object.keys(result.stackFiles).length} stacks in ${result.elapsedMs.toFixed(0)} ms`);
for (const [stack, file] of Object.entries(result.stackFiles)) console.log(`  ${stack}: ${file}`);
for (const v of validateTerraformStacks(outDir)) console.log(`  terraform validate ${v.stack}: ${v.status}${v.detail ? `: ${v.detail}` : ''}`);
