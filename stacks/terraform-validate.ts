/**
 * `terraform validate` for synthesized stacks, when it can run. Validation needs the pinned provider
 * plugins on disk; without network access (this build machine) they cannot be downloaded, and that
 * is reported as `skipped: providers not available`, never as a failure or a pass.
 *
 * Providers are looked up, at the pinned version for this platform, in the stack's own
 * `.terraform/providers`, in `TF_PLUGIN_CACHE_DIR`, and in the implied local mirror
 * `~/.terraform.d/plugins`; when all are found, `terraform init -backend=false -plugin-dir=…`
 * installs them from there (no network) and `terraform validate -json` runs.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HELM_PROVIDER, KUBERNETES_PROVIDER, ProviderPin } from './provider-pins';

export type ValidationStatus = 'passed' | 'failed' | 'skipped';

export interface StackValidation {
  readonly stack: string;
  readonly status: ValidationStatus;
  /** Why it was skipped or failed (diagnostics, one per line). */
  readonly detail: string;
}

export interface TerraformValidateOptions {
  /** terraform binary. @default `terraform` on PATH */
  readonly terraformBinary?: string;
  /** Extra folders laid out like a filesystem mirror (`registry.terraform.io/hashicorp/<name>/<version>/<os_arch>`). */
  readonly pluginDirs?: readonly string[];
  /** Seconds per terraform command. @default 120 */
  readonly timeoutSeconds?: number;
}

const platform = (): string => `${process.platform === 'win32' ? 'windows' : process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;

/** Mirror roots that hold `pin` for this platform. */
function mirrorHolding(pin: ProviderPin, roots: readonly string[]): string | undefined {
  const host = 'registry.terraform.io';
  return roots.find((root) => fs.existsSync(path.join(root, host, pin.source, pin.version, platform())));
}

function candidateRoots(stackDir: string, extra: readonly string[]): string[] {
  return [
    ...extra,
    path.join(stackDir, '.terraform', 'providers'),
    ...(process.env.TF_PLUGIN_CACHE_DIR ? [process.env.TF_PLUGIN_CACHE_DIR] : []),
    path.join(os.homedir(), '.terraform.d', 'plugins'),
  ];
}

function run(binary: string, args: readonly string[], cwd: string, timeoutSeconds: number) {
  return spawnSync(binary, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutSeconds * 1000,
    env: { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' },
  });
}

/** Validates one synthesized stack folder (holding `cdk.tf.json`). */
export function validateTerraformStack(stackDir: string, options: TerraformValidateOptions = {}): StackValidation {
  const stack = path.basename(stackDir);
  const binary = options.terraformBinary ?? 'terraform';
  const timeout = options.timeoutSeconds ?? 120;
  if (!fs.existsSync(path.join(stackDir, 'cdk.tf.json'))) {
    return { stack, status: 'failed', detail: `${stackDir}/cdk.tf.json does not exist; run npx cdktf synth first` };
  }
  const version = run(binary, ['version'], stackDir, timeout);
  if (version.error || version.status !== 0) {
    return { stack, status: 'skipped', detail: `terraform not available (${version.error?.message ?? version.stderr.trim()})` };
  }
  const roots = candidateRoots(stackDir, options.pluginDirs ?? []);
  const missing = [KUBERNETES_PROVIDER, HELM_PROVIDER].filter((pin) => mirrorHolding(pin, roots) === undefined);
  if (missing.length > 0) {
    return {
      stack,
      status: 'skipped',
      detail: `providers not available: ${missing.map((p) => `${p.source} ${p.version}`).join(', ')} not found for ${platform()} in ${roots.join(', ')}`,
    };
  }
  const pluginArgs = [...new Set([KUBERNETES_PROVIDER, HELM_PROVIDER].map((pin) => mirrorHolding(pin, roots)!))].map((dir) => `-plugin-dir=${dir}`);
  const init = run(binary, ['init', '-backend=false', '-input=false', '-no-color', ...pluginArgs], stackDir, timeout);
  if (init.status !== 0) return { stack, status: 'failed', detail: `terraform init: ${(init.stderr || init.stdout).trim()}` };
  const validate = run(binary, ['validate', '-json', '-no-color'], stackDir, timeout);
  let report: { valid?: boolean; diagnostics?: { severity: string; summary: string; detail?: string }[] } = {};
  try {
    report = JSON.parse(validate.stdout);
  } catch {
    return { stack, status: 'failed', detail: `terraform validate: ${(validate.stderr || validate.stdout).trim()}` };
  }
  const diagnostics = (report.diagnostics ?? []).map((d) => `${d.severity}: ${d.summary}${d.detail ? ` (${d.detail})` : ''}`).join('\n');
  return { stack, status: report.valid ? 'passed' : 'failed', detail: diagnostics };
}

/** Validates every stack under `<cdktfOut>/stacks`. */
export function validateTerraformStacks(cdktfOut: string, options: TerraformValidateOptions = {}): StackValidation[] {
  const stacksDir = path.join(cdktfOut, 'stacks');
  if (!fs.existsSync(stacksDir)) throw new Error(`${stacksDir} does not exist; run npx cdktf synth (or npm run synth:tf) first`);
  return fs.readdirSync(stacksDir).sort().map((name) => validateTerraformStack(path.join(stacksDir, name), options));
}
