/**
 * No import circle between our modules (type-only imports included): loading depends on validation or
 * validation on loading, never both. A circle is reported as the chain of files that closes it.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
/**
 * Folders held to it. (envs/ has type-only circles of the cluster-flavour registry, `cluster-flavour.ts`
 * ↔ `flavours/*.ts`; add envs, constructs and stacks here once those are broken.)
 */
const FOLDERS = ['runtime', 'pipelines'];

function listTs(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.split(path.sep).includes('node_modules'))
    .map((f) => path.join(dir, f).split(path.sep).join('/'));
}

function resolveImport(from: string, spec: string, known: ReadonlySet<string>): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  return [`${base}.ts`, `${base}/index.ts`].find((c) => known.has(c));
}

/** Every import circle, each as `a → b → … → a` (one per strongly connected component). */
export function importCircles(files: readonly string[]): string[] {
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  const re = /(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]*)['"]|import\(\s*['"](\.[^'"]*)['"]\s*\)/g;
  for (const file of files) {
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const targets = [...source.matchAll(re)].map((m) => resolveImport(file, m[1] ?? m[2], known)).filter((t): t is string => t !== undefined);
    edges.set(file, [...new Set(targets)]);
  }
  const circles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') circles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return circles;
}

describe('import circles', () => {
  const files = FOLDERS.flatMap(listTs);

  test('the repository has modules to check', () => {
    expect(files.filter((f) => f.startsWith('pipelines/')).length).toBeGreaterThan(10);
  });

  test('no module imports itself back through a chain (pipelines/ loader ↔ validator included)', () => {
    expect(importCircles(files)).toEqual([]);
  });
});
