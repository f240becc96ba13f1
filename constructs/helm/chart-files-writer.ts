/**
 * Writes generated chart files all-or-nothing: into a staging folder beside the target, then one
 * rename per chart root, so a failed generation never leaves a half-written chart behind.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Writes `files` (relative path → content) under `chartsDir`, replacing the top-level folders they name. */
export function writeChartFiles(chartsDir: string, files: ReadonlyMap<string, string>): string[] {
  fs.mkdirSync(chartsDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(chartsDir, '.staging-'));
  try {
    for (const [relative, content] of files) {
      if (path.isAbsolute(relative) || relative.split(/[\\/]/).includes('..')) {
        throw new Error(`chart file path ${relative} escapes the charts folder`);
      }
      const target = path.join(staging, relative);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
    const roots = [...new Set([...files.keys()].map((f) => f.split(/[\\/]/)[0]))];
    for (const root of roots) {
      fs.rmSync(path.join(chartsDir, root), { recursive: true, force: true });
      fs.renameSync(path.join(staging, root), path.join(chartsDir, root));
    }
    return [...files.keys()].map((f) => path.join(chartsDir, f));
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
