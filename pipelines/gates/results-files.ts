/**
 * Reading the JSON files other steps produce (bench and load results, the image build output) with
 * errors that name the file and what to do, and reading figures out of them by dotted path.
 */
import * as fs from 'fs';
import { sha256Hex } from '../artifacts/canonical-digest';
import { isRecord } from '../schema/check-schema';

export interface ResultsFile {
  /** The role of the file in the run (`bench_engine`), used in evidence instead of a machine path. */
  readonly role: string;
  readonly path: string;
  readonly value: unknown;
  /** sha256 of the file's bytes. */
  readonly sha256: string;
}

export class ResultsFileError extends Error {}

export function readResultsFile(role: string, file: string, producedBy: string): ResultsFile {
  if (!fs.existsSync(file)) {
    throw new ResultsFileError(`${role} results file '${file}' is missing; produce it with ${producedBy} or pass its path`);
  }
  const bytes = fs.readFileSync(file);
  try {
    return { role, path: file, value: JSON.parse(bytes.toString('utf8')), sha256: sha256Hex(bytes) };
  } catch (e) {
    throw new ResultsFileError(`${role} results file '${file}' is not JSON (${(e as Error).message}); re-run ${producedBy}`);
  }
}

/** The value at a dotted path (`gates.turn_open_decision.p95_ms`), or undefined. */
export function figureAt(value: unknown, dotted: string): unknown {
  let current: unknown = value;
  for (const key of dotted.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}
