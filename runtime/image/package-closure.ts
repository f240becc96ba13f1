/**
 * Third-party code in the image: the packages our closure requires plus their transitive
 * `dependencies` / `optionalDependencies` (as installed), resolved the way Node resolves them
 * (nearest `node_modules` upwards, so nested versions are kept where npm nested them). Dev
 * dependencies and everything nobody requires (cdk8s, cdktf, jest, ...) stay out.
 *
 * Files that cannot matter at run time are pruned: TypeScript sources and declarations, source
 * maps, markdown, tests, docs, examples, `.bin`. License files are kept.
 */
import { existsSync, readdirSync, readFileSync, lstatSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export interface PackageFile {
  /** Path under `node_modules/` (e.g. `node_modules/etcd3/lib/index.js`). */
  readonly imagePath: string;
  readonly sourcePath: string;
  readonly mode: number;
}

export interface ResolvedPackage {
  readonly name: string;
  readonly version: string;
  /** Where it is installed, repo-relative (`node_modules/@grpc/grpc-js`). */
  readonly location: string;
}

export interface PackageClosure {
  readonly packages: readonly ResolvedPackage[];
  readonly files: readonly PackageFile[];
  /** Required at run time but not listed in the root package.json `dependencies` (a packaging bug to fix). */
  readonly undeclared: readonly string[];
}

const PRUNED_FILE = /(\.d\.[cm]?ts|\.ts|\.tsx|\.map|\.md|\.markdown|\.tsbuildinfo)$/i;
const KEPT_DESPITE_PATTERN = /^(license|licence|notice|copying)(\.md)?$/i;
/** Pruned anywhere. */
const PRUNED_DIR_ANYWHERE = new Set(['.bin', '.github', '__tests__', '.nyc_output']);
/** Pruned only at a package's root (deeper, such names can be code: yaml ships dist/doc/*.js). */
const PRUNED_DIR_AT_ROOT = new Set(['test', 'tests', 'docs', 'doc', 'example', 'examples', 'benchmark', 'benchmarks', 'coverage']);

export function collectPackageClosure(repoRoot: string, roots: readonly string[]): PackageClosure {
  const rootManifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const declared = new Set(Object.keys(rootManifest.dependencies ?? {}));
  const byLocation = new Map<string, ResolvedPackage>();
  const queue: Array<{ name: string; from: string; optional: boolean }> = roots.map((name) => ({ name, from: repoRoot, optional: false }));
  while (queue.length > 0) {
    const { name, from, optional } = queue.shift()!;
    const dir = findPackageDir(name, from, repoRoot);
    if (!dir) {
      if (optional) continue;
      throw new Error(`image: package "${name}" (needed from ${relative(repoRoot, from) || '.'}) is not installed; run npm ci`);
    }
    const location = relative(repoRoot, dir).split(sep).join('/');
    if (byLocation.has(location)) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      version?: string;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    byLocation.set(location, { name, version: manifest.version ?? '0.0.0', location });
    for (const dep of Object.keys(manifest.dependencies ?? {})) queue.push({ name: dep, from: dir, optional: false });
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) queue.push({ name: dep, from: dir, optional: true });
  }
  const packages = [...byLocation.values()].sort((a, b) => (a.location < b.location ? -1 : 1));
  const files: PackageFile[] = [];
  for (const pkg of packages) {
    const nestedRoots = new Set(packages.filter((p) => p.location.startsWith(`${pkg.location}/node_modules/`)).map((p) => p.location));
    walk(join(repoRoot, pkg.location), pkg.location, files, nestedRoots, true);
  }
  const undeclared = roots.filter((name) => !declared.has(name)).sort();
  return { packages, files: files.sort((a, b) => (a.imagePath < b.imagePath ? -1 : 1)), undeclared };
}

function findPackageDir(name: string, from: string, repoRoot: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === repoRoot || dirname(dir) === dir) return undefined;
  }
}

function walk(absDir: string, imageDir: string, out: PackageFile[], nestedRoots: ReadonlySet<string>, atRoot: boolean): void {
  for (const entry of readdirSync(absDir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const abs = join(absDir, entry.name);
    const imagePath = `${imageDir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') {
        // Nested packages are walked as packages of their own, and only if they are in the closure.
        continue;
      }
      if (PRUNED_DIR_ANYWHERE.has(entry.name) || (atRoot && PRUNED_DIR_AT_ROOT.has(entry.name)) || nestedRoots.has(imagePath)) continue;
      walk(abs, imagePath, out, nestedRoots, false);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      if (PRUNED_FILE.test(entry.name) && !KEPT_DESPITE_PATTERN.test(entry.name)) continue;
      const real = entry.isSymbolicLink() ? realpathSync(abs) : abs;
      if (!lstatSync(real).isFile()) continue;
      const mode = (lstatSync(real).mode & 0o111) !== 0 ? 0o755 : 0o644;
      out.push({ imagePath, sourcePath: real, mode });
    }
  }
}
