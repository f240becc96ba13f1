/** Helpers to turn file lists into complete tar entry lists (explicit parent directories, 0755). */
import { normalizeLayerPath, type TarEntry } from './tar-writer';

/** Adds a `dir` entry for every missing ancestor of every entry. */
export function withParentDirectories(entries: readonly TarEntry[]): TarEntry[] {
  const present = new Set(entries.map((e) => normalizeLayerPath(e.path)));
  const out = [...entries];
  for (const entry of entries) {
    const parts = normalizeLayerPath(entry.path).split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!present.has(dir)) {
        present.add(dir);
        out.push({ type: 'dir', path: dir, mode: 0o755 });
      }
    }
  }
  return out;
}
