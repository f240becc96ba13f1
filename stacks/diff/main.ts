/**
 * `npm run diff -- --env <env> [--against <git ref> | --live [--kubeconfig <file>] [--context <ctx>]]`
 *
 * What this synth would change, object by object and field by field, across manifests, the platform
 * chart's values and Terraform, grouped by construct; each change classified (in place; rolling
 * restart; recreate; disruptive) with why (rules: `compare.ts`).
 *
 * - default: against `HEAD`; `--against <ref>` synthesizes that ref in a temporary `git worktree`
 *   (its node_modules: a symlink to this one when the lock files agree, else `npm ci` there).
 * - `--live`: against the objects of the cluster (`kubectl get -f`), comparing only the fields synth
 *   sets, so server-set and defaulted fields are ignored. Manifests only (Terraform: `cdktf diff`).
 *
 * Exit: 0 no change, 1 changes, 2 disruptive changes; 3 bad arguments, 4 a synth failed, 5 git or
 * kubectl failed. `main(argv)` is exported for the package `bin` (`rspp diff`).
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isEnvName } from '../../envs/load-environment';
import { compareUnits, DiffUnit, exitCodeFor, formatChanges, Json, loadOutputs, objectUnit } from './compare';

const USAGE = `usage: npm run diff -- --env <dev|stage|prod> [--against <git ref> | --live [--kubeconfig <file>] [--context <name>]]
  --against   git ref to compare with (default: HEAD), synthesized in a temporary git worktree
  --live      compare with the live objects of the cluster (kubectl), ignoring server-set fields
exit: 0 no change, 1 changes, 2 disruptive changes, 3 bad arguments, 4 synth failed, 5 git/kubectl failed`;

export interface DiffArgs {
  readonly env: string;
  readonly against: string;
  readonly live: boolean;
  readonly kubeconfig?: string;
  readonly context?: string;
}

class DiffError extends Error {
  public constructor(message: string, public readonly code: number) {
    super(message);
  }
}

export function parseDiffArgs(argv: readonly string[]): DiffArgs {
  let env: string | undefined;
  let against: string | undefined;
  let live = false;
  let kubeconfig: string | undefined;
  let context: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new DiffError(`${arg} needs a value\n${USAGE}`, 3);
      return v;
    };
    if (arg === '--env') env = value();
    else if (arg === '--against') against = value();
    else if (arg === '--live') live = true;
    else if (arg === '--kubeconfig') kubeconfig = value();
    else if (arg === '--context') context = value();
    else throw new DiffError(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`, 3);
  }
  if (env === undefined) throw new DiffError(`--env is required\n${USAGE}`, 3);
  if (!isEnvName(env)) throw new DiffError(`--env: unknown environment ${JSON.stringify(env)}; expected dev, stage or prod\n${USAGE}`, 3);
  if (live && against !== undefined) throw new DiffError(`--live and --against exclude each other\n${USAGE}`, 3);
  if (!live && (kubeconfig !== undefined || context !== undefined)) throw new DiffError(`--kubeconfig/--context need --live\n${USAGE}`, 3);
  return { env, against: against ?? 'HEAD', live, kubeconfig, context };
}

const REPO = path.resolve(__dirname, '..', '..');

function run(command: string, args: readonly string[], cwd: string, code: number, what: string): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, {
    cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1', CI: '1' },
  });
  if (r.status !== 0) throw new DiffError(`${what} failed (${command} ${args.join(' ')}, exit ${r.status ?? r.signal}):\n${(r.stderr || r.stdout || String(r.error ?? '')).trim().split('\n').slice(-15).join('\n')}`, code);
  return r;
}

/** Synthesizes `env` of the checkout at `root` into `<out>/dist` and `<out>/cdktf.out` (no lint, pinned image). */
function synthesize(root: string, env: string, out: string, extra: readonly string[] = []): void {
  run(process.execPath, [require.resolve('tsx/cli', { paths: [root, REPO] }), 'stacks/synth-all.ts', '--env', env, '--out', path.join(out, 'dist'), '--tf-out', path.join(out, 'cdktf.out'), '--skip-lint', '--no-built-image', ...extra], root, 4, `synth of ${env} in ${root}`);
}

