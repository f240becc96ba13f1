/**
 * `npm run gates [-- --name <release>] [--bench-engine <file>] [--bench-load <file>]
 *   [--image-file <file> | --image <ref>] [--pipelines <dir>] [--created-at <ts>] [--bundle <digest>]...`
 * Runs contract → replay → baseline → SLO → publish; prints each verdict; exits 1 at the first failure.
 * Needs `npm run bench`, `npm run bench:load` and `npm run image` outputs first (`--help` lists them).
 */
import { runGates } from './gate-runner';
import type { RunGatesOptions } from './gate-types';

const FLAGS: Record<string, keyof RunGatesOptions> = {
  '--name': 'releaseName',
  '--bench-engine': 'benchEngineFile',
  '--bench-load': 'benchLoadFile',
  '--image-file': 'imageFile',
  '--image': 'image',
  '--pipelines': 'pipelinesDir',
  '--release-dir': 'releaseDir',
  '--created-at': 'createdAt',
  '--gates-manifest': 'gatesManifest',
};

export const GATES_USAGE = `usage: gates [--name <release>] [--bench-engine <file>] [--bench-load <file>] [--image-file <file> | --image <ref>]
             [--pipelines <dir>] [--release-dir <dir>] [--created-at <ts>] [--gates-manifest <name>] [--bundle <digest>]...
Runs contract → replay → baseline → SLO → publish and writes dist/release/<name>.json when all pass.
Prerequisites (default paths, relative to the working directory):
  dist/bench/engine.json    from \`npm run bench\`       (or --bench-engine <file>)
  dist/bench/load.json      from \`npm run bench:load\`  (or --bench-load <file>)
  dist/image/runtime.json   from \`npm run image\`       (or --image-file <file> / --image <repo>@sha256:<hex>)`;

/** Thrown by `parseGatesArgs` for `--help`: its message is the usage, printed on stdout with exit 0. */
class HelpRequested extends Error {}

export function parseGatesArgs(argv: readonly string[]): RunGatesOptions {
  const opts: Record<string, unknown> = {};
  const bundles: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') throw new HelpRequested(GATES_USAGE);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
    if (flag === '--bundle') bundles.push(value);
    else if (FLAGS[flag]) opts[FLAGS[flag]] = value;
    else throw new Error(`unknown option ${flag}; options: ${[...Object.keys(FLAGS), '--bundle'].join(', ')}`);
    i++;
  }
  if (bundles.length > 0) opts.bundles = bundles;
  return opts as RunGatesOptions;
}

export function main(argv: readonly string[]): number {
  let opts: RunGatesOptions;
  try {
    opts = parseGatesArgs(argv);
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(`${e.message}\n`);
      return 0;
    }
    process.stderr.write(`gates: ${(e as Error).message}\n${GATES_USAGE}\n`);
    return 2;
  }
  const result = runGates(opts);
  for (const v of result.verdicts) {
    process.stdout.write(`${v.passed ? 'PASS' : 'FAIL'} ${v.gate.padEnd(8)} evidence sha256:${v.evidence_sha256}${v.reason ? `\n     ${v.reason}` : ''}\n`);
  }
  if (!result.passed) {
    process.stderr.write(`gates: stopped, ${result.reason}\n`);
    return 1;
  }
  process.stdout.write(`gates: all passed; release manifest ${result.manifestPath}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
