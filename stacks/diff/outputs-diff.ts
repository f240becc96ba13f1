/**
 * `rspp diff --env <env> --before <dir> --after <dir>`: the same classified diff as `npm run diff`, over
 * two synth outputs already on disk, so a consumer project diffs its own composition (synthesize each
 * side with `rspp synth --out <dir>/dist --tf-out <dir>/cdktf.out`). `npm run diff` (git ref or live
 * cluster) synthesizes this repository's envs itself; this mode synthesizes nothing.
 *
 * Exit: 0 no change, 1 changes, 2 disruptive changes, 3 bad arguments (same codes as `npm run diff`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { compareUnits, exitCodeFor, formatChanges, loadOutputs } from './compare';
import { main as repoDiffMain } from './main';

export const OUTPUTS_DIFF_USAGE = `usage: rspp diff --env <env> --before <dir> --after <dir>
  compares two synth outputs, each <dir> holding dist/ and cdktf.out/ (rspp synth --out <dir>/dist --tf-out <dir>/cdktf.out)
  in this repository, npm run diff -- --env <env> [--against <git ref> | --live] synthesizes both sides itself
exit: 0 no change, 1 changes, 2 disruptive changes, 3 bad arguments`;

/** One line naming the argument and the fix; exit 3. */
function bad(message: string): number {
  console.error(`rspp diff: ${message}\n${OUTPUTS_DIFF_USAGE}`);
  return 3;
}

export function outputsDiffMain(argv: readonly string[]): number {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag !== '--env' && flag !== '--before' && flag !== '--after') return bad(`unknown argument ${flag}`);
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) return bad(`${flag} needs a value`);
    values[flag.slice(2)] = value;
  }
  for (const name of ['env', 'before', 'after']) if (values[name] === undefined) return bad(`--${name} is required`);
  const sides = { before: path.resolve(values.before), after: path.resolve(values.after) };
  for (const [side, dir] of Object.entries(sides)) {
    const k8s = path.join(dir, 'dist', values.env, 'k8s');
    if (!fs.existsSync(k8s)) return bad(`--${side} ${values[side]}: no ${path.relative(process.cwd(), k8s) || k8s} (synthesize it with rspp synth --env ${values.env} --out ${values[side]}/dist --tf-out ${values[side]}/cdktf.out)`);
  }
  const load = (dir: string) => loadOutputs(path.join(dir, 'dist'), path.join(dir, 'cdktf.out'), values.env);
  const changes = compareUnits(load(sides.before), load(sides.after));
  console.log(formatChanges(changes, `diff ${values.env}: ${values.before} → ${values.after}`));
  return exitCodeFor(changes);
}

/** `rspp diff`: two outputs on disk; with `--against`/`--live`, the repository mode of `npm run diff`. */
export function rsppDiffMain(argv: readonly string[]): number | Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(OUTPUTS_DIFF_USAGE);
    return 0;
  }
  return argv.includes('--against') || argv.includes('--live') ? repoDiffMain(argv) : outputsDiffMain(argv);
}