/** Checks `ref` out in a temporary worktree, with node_modules, and returns its path. */
function checkout(ref: string, tmp: string): { dir: string; label: string } {
  const sha = run('git', ['rev-parse', '--verify', `${ref}^{commit}`], REPO, 5, `git ref ${ref}`).stdout.trim();
  const dir = path.join(tmp, 'ref');
  run('git', ['worktree', 'add', '--detach', dir, sha], REPO, 5, 'git worktree add');
  const lock = spawnSync('git', ['show', `${sha}:package-lock.json`], { cwd: REPO, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const sameLock = lock.status === 0 && fs.existsSync(path.join(REPO, 'package-lock.json')) && lock.stdout === fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8');
  if (sameLock) fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  else run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], dir, 5, `npm ci for ${ref} (its package-lock.json differs)`);
  return { dir, label: `${ref} (${sha.slice(0, 10)})` };
}

/** Metadata the API server sets; dropped from live objects (only desired fields are compared anyway). */
const SERVER_SET_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences'];

/** A live object with server-set fields removed. */
export function stripServerFields(o: Record<string, any>): Record<string, any> {
  const { status: _status, ...rest } = o;
  const metadata = { ...(rest.metadata ?? {}) };
  for (const k of SERVER_SET_METADATA) delete metadata[k];
  if (metadata.annotations) {
    metadata.annotations = Object.fromEntries(Object.entries(metadata.annotations).filter(([k]) => !k.startsWith('kubectl.kubernetes.io/last-applied') && !k.startsWith('deployment.kubernetes.io/') && !k.startsWith('meta.helm.sh/')));
  }
  return { ...rest, metadata };
}

/** `kubectl get -f <manifest dir> -o json --ignore-not-found` argv (exported for the structural test). */
export function kubectlGetArgs(manifestDir: string, args: Pick<DiffArgs, 'kubeconfig' | 'context'>): string[] {
  return ['get', '-f', manifestDir, '-o', 'json', '--ignore-not-found', ...(args.kubeconfig ? ['--kubeconfig', args.kubeconfig] : []), ...(args.context ? ['--context', args.context] : [])];
}

function kubectlBinary(): string {
  const local = path.join(REPO, '.tools', 'bin', 'kubectl');
  return fs.existsSync(local) ? local : 'kubectl';
}

/** The live side: every object of the desired manifests that exists in the cluster. */
function liveUnits(manifestDir: string, args: DiffArgs): DiffUnit[] {
  const r = run(kubectlBinary(), kubectlGetArgs(manifestDir, args), REPO, 5, 'kubectl get');
  const text = r.stdout.trim();
  if (text === '') return [];
  const parsed = JSON.parse(text) as { kind?: string; items?: Record<string, any>[] };
  const items = parsed.kind === 'List' ? parsed.items ?? [] : [parsed as Record<string, any>];
  return items.map((o) => objectUnit(stripServerFields(o)));
}

export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let args: DiffArgs;
  try {
    args = parseDiffArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    return (err as DiffError).code ?? 3;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-diff-'));
  let worktree: string | undefined;
  try {
    const now = path.join(tmp, 'now');
    synthesize(REPO, args.env, now, ['--records', path.join(tmp, 'records'), '--accept-lease-store-change']);
    const after = loadOutputs(path.join(now, 'dist'), path.join(now, 'cdktf.out'), args.env);
    let changes;
    let title: string;
    if (args.live) {
      const desired = after.filter((u) => u.group !== 'terraform' && u.kind !== 'values');
      const live = liveUnits(path.join(now, 'dist', args.env, 'k8s'), args);
      changes = compareUnits(live, desired, { live: true });
      title = `diff ${args.env}: live cluster${args.context ? ` (${args.context})` : ''} → this synth (manifests; fields synth does not set are ignored)`;
    } else {
      const ref = checkout(args.against, tmp);
      worktree = ref.dir;
      const then = path.join(tmp, 'then');
      synthesize(ref.dir, args.env, then);
      changes = compareUnits(loadOutputs(path.join(then, 'dist'), path.join(then, 'cdktf.out'), args.env), after);
      title = `diff ${args.env}: ${ref.label} → working tree`;
    }
    console.log(formatChanges(changes, title));
    return exitCodeFor(changes);
  } catch (err) {
    console.error(err instanceof DiffError ? err.message : `diff failed: ${(err as Error).stack ?? String(err)}`);
    return err instanceof DiffError ? err.code : 4;
  } finally {
    if (worktree) spawnSync('git', ['worktree', 'remove', '--force', worktree], { cwd: REPO });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}

export type { Json };
