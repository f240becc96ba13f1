/**
 * `npm run synth:tf`: the same output as `npx cdktf synth` (`cdktf.out/stacks/<env>/cdk.tf.json`),
 * in process and timed, followed by `terraform validate` where the providers are available.
 */
import { synthTerraform } from './terraform-app';
import { validateTerraformStacks } from './terraform-validate';

const outDir = process.argv[2] ?? 'cdktf.out';
const result = synthTerraform(outDir);
console.log(`terraform synth: ${Object.keys(result.stackFiles).length} stacks in ${result.elapsedMs.toFixed(0)} ms`);
for (const [stack, file] of Object.entries(result.stackFiles)) console.log(`  ${stack}: ${file}`);
for (const v of validateTerraformStacks(outDir)) console.log(`  terraform validate ${v.stack}: ${v.status}${v.detail ? `: ${v.detail}` : ''}`);
