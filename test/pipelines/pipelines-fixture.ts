/**
 * Test helper: a scratch copy of the shipped pipelines directory, edited per test, so every bad-input
 * case starts from artifacts known to be valid and differs from them by exactly the edit under test.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const SHIPPED_PIPELINES = path.resolve(__dirname, '..', '..', 'pipelines');

export type Edit = (text: string) => string;

/** Copies the shipped YAML artifacts (and their data files) into a temp dir and applies the edits. */
export function pipelinesCopy(edits: Record<string, Edit> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-pipelines-'));
  fs.cpSync(SHIPPED_PIPELINES, dir, {
    recursive: true,
    filter: (src) => !src.endsWith('.ts') && !src.endsWith('README.md'),
  });
  for (const [file, edit] of Object.entries(edits)) {
    const abs = path.join(dir, file);
    const before = fs.readFileSync(abs, 'utf8');
    const after = edit(before);
    if (after === before) throw new Error(`edit of ${file} changed nothing; the test is not testing what it says`);
    fs.writeFileSync(abs, after);
  }
  return dir;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Replaces exactly one occurrence (throws if absent or ambiguous). */
export function replaceOnce(search: string | RegExp, replacement: string): Edit {
  return (text) => {
    const matches = typeof search === 'string' ? text.split(search).length - 1 : (text.match(new RegExp(search.source, search.flags.includes('g') ? search.flags : `${search.flags}g`)) ?? []).length;
    if (matches !== 1) throw new Error(`expected exactly one match of ${String(search)}, found ${matches}`);
    return text.replace(search, replacement);
  };
}

/** 1-based line of the first line containing `needle` in the file under `dir`. */
export function lineContaining(dir: string, file: string, needle: string): number {
  const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`'${needle}' not found in ${file}`);
  return i + 1;
}
