/**
 * `validatePipelines(dir)`: every problem with the artifacts under `dir`, each with file, line, path
 * and fix. Per file: YAML syntax, kind and folder, schema, name, recorded digest. Across files: the
 * cross-reference rules of `cross-references.ts`.
 */
import { readArtifactFiles, type ArtifactFile } from '../artifacts/artifact-files';
import { formatPath } from '../artifacts/yaml-source';
import { ARTIFACT_KINDS, kindSchema } from '../schema/artifact-schemas';
import { checkSchema, isRecord } from '../schema/check-schema';
import type { ArtifactKindSchema } from '../schema/schema-language';
import { checkCrossReferences, type TypedArtifact } from './cross-references';
import { sortProblems, type Problem, type ProblemSink } from './problem';

export type { ProblemSink } from './problem';

export function validatePipelines(dir: string): Problem[] {
  return validateArtifactFiles(readArtifactFiles(dir)).problems;
}

export interface ValidationResult {
  readonly problems: Problem[];
  /** Artifacts that parsed and have a known kind (they may still have problems). */
  readonly artifacts: TypedArtifact[];
}

export function validateArtifactFiles(files: readonly ArtifactFile[]): ValidationResult {
  const problems: Problem[] = [];
  const sink: ProblemSink = {
    report(file, path, code, message, fix) {
      problems.push({ file: file.file, line: file.source.lineOf(path), path: formatPath(path), code, message, fix });
    },
  };
  const artifacts: TypedArtifact[] = [];
  for (const file of files) {
    const typed = checkFile(file, sink, problems);
    if (typed) artifacts.push(typed);
  }
  checkCrossReferences(artifacts, sink);
  return { problems: sortProblems(problems), artifacts };
}

function checkFile(file: ArtifactFile, sink: ProblemSink, problems: Problem[]): TypedArtifact | undefined {
  if (file.source.errors.length > 0) {
    for (const e of file.source.errors) {
      problems.push({ file: file.file, line: e.line, path: '(document)', code: 'yaml.syntax', message: e.message, fix: 'correct the YAML syntax at this line' });
    }
    return undefined;
  }
  const value = file.value;
  if (!isRecord(value)) {
    sink.report(file, [], 'artifact.not_mapping', 'the document is not a mapping', 'write the artifact as a YAML mapping starting with kind:, schema_version:, name:');
    return undefined;
  }
  const expectedKinds = ARTIFACT_KINDS.filter((k) => k.folder === file.folder).map((k) => k.kind);
  if (expectedKinds.length === 0) {
    const home = typeof value.kind === 'string' ? kindSchema(value.kind)?.folder : undefined;
    sink.report(file, [], 'artifact.unknown_folder', `${file.folder}/ is not an artifact folder`, home ? `move the file to ${home}/` : `artifacts live in ${ARTIFACT_KINDS.map((k) => `${k.folder}/`).join(', ')}`);
    return undefined;
  }
  const kind: ArtifactKindSchema | undefined = typeof value.kind === 'string' ? kindSchema(value.kind) : undefined;
  if (!kind) {
    sink.report(
      file,
      ['kind'],
      'artifact.kind',
      value.kind === undefined ? 'the artifact has no kind' : `unknown kind '${String(value.kind)}'`,
      `set kind: ${expectedKinds.join(' or ')} (files under ${file.folder}/ hold that kind)`,
    );
    return undefined;
  }
  if (kind.folder !== file.folder) {
    sink.report(file, ['kind'], 'artifact.folder', `a ${kind.kind} does not belong under ${file.folder}/`, `move the file to ${kind.folder}/ or set kind: ${expectedKinds.join(' or ')}`);
  }
  for (const v of checkSchema(value, kind.schema)) {
    const missingSelfDigest = kind.contentAddressed && v.code === 'schema.required' && v.path.length === 1 && v.path[0] === 'digest' && file.digest;
    sink.report(file, v.path, v.code, v.message, missingSelfDigest ? `add digest: ${file.digest}` : v.fix);
  }
  if (typeof value.name === 'string' && value.name !== file.expectedName) {
    sink.report(file, ['name'], 'artifact.name', `name '${value.name}' differs from the file name '${file.expectedName}'`, `set name: ${file.expectedName}, or rename the file to match`);
  }
  if (kind.contentAddressed && file.digest && typeof value.digest === 'string' && value.digest !== file.digest) {
    sink.report(file, ['digest'], 'digest.mismatch', `recorded digest ${value.digest} does not match the content (computed ${file.digest})`, `set digest: ${file.digest} (and update every reference to the old digest)`);
  }
  return { file, kind, value };
}
