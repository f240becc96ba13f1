/**
 * Architecture §9 ("who may import whom") as a test: every TypeScript file under a governed folder may
 * import only the folders listed for it, so a layering violation fails CI instead of review.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

/** Governed folders, most specific first, with the folders of ours each may import. */
const RULES: ReadonlyArray<{ folder: string; mayImport: readonly string[] }> = [
  { folder: 'runtime/contracts', mayImport: [] },
  { folder: 'runtime/engine', mayImport: ['runtime/contracts'] },
  { folder: 'runtime/authority', mayImport: ['runtime/contracts'] },
  { folder: 'runtime/bench', mayImport: ['runtime/engine', 'runtime/server', 'runtime/contracts'] },
  { folder: 'runtime/server', mayImport: ['runtime/engine', 'runtime/authority', 'runtime/contracts'] },
  { folder: 'runtime/control-plane', mayImport: ['runtime/contracts', 'runtime/authority', 'pipelines'] },
  { folder: 'pipelines', mayImport: ['runtime/contracts', 'runtime/engine'] },
  { folder: 'envs', mayImport: ['runtime/contracts'] },
  { folder: 'constructs', mayImport: ['envs', 'runtime/contracts'] },
  // The `rspp` bin (architecture §10) lives in stacks/ and drives the gates too.
  { folder: 'stacks/cli', mayImport: ['stacks', 'constructs', 'envs', 'runtime/contracts', 'pipelines'] },
  { folder: 'stacks', mayImport: ['constructs', 'envs', 'runtime/contracts'] },
];

/** Folders of ours that an import can land in (a resolved path is attributed to the longest match). */
const OUR_FOLDERS = [
  'runtime/contracts', 'runtime/engine', 'runtime/authority', 'runtime/server', 'runtime/control-plane',
  'runtime/image', 'runtime/bench', 'pipelines', 'envs', 'constructs', 'stacks', 'test',
];

/** Node built-ins the pure engine and contracts must not touch (no I/O, no timers). */
const IO_MODULES = ['fs', 'net', 'http', 'https', 'dgram', 'child_process', 'worker_threads', 'timers', 'tls', 'dns', 'cluster'];
const IO_PACKAGES = ['ws', 'etcd3'];
/** Packages only `stacks/` may import (architecture §5: keep cdktf contained). */
const CDKTF_PACKAGES = /^(cdktf|@cdktf\/)/;

function listTs(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') continue;
      out.push(...listTs(rel));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(rel);
    }
  }
  return out;
}

function specifiers(source: string): string[] {
  const found: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(re)) found.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return found;
}

function folderOf(relPath: string): string | undefined {
  const norm = relPath.split(path.sep).join('/');
  return OUR_FOLDERS.filter((f) => norm === f || norm.startsWith(f + '/')).sort((a, b) => b.length - a.length)[0];
}

function ruleFor(file: string) {
  const norm = file.split(path.sep).join('/');
  return RULES.find((r) => norm.startsWith(r.folder + '/'));
}

describe('architecture §9: who may import whom', () => {
  const files = [...new Set(RULES.flatMap((r) => listTs(r.folder)))];

  test('governed folders contain code to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  test('every import of ours stays within the allowed folders', () => {
    const violations: string[] = [];
    for (const file of files) {
      const rule = ruleFor(file)!;
      const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const spec of specifiers(source)) {
        if (!spec.startsWith('.')) continue;
        const target = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), spec));
        const targetFolder = folderOf(target);
        if (!targetFolder) {
          violations.push(`${file}: imports '${spec}' outside the governed folders`);
          continue;
        }
        if (targetFolder === rule.folder) continue;
        if (!rule.mayImport.includes(targetFolder)) {
          violations.push(`${file}: imports '${spec}' (${targetFolder}); ${rule.folder} may import only [${rule.mayImport.join(', ') || 'nothing of ours'}]`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  test('runtime/engine and runtime/contracts do no I/O: no fs/net/timers modules, ws or etcd', () => {
    const violations: string[] = [];
    for (const file of [...listTs('runtime/engine'), ...listTs('runtime/contracts')]) {
      const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const spec of specifiers(source)) {
        const bare = spec.replace(/^node:/, '').split('/')[0];
        if (IO_MODULES.includes(bare) || IO_PACKAGES.includes(spec)) violations.push(`${file}: imports '${spec}'`);
      }
      const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const banned of ['setTimeout(', 'setInterval(', 'setImmediate(', 'Date.now(', 'new Date(', 'Math.random(', 'performance.now(', 'process.hrtime']) {
        if (code.includes(banned)) violations.push(`${file}: uses ${banned.replace('(', '')} (time and randomness are inputs)`);
      }
    }
    expect(violations).toEqual([]);
  });

  test('the pure folders hold no benchmark: benches live in runtime/bench (clocks and files allowed there)', () => {
    const benches = [...listTs('runtime/engine'), ...listTs('runtime/contracts')].filter((f) => /bench/i.test(f));
    expect(benches).toEqual([]);
    expect(listTs('runtime/bench').length).toBeGreaterThan(0);
  });

  test('only stacks/ imports cdktf or its providers', () => {
    const violations: string[] = [];
    for (const file of files) {
      if (file.startsWith('stacks' + path.sep)) continue;
      const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const spec of specifiers(source)) if (CDKTF_PACKAGES.test(spec)) violations.push(`${file}: imports '${spec}'`);
    }
    expect(violations).toEqual([]);
  });
});
