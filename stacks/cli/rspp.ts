#!/usr/bin/env node
/**
 * `rspp` — the package's command line (package.json `bin`), so a consumer runs the same commands this
 * repository does:
 *
 *   rspp synth    [--env dev,stage] [--out dist] [--tf-out cdktf.out] [--built-image <file>] [--skip-lint]
 *   rspp validate --env <dev|stage|prod> <file-or-dir>...
 *   rspp diff     --env <env> --before <dir> --after <dir>   (two synth outputs; stacks/diff)
 *   rspp gates    [--name <release>] [--bench-engine <file>] ...
 *
 * Every command answers `--help`. Lives in `stacks/` because `synth` touches cdktf (architecture §10).
 * Adding a command is one entry in `COMMANDS`.
 */
import { runValidate } from '../../constructs/validation/validate-manifests-cli';
import { main as gatesMain } from '../../pipelines/gates/gates-cli';
import { rsppDiffMain } from '../diff/outputs-diff';
import { main as synthMain } from '../synth-all';

export interface RsppCommand {
  /** One line for `rspp --help`. */
  readonly summary: string;
  /** Runs the command with its own arguments; returns the exit code. */
  readonly run: (argv: readonly string[]) => number | Promise<number>;
}

export const COMMANDS: Readonly<Record<string, RsppCommand>> = {
  synth: { summary: 'manifests + Helm charts + Terraform for the envs, validated, policy-checked, linted; atomic', run: synthMain },
  validate: { summary: 'strict schema validation + manifest policy over synthesized YAML/JSON (offline dry-run)', run: (argv) => runValidate(argv, (line) => console.log(line)) },
  diff: { summary: 'classified diff (in place / rolling restart / recreate / disruptive) of two synth outputs, or of a git ref / the live cluster', run: rsppDiffMain },
  gates: { summary: 'release gates contract → replay → baseline → SLO → publish (needs bench, bench:load and image outputs)', run: gatesMain },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: rspp <command> [options]    (rspp <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? console.error : console.log)(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    console.error(`rspp: unknown command ${JSON.stringify(name)}\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      console.error(`rspp: ${err.stack ?? String(err)}`);
      process.exitCode = 1;
    },
  );
}
