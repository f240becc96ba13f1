/**
 * Finds and parses the artifact files of a pipelines directory, in a stable order. No validation
 * here beyond YAML syntax: `validator/validate-pipelines.ts` judges what this reads.
 */
import * as fs from 'fs';
import * as path from 'path';
import { artifactDigest, type Digest } from './canonical-digest';
import { YamlSource } from './yaml-source';

/** Artifact folders (the top level of a pipelines directory) that hold YAML artifacts. */
export const ARTIFACT_FOLDERS = ['specs', 'profiles', 'policies', 'extensions', 'bundles', 'rollouts', 'compat', 'replay', 'tests', 'examples'] as const;

/** A file whose artifact takes its folder's name instead of the file's (for folder-shaped artifacts). */
export const FOLDER_MANIFEST_FILE = 'manifest.yaml';

export interface ArtifactFile {
  /** Relative to the pipelines directory, `/`-separated. */
  readonly file: string;
  readonly absPath: string;
  readonly source: YamlSource;
  /** The parsed value (undefined when the YAML has syntax errors). */
  readonly value: unknown;
  /** Content digest of the parsed value (undefined when it does not parse). */
  readonly digest?: Digest;
  /** The name the artifact must carry: its file base name, or its folder's for `manifest.yaml`. */
  readonly expectedName: string;
  /** The top-level artifact folder it lives in (`bundles`). */
  readonly folder: string;
}

export function readArtifactFiles(dir: string): ArtifactFile[] {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new Error(`pipelines directory '${root}' does not exist; pass the directory holding specs/, profiles/, bundles/, ...`);
  }
  const files: ArtifactFile[] = [];
  // Known folders first, then any other folder holding YAML (a misplaced artifact is reported, not ignored).
  const others = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !(ARTIFACT_FOLDERS as readonly string[]).includes(e.name) && e.name !== 'node_modules' && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  for (const folder of [...ARTIFACT_FOLDERS, ...others]) {
    for (const absPath of listYaml(path.join(root, folder))) {
      const file = path.relative(root, absPath).split(path.sep).join('/');
      const source = YamlSource.readFile(absPath);
      const base = path.basename(absPath);
      const expectedName = base === FOLDER_MANIFEST_FILE ? path.basename(path.dirname(absPath)) : base.replace(/\.ya?ml$/, '');
      let digest: Digest | undefined;
      if (source.value !== undefined) {
        try {
          digest = artifactDigest(source.value);
        } catch {
          digest = undefined; // not JSON-representable; the schema check reports why
        }
      }
      files.push({ file, absPath, source, value: source.value, digest, expectedName, folder });
    }
  }
  return files;
}

function listYaml(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listYaml(abs));
    else if (/\.ya?ml$/.test(entry.name)) out.push(abs);
  }
  return out;
}
