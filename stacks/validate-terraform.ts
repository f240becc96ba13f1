/**
 * `npx tsx stacks/validate-terraform.ts [cdktf.out]`: runs `terraform validate` in every synthesized
 * stack when the pinned providers are on disk; otherwise prints `skipped: providers not available`.
 * Exits non-zero only when a validation ran and failed.
 */
import { validateTerraformStacks } from './terraform-validate';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log('usage: validate-terraform [<cdktf-out>]\n  terraform validate in every synthesized stack (default cdktf.out) when the pinned providers are on disk');
  process.exit(0);
}
const outDir = process.argv[2] ?? 'cdktf.out';
const results = validateTerraformStacks(outDir);
for (const r of results) {
  console.log(`${r.stack}: ${r.status}${r.detail ? `: ${r.detail}` : ''}`);
}
process.exitCode = results.some((r) => r.status === 'failed') ? 1 : 0;
