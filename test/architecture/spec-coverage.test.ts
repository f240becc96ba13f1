/**
 * Every conformance case of `../shared/spec/conformance-cases.md` is a named test: its id appears in
 * the name of a `test`/`it`/`describe` block under `test/runtime/`. A case added to the spec without a
 * test fails here.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const CASES = path.resolve(process.env.RSPP_DESIGN_DIR ?? path.resolve(ROOT, '..', 'shared'), 'spec', 'conformance-cases.md');

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? testFiles(p) : e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** The names of test blocks (first string argument of test/it/describe, incl. `.each` tables' titles). */
function blockNames(source: string): string[] {
  const names: string[] = [];
  for (const m of source.matchAll(/\b(?:test|it|describe)(?:\.\w+)*\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)) names.push(m[2]);
  // `test.each(table)('name %s', ...)`: the name is the first argument of the call on each()'s result.
  for (const m of source.matchAll(/\b(?:test|it|describe)\.each\b[\s\S]*?\)\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)) names.push(m[2]);
  return names;
}

describe('conformance cases are named tests', () => {
  // The design folder sits beside the repository (as laid out for developers and CI), not inside the
  // package: without it the checks show as skipped, with the reason in the name, and read nothing.
  if (!fs.existsSync(CASES)) {
    test.skip(`skipped: ${path.relative(ROOT, CASES)} not found (the design folder ../shared is absent)`, () => undefined);
    return;
  }
  const ids = [...fs.readFileSync(CASES, 'utf8').matchAll(/^\| ((?:CT|LC|CF|AE|BF|ML|RD|FI|QG)-[A-Za-z0-9]+) \|/gm)].map((m) => m[1]);
  const names = testFiles(path.join(ROOT, 'test', 'runtime')).flatMap((f) => blockNames(fs.readFileSync(f, 'utf8')));

  test('the spec lists the cases', () => {
    expect(ids.length).toBeGreaterThanOrEqual(60);
  });

  test('every case id is in a test name', () => {
    const missing = ids.filter((id) => !names.some((n) => new RegExp(`(^|[^A-Za-z0-9-])${id}($|[^A-Za-z0-9])`).test(n)));
    expect(missing).toEqual([]);
  });
});
