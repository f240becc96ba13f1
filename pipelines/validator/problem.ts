import type { ArtifactFile } from '../artifacts/artifact-files';
import type { ValuePath } from '../artifacts/yaml-source';

/**
 * One thing wrong with the pipeline artifacts: where it is (file, line, path), what is wrong, and how
 * to fix it. The validator returns every problem it finds, never just the first.
 */
export interface Problem {
  /** Path of the file, relative to the pipelines directory, `/`-separated (`bundles/simple_v1.yaml`). */
  readonly file: string;
  /** 1-based line in `file` the problem is about (the field's line, or its parent's when it is missing). */
  readonly line: number;
  /** Path of the value inside the artifact (`edges[2].from`), or `(document)`. */
  readonly path: string;
  /** Stable code of the rule that failed (`schema.required`, `ref.mutable`, `digest.mismatch`, ...). */
  readonly code: string;
  readonly message: string;
  /** One line telling the author what to change. */
  readonly fix: string;
}

/** Where the checks report what they find (the validator collects; the checks never throw). */
export interface ProblemSink {
  report(file: ArtifactFile, path: ValuePath, code: string, message: string, fix: string): void;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line} ${p.path}: ${p.message} [${p.code}]\n    fix: ${p.fix}`;
}

/** Problems in a stable order: by file, line, path, code. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => cmp(a.file, b.file) || a.line - b.line || cmp(a.path, b.path) || cmp(a.code, b.code) || cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
