/**
 * Architecture §9 and turn-engine.md: the engine is a pure core (no fs/net/timers/clock/randomness;
 * imports only runtime/contracts), and runtime/contracts imports nothing of ours. Benchmarks live
 * outside the pure folders (`runtime/bench/`), so nothing under them is exempt.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const sources = (dir: string) =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: `${dir}/${f}`, text: readFileSync(join(root, dir, f), 'utf8') }));
const importsOf = (text: string) => [...text.matchAll(/(?:from|import)\s+'([^']+)'/g)].map((m) => m[1]);

describe('purity and import rules', () => {
  test.each(sources('runtime/engine').map((s) => [s.file, s.text]))('%s: no I/O, timers, clocks or randomness', (_file, text) => {
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    for (const banned of [/Date\.now/, /new Date\b/, /Math\.random/, /setTimeout/, /setInterval/, /setImmediate/, /performance\./, /process\./, /require\(/]) {
      expect({ banned: String(banned), found: banned.test(code) }).toEqual({ banned: String(banned), found: false });
    }
    for (const spec of importsOf(text)) {
      const ok = spec.startsWith('./') || spec.startsWith('../contracts/') || spec === 'node:crypto';
      expect({ import: spec, allowed: ok }).toEqual({ import: spec, allowed: true });
    }
  });

  test.each(sources('runtime/contracts').map((s) => [s.file, s.text]))('%s imports nothing outside runtime/contracts but the schema library', (_file, text) => {
    for (const spec of importsOf(text)) {
      const allowed = spec.startsWith('./') || spec === '../runtime-interface' || spec === '@sinclair/typebox' || spec.startsWith('@sinclair/typebox/');
      expect({ import: spec, allowed }).toEqual({ import: spec, allowed: true });
    }
  });
});
