/**
 * `npm run synth` — synthesize every env to `dist/<env>/k8s/` (one YAML file per chart), run the
 * offline schema validation and the manifest policy, print a per-env summary. Atomic: when any env
 * fails, nothing under `dist/` changes and the exit code is 1 (2 for bad arguments).
 *
 *   npx tsx constructs/synth/cli.ts [--env dev,stage] [--out dist] [--built-image <file> | --no-built-image]
 */
import * as path from 'path';
import type { EnvName } from '../../envs/environment-config';
import { isEnvName } from '../../envs/load-environment';
import { ENV_NAMES } from '../../envs/posture';
import { runSynth, SynthOptions } from './synth-run';

const USAGE = `usage: synth [--env ${ENV_NAMES.join(',')}] [--out <dir>] [--built-image <file> | --no-built-image] [--records <dir>] [--accept-lease-store-change]
  --env             comma-separated envs to synthesize (default: all)
  --out             output root; manifests go to <out>/<env>/k8s/ (default: dist)
  --built-image     runtime image build output to use when it exists, e.g. dist/image/runtime.json from
                    "npm run image" (default: $RSPP_RUNTIME_IMAGE_FILE, else the pin in envs/pins.ts)
  --no-built-image  ignore the build output and use the runtime image pinned in envs/pins.ts
  --records         folder of the per-env deployed records (default: envs/deployed)
  --accept-lease-store-change  record a changed etcd member count / storage after its manual procedure`;

/** Parses argv (without node and script); throws with the usage on a bad argument. */
export function parseSynthArgs(argv: readonly string[]): SynthOptions {
  let envs: EnvName[] | undefined;
  let outRoot: string | undefined;
  let builtImageFile: string | false | undefined;
  let recordsDir: string | undefined;
  let acceptLeaseStoreChange = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--env') {
      const names = value().split(',').map((s) => s.trim()).filter((s) => s !== '');
      const unknown = names.filter((n) => !isEnvName(n));
      if (unknown.length > 0 || names.length === 0) throw new Error(`--env: unknown environment(s) ${unknown.join(', ') || '(none given)'}; expected ${ENV_NAMES.join(', ')}\n${USAGE}`);
      envs = names as EnvName[];
    } else if (arg === '--out') outRoot = value();
    else if (arg === '--no-built-image') builtImageFile = false;
    else if (arg === '--built-image') builtImageFile = path.resolve(value());
    else if (arg === '--records') recordsDir = path.resolve(value());
    else if (arg === '--accept-lease-store-change') acceptLeaseStoreChange = true;
    else if (arg === '--help' || arg === '-h') throw Object.assign(new Error(USAGE), { help: true });
    else throw new Error(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  return { envs, outRoot, builtImageFile, ...(recordsDir ? { recordsDir } : {}), ...(acceptLeaseStoreChange ? { acceptLeaseStoreChange } : {}) };
}

export function main(argv: readonly string[]): number {
  let options: SynthOptions;
  try {
    options = parseSynthArgs(argv);
  } catch (err) {
    const help = (err as { help?: boolean }).help === true;
    (help ? console.log : console.error)((err as Error).message);
    return help ? 0 : 2;
  }
  try {
    const result = runSynth(options);
    (result.ok ? console.log : console.error)(result.report);
    return result.ok ? 0 : 1;
  } catch (err) {
    console.error(`synth failed: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
