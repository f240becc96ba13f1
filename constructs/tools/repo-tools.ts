/**
 * Locates the command-line tools the repository installs for itself (`test/tools/install-test-tools.sh`
 * puts helm and kubectl in `.tools/bin`), falling back to the same name on PATH.
 */
import { existsSync } from 'fs';
import * as path from 'path';

export type RepoToolName = 'helm' | 'kubectl';

/** `.tools/bin/<name>` in the first ancestor of cwd (or of this file) that has one; else `<name>` (PATH). */
export function repoTool(name: RepoToolName): string {
  for (const start of [process.cwd(), __dirname]) {
    let dir = start;
    for (;;) {
      const candidate = path.join(dir, '.tools', 'bin', name);
      if (existsSync(candidate)) return candidate;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return name;
}
