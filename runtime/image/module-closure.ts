/**
 * Our own code in the image: the transitive closure of modules reachable from the entry points,
 * compiled file by file with `ts.transpileModule` (the repo compiles with `isolatedModules`, so a
 * per-file transpile gives the same JavaScript as `tsc` and does not depend on anyone else's type
 * errors). Only what the entry points reach is shipped: cdk8s/cdktf constructs and stacks never are.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

export interface CompiledModule {
  /** Repo-relative path of the emitted file, `lib/`-rooted (e.g. `lib/runtime/server/main.js`). */
  readonly outputPath: string;
  readonly content: Buffer;
}

export interface ModuleClosure {
  readonly modules: readonly CompiledModule[];
  /** Bare package names required by the closure (e.g. `etcd3`, `yaml`), sorted. */
  readonly packages: readonly string[];
}

const REQUIRE_PATTERN = /\brequire\(\s*"([^"]+)"\s*\)|\brequire\(\s*'([^']+)'\s*\)/g;
const BUILTINS = new Set(builtinModules);

/** The compiler options the build uses (tsconfig.build.json), adjusted for shipping: no maps, no declarations. */
function compilerOptions(repoRoot: string): ts.CompilerOptions {
  const configPath = join(repoRoot, 'tsconfig.build.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(`image: cannot read ${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, repoRoot);
  // Output-layout options do not apply to a single-file transpile (and rootDir would reject it).
  const { rootDir: _rootDir, outDir: _outDir, tsBuildInfoFile: _buildInfo, composite: _composite, ...options } = parsed.options;
  return { ...options, sourceMap: false, inlineSourceMap: false, declaration: false, declarationMap: false, removeComments: false };
}

export function collectModuleClosure(repoRoot: string, entryPoints: readonly string[]): ModuleClosure {
  const options = compilerOptions(repoRoot);
  const root = resolve(repoRoot);
  const seen = new Map<string, CompiledModule>();
  const packages = new Set<string>();
  const queue = entryPoints.map((entry) => {
    const abs = resolve(root, entry);
    if (!existsSync(abs)) throw new Error(`image: entry point ${entry} does not exist (expected ${abs})`);
    return abs;
  });
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    const rel = relative(root, file);
    if (rel.startsWith('..')) throw new Error(`image: ${file} is outside the repository`);
    const source = readFileSync(file, 'utf8');
    let js: string;
    if (file.endsWith('.json')) {
      js = source;
    } else {
      const out = ts.transpileModule(source, { compilerOptions: options, fileName: rel.split(sep).join('/'), reportDiagnostics: true });
      const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
      if (errors.length > 0) {
        throw new Error(`image: ${rel} does not compile: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ')}`);
      }
      js = out.outputText;
    }
    const outputPath = join('lib', rel).split(sep).join('/').replace(/\.ts$/, '.js');
    seen.set(file, { outputPath, content: Buffer.from(js, 'utf8') });
    if (file.endsWith('.json')) continue;
    for (const match of js.matchAll(REQUIRE_PATTERN)) {
      const specifier = match[1] ?? match[2];
      if (specifier.startsWith('.')) {
        queue.push(resolveRelative(file, specifier));
      } else if (!specifier.startsWith('node:') && !BUILTINS.has(specifier)) {
        packages.add(packageName(specifier));
      }
    }
  }
  const modules = [...seen.values()].sort((a, b) => (a.outputPath < b.outputPath ? -1 : 1));
  return { modules, packages: [...packages].sort() };
}

function resolveRelative(fromFile: string, specifier: string): string {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [`${base}.ts`, join(base, 'index.ts'), base.endsWith('.json') ? base : `${base}.json`, base.replace(/\.js$/, '.ts')];
  for (const candidate of candidates) {
    if (existsSync(candidate) && statSync(candidate).isFile() && !candidate.endsWith('.d.ts')) return candidate;
  }
  throw new Error(`image: cannot resolve "${specifier}" from ${fromFile} (tried ${candidates.join(', ')})`);
}

export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
