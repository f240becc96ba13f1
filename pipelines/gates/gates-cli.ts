/**
 * `npm run gates [-- --name <release>] [--bench-engine <file>] [--bench-load <file>]
 *   [--image-file <file> | --image <ref>] [--pipelines <dir>] [--created-at <ts>] [--bundle <digest>]...`
 * Runs contract → replay → baseline → SLO → publish; prints each verdict; exits 1 at the first failure.
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

function parseArgs(argv: readonly string[]): RunGatesOptions {
  const opts: Record<string, unknown> = {};
  const bundles: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
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

function main(argv: readonly string[]): number {
  let opts: RunGatesOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`gates: ${(e as Error).message}\n`);
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

process.exitCode = main(process.argv.slice(2));
