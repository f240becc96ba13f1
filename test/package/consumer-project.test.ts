/**
 * A platform team's project, built from the packed tarball (not from this repository's sources):
 * `npm pack` (prepack builds `lib/`), a fresh project that installs the tarball beside the newest
 * peer versions in the declared ranges, then
 *   - every `ts` block of README.md compiles (strict, both `node16` and `node` module resolution) and
 *     runs, producing the files its comments name;
 *   - the README's snapshot test runs twice with the testing helpers (second run in `--ci` mode: the
 *     snapshot is stable) and masks every digest;
 *   - the `rspp` bin synthesizes manifests, charts and Terraform, validates the consumer's own
 *     manifests, and answers `--help`; `rspp diff` compares two synth outputs.
 *
 * npm's cache is shared with the repository's own install (`--prefer-offline`), so this stays within a
 * couple of minutes on a warm machine.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const HELM_BIN = path.join(ROOT, '.tools', 'bin');

/** The README's TypeScript blocks, in order. */
const tsBlocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const isTestBlock = (code: string): boolean => /\btest\(/.test(code);
/** Output paths a block's comments promise (`// dist/voice.k8s.yaml`, `// cdktf.out/stacks/prod/cdk.tf.json`). */
const promisedOutputs = (code: string): string[] => [...code.matchAll(/\/\/\s*((?:dist|cdktf\.out)\/[\w./-]+)/g)].map((m) => m[1]);

const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1', CI: '' };
delete env.RSPP_RUNTIME_IMAGE_FILE;

function run(cmd: string, args: readonly string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) throw new Error(`${what} exited ${result.status}${result.error ? ` (${result.error.message})` : ''}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** `version` satisfies `^x.y.z` (same major, or same minor for 0.x; at least x.y.z). */
function inCaretRange(version: string, range: string): boolean {
  const [floor, got] = [range.replace(/^\^/, ''), version].map((v) => v.split('-')[0].split('.').map(Number));
  const fixed = floor[0] === 0 ? 2 : 1;
  if (floor.slice(0, fixed).some((n, i) => got[i] !== n)) return false;
  for (let i = 0; i < 3; i++) if (got[i] !== floor[i]) return got[i] > floor[i];
  return true;
}

describe('consumer project from the packed tarball', () => {
  let work: string;
  let project: string;
  let tarball: { file: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] };

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-consumer-'));
    const packed = JSON.parse(ok(run('npm', ['pack', '--json', '--pack-destination', work], ROOT), 'npm pack'))[0];
    tarball = { ...packed, file: path.join(work, packed.filename) };

    project = path.join(work, 'app');
    fs.mkdirSync(path.join(project, 'src'), { recursive: true });
    const dev = pkg.devDependencies as Record<string, string>;
    fs.writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({
        name: 'voice-platform',
        version: '0.0.0',
        private: true,
        dependencies: { '@rspp/platform': `file:${tarball.file}`, ...pkg.peerDependencies },
        devDependencies: Object.fromEntries(['typescript', 'jest', 'ts-jest', '@types/jest', '@types/node'].map((n) => [n, dev[n]])),
      }, null, 2),
    );
    const compilerOptions = { target: 'ES2022', lib: ['ES2022'], strict: true, esModuleInterop: true, skipLibCheck: false, types: ['node', 'jest'], rootDir: 'src', outDir: 'out' };
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'node16', moduleResolution: 'node16' }, include: ['src'] }));
    // Older setups resolve with `node` (node10): subpath types come from `typesVersions`.
    fs.writeFileSync(path.join(project, 'tsconfig.node10.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'commonjs', moduleResolution: 'node', noEmit: true }, include: ['src'] }));
    fs.writeFileSync(
      path.join(project, 'jest.config.js'),
      `module.exports = { testEnvironment: 'node', roots: ['<rootDir>/src'], transform: { '^.+\\\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.node10.json', isolatedModules: true }] } };\n`,
    );
    tsBlocks.forEach((code, i) => fs.writeFileSync(path.join(project, 'src', `readme-${i + 1}${isTestBlock(code) ? '.test' : ''}.ts`), code));
    ok(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], project), 'npm install');
  }, 480_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('the tarball ships lib/ (js + d.ts), the pipeline artifacts and the README; no sources, tests or benches', () => {
    const files = tarball.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'lib/index.js', 'lib/index.d.ts', 'lib/stacks/cli/rspp.js', 'lib/stacks/testing/index.d.ts', 'pipelines/bundles/simple_v1.yaml']));
    expect(files.filter((f) => /(^|\/)test\/|\.test\.|(^|\/)bench\/|(?<!\.d)\.ts$/.test(f))).toEqual([]);
    expect(tarball.entryCount).toBeLessThan(700);
    expect(tarball.size).toBeLessThan(1_000_000);
  });

  test('one copy of each peer: the package resolves constructs/cdk8s/cdktf from the consumer, newest in range', () => {
    const nested = path.join(project, 'node_modules', '@rspp', 'platform', 'node_modules');
    for (const peer of Object.keys(pkg.peerDependencies)) {
      expect({ peer, nested: fs.existsSync(path.join(nested, peer)) }).toEqual({ peer, nested: false });
      expect(fs.existsSync(path.join(project, 'node_modules', peer, 'package.json'))).toBe(true);
    }
    const ls = JSON.parse(ok(run('npm', ['ls', '--json', '--depth=0', ...Object.keys(pkg.peerDependencies)], project), 'npm ls'));
    for (const [peer, range] of Object.entries<string>(pkg.peerDependencies)) {
      const installed: string = ls.dependencies[peer].version;
      expect({ peer, range, inRange: inCaretRange(installed, range) }).toEqual({ peer, range, inRange: true });
    }
  });

  test('every README ts block compiles (node16 and node resolution) and runs, writing the files its comments name', () => {
    expect(tsBlocks.length).toBeGreaterThanOrEqual(4);
    ok(run('npx', ['tsc', '-p', 'tsconfig.json'], project), 'tsc (node16)');
    ok(run('npx', ['tsc', '-p', 'tsconfig.node10.json'], project), 'tsc (node10)');
    tsBlocks.forEach((code, i) => {
      if (isTestBlock(code)) return;
      const cwd = path.join(project, `run-${i + 1}`);
      fs.mkdirSync(cwd);
      ok(run('node', [path.join(project, 'out', `readme-${i + 1}.js`)], cwd), `README block ${i + 1}`);
      const promised = promisedOutputs(code);
      expect({ block: i + 1, promised: promised.length > 0 }).toEqual({ block: i + 1, promised: true });
      for (const out of promised) expect({ block: i + 1, out, exists: fs.existsSync(path.join(cwd, out)) }).toEqual({ block: i + 1, out, exists: true });
    });
    // The composition example's manifests and the chart + Terraform example name the consumer's objects.
    expect(fs.readFileSync(path.join(project, 'run-1', 'dist', 'voice.k8s.yaml'), 'utf8')).toContain('name: voice-runtime');
    const stack = JSON.parse(fs.readFileSync(path.join(project, 'run-3', 'cdktf.out', 'stacks', 'prod', 'cdk.tf.json'), 'utf8'));
    const platformRelease = Object.values<Record<string, unknown>>(stack.resource.helm_release).find((r) => String(r.chart).endsWith('charts/rspp-platform'));
    expect(platformRelease).toBeDefined();
  });

  test("the README's snapshot test passes with the testing helpers, twice (stable), with digests masked", () => {
    const block = tsBlocks.findIndex(isTestBlock) + 1;
    expect(block).toBeGreaterThan(0);
    ok(run('npx', ['jest', '--ci=false'], project), 'jest (writes the snapshot)');
    const snapshot = fs.readFileSync(path.join(project, 'src', '__snapshots__', `readme-${block}.test.ts.snap`), 'utf8');
    expect(snapshot).toContain('kind: Deployment');
    expect(snapshot).toMatch(/image: ghcr\.io\/[\w./-]+@<sha256 #\d+>/);
    expect(snapshot).not.toMatch(/[0-9a-f]{64}/);
    ok(run('npx', ['jest', '--ci'], project), 'jest --ci (the snapshot matches)');
  });

  test('the rspp bin: synth writes manifests, charts and Terraform; validate checks the consumer manifests; --help everywhere', () => {
    const haveHelm = fs.existsSync(path.join(HELM_BIN, 'helm'));
    const binEnv = { PATH: `${HELM_BIN}${path.delimiter}${process.env.PATH}` };
    const synth = run('npx', ['rspp', 'synth', '--env', 'prod', '--out', 'bin-out/dist', '--tf-out', 'bin-out/cdktf.out', ...(haveHelm ? [] : ['--skip-lint'])], project, binEnv);
    expect(ok(synth, 'rspp synth')).toMatch(/synth all ok: manifests, charts and Terraform for prod/);
    if (haveHelm) expect(synth.stdout).toContain('helm lint --strict: passed');
    for (const out of ['dist/prod/k8s', 'dist/prod/charts/rspp-platform/Chart.yaml', 'cdktf.out/stacks/prod/cdk.tf.json']) {
      expect({ out, exists: fs.existsSync(path.join(project, 'bin-out', out)) }).toEqual({ out, exists: true });
    }

    const validate = ok(run('npx', ['rspp', 'validate', '--env', 'prod', 'run-1/dist/voice.k8s.yaml'], project), 'rspp validate');
    expect(validate).toMatch(/^validation \(prod\): PASSED: \d+ objects from 1 files, 0 errors/);
    expect(validate).toMatch(/policy \(prod\): PASSED/);

    const same = run('npx', ['rspp', 'diff', '--env', 'prod', '--before', 'bin-out', '--after', 'bin-out'], project);
    expect({ status: same.status, stdout: same.stdout.trim() }).toEqual({ status: 0, stdout: 'diff prod: bin-out → bin-out\nno changes' });
    const diff = run('npx', ['rspp', 'diff', 'a', 'b'], project);
    expect({ status: diff.status, stderr: diff.stderr.split('\n')[0] }).toEqual({ status: 3, stderr: 'rspp diff: unknown argument a' });
    for (const command of [[], ['synth'], ['validate'], ['diff'], ['gates']]) {
      const help = run('npx', ['rspp', ...command, '--help'], project);
      expect({ command, status: help.status }).toEqual({ command, status: 0 });
      expect(help.stdout).toMatch(/usage|not available/);
    }
    expect(run('npx', ['rspp', 'gates', '--help'], project).stdout).toContain('dist/bench/engine.json    from `npm run bench`');
  });
});
