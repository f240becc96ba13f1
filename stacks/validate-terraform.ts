/**
 * `npx tsx stacks/validate-terraform.ts [cdktf.out]`: runs `terraform validate` in every synthesized
 * stack when the pinned providers are on disk; otherwise prints `skipped: providers not available`.
 * Exits non-zero only when a validation ran and failed.
 */
import { validateTerraformStacks } from './terraform-validate';

const outDir = process.argv[2] ?? 'cdktf.out';
const results = validateTerraformStacks(outDir);
for (const r of results) {
  console.log(`${r.stack}: ${r.status}${r.detail ? `: ${r.detail}` : ''}`);
}
process.exitCode = results.some((r) => r.status === 'failed') ? 1 : 0;
