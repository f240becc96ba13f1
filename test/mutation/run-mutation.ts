/**
 * `npm run test:mutation [-- <module>...]`: StrykerJS per module (see `modules.ts`). Each module runs
 * only its own tests, with per-test coverage analysis and the TypeScript checker (mutants that do not
 * compile are excluded from the score). Reports: `dist/mutation/<module>/index.html` and
 * `mutation.json`; a summary of every run is `dist/mutation/summary.json`. Exits non-zero when a
 * module scores below its target.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { MUTATION_MODULES, type MutationModule } from './modules';

const ROOT = path.resolve(__dirname, '../..');
const OUT = path.join(ROOT, 'dist/mutation');
/** The machine is shared: never more than two test-runner processes. */
const CONCURRENCY = 2;

/** `file:start-end` ranges of the named functions/methods (1-based lines) in a TypeScript file. */
export function functionRanges(file: string, names: readonly string[]): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if ((ts.isMethodDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isGetAccessorDeclaration(node)) && node.name && node.body) {
      const name = node.name.getText(sf);
      if (names.includes(name)) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
        found.set(name, `${file}:${start}-${end}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  const missing = names.filter((n) => !found.has(n));
  if (missing.length > 0) throw new Error(`test/mutation/modules.ts: ${file} has no function named ${missing.join(', ')}; update the module's functions list`);
  return names.map((n) => found.get(n)!);
}

export function strykerConfig(m: MutationModule, force = false): Record<string, unknown> {
  const mutate = m.mutate.flatMap((x) => (typeof x === 'string' ? [x] : functionRanges(x.file, x.functions)));
  const dir = `dist/mutation/${m.name}`;
  return {
    $schema: '../../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    packageManager: 'npm',
    testRunner: 'jest',
    jest: {
      projectType: 'custom',
      configFile: 'jest.config.js',
      config: { testMatch: m.tests.map((t) => `<rootDir>/${t}`), testPathIgnorePatterns: ['/node_modules/', ...(m.skipTests ?? []).map((t) => `<rootDir>/${t}`)] },
      enableFindRelatedTests: false,
    },
    checkers: ['typescript'],
    tsconfigFile: 'test/mutation/tsconfig.json',
    coverageAnalysis: 'perTest',
    concurrency: CONCURRENCY,
    mutate,
    ignorePatterns: ['dist', 'lib', 'cdktf.out', 'coverage', '.gen', '.tools', 'test/**/__snapshots__/**/*.snap.bak'],
    // Incremental: a re-run reuses the previous results of mutants whose code and covering tests did
    // not change (Stryker's own diff of code and tests); `--force` re-tests every mutant.
    incremental: true,
    incrementalFile: `${dir}/stryker-incremental.json`,
    force,
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    reporters: ['clear-text', 'progress', 'html', 'json'],
    clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0, reportScoreTable: true },
    htmlReporter: { fileName: `${dir}/index.html` },
    jsonReporter: { fileName: `${dir}/mutation.json` },
    thresholds: { high: m.target, low: m.target - 10, break: null },
    // A mutant that loops forever is detected after this much beyond its tests' normal time.
    timeoutMS: 3000,
    logLevel: 'info',
    fileLogLevel: 'off',
  };
}

interface Score {
  readonly module: string;
  readonly score: number;
  readonly killed: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly timeout: number;
  readonly compileErrors: number;
  readonly seconds: number;
  readonly target: number;
}

/** Mutation score as Stryker defines it: detected / (detected + undetected); compile errors excluded. */
export function scoreOf(report: { files: Record<string, { mutants: { status: string }[] }> }): Omit<Score, 'module' | 'seconds' | 'target'> {
  const count = (s: string) => Object.values(report.files).reduce((n, f) => n + f.mutants.filter((x) => x.status === s).length, 0);
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const detected = killed + timeout;
  const total = detected + survived + noCoverage;
  return { score: total === 0 ? 100 : Math.round((10000 * detected) / total) / 100, killed, survived, noCoverage, timeout, compileErrors: count('CompileError') };
}

function runModule(m: MutationModule, force: boolean): Score | undefined {
  const dir = path.join(OUT, m.name);
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'stryker.config.json');
  fs.writeFileSync(configFile, JSON.stringify(strykerConfig(m, force), null, 2));
  console.log(`\n== mutation: ${m.name} (${m.describe})`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', path.relative(ROOT, configFile)], { cwd: ROOT, stdio: 'inherit' });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (r.status !== 0) {
    console.error(`stryker failed for module ${m.name} (exit ${r.status}); see the output above`);
    return undefined;
  }
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'mutation.json'), 'utf8'));
  return { module: m.name, seconds, target: m.target, ...scoreOf(report) };
}

function main(args: readonly string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`usage: npm run test:mutation [-- <module>...] [--force]\n  StrykerJS per module (reports in dist/mutation/<module>/); incremental unless --force\n  modules: ${MUTATION_MODULES.map((m) => m.name).join(', ')}`);
    return 0;
  }
  const force = args.includes('--force');
  const argv = args.filter((a) => a !== '--force');
  const unknown = argv.filter((a) => !MUTATION_MODULES.some((m) => m.name === a));
  if (unknown.length > 0) {
    console.error(`unknown mutation module ${unknown.join(', ')}; known: ${MUTATION_MODULES.map((m) => m.name).join(', ')}`);
    return 2;
  }
  const chosen = argv.length === 0 ? MUTATION_MODULES : MUTATION_MODULES.filter((m) => argv.includes(m.name));
  const results = chosen.map((m) => ({ m, score: runModule(m, force) }));
  const failed = results.filter((r) => r.score === undefined).map((r) => r.m.name);
  const scores = results.flatMap((r) => (r.score ? [r.score] : []));
  fs.writeFileSync(path.join(OUT, 'summary.json'), JSON.stringify(scores, null, 2) + '\n');
  console.log('\nmodule                score   target  killed  survived  no-cov  timeout  compile-err  time');
  for (const s of scores) {
    console.log(
      `${s.module.padEnd(20)}  ${`${s.score}%`.padStart(6)}  ${`${s.target}%`.padStart(6)}  ${String(s.killed).padStart(6)}  ${String(s.survived).padStart(8)}  ${String(s.noCoverage).padStart(6)}  ${String(s.timeout).padStart(7)}  ${String(s.compileErrors).padStart(11)}  ${s.seconds}s`,
    );
  }
  const below = scores.filter((s) => s.score < s.target);
  if (below.length > 0) console.error(`\nbelow target: ${below.map((s) => `${s.module} ${s.score}% < ${s.target}%`).join(', ')}`);
  if (failed.length > 0) console.error(`\nstryker did not complete: ${failed.join(', ')}`);
  return below.length > 0 || failed.length > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
