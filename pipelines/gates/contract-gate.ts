/**
 * Contract gate. Three checks, all reported together:
 *  1. the pipeline artifacts validate (schemas, digests, cross-references, no mutable reference);
 *  2. every recorded contract value of the replay set decodes with the strict decoders of release N;
 *  3. the N/N-1 compat matrix holds: N reads what N-1 wrote (additive-only change, proved with the
 *     contracts' compatibility checker against the frozen N-1 snapshot), and a `supported` N → N-1
 *     cell holds only while N added nothing N-1's strict decoders would refuse.
 */
import * as path from 'path';
import { checkCompatibility, CONTRACTS_SCHEMA_VERSION, type ContractSchemaSet } from '../../runtime/contracts/v1';
import type { ArtifactSet } from '../artifacts/artifact-loader';
import type { CompatMatrixArtifact } from '../artifacts/artifact-types';
import { formatProblem, type Problem } from '../validator/problem';
import { readContractSnapshot } from './contract-snapshot';
import type { GateOutcome } from './gate-types';
import { decodeRecordedContracts, type DecodeSummary } from './recorded-contracts';

export interface ContractGateInputs {
  readonly problems: readonly Problem[];
  /** Undefined when the artifacts did not validate. */
  readonly set?: ArtifactSet;
  readonly current: ContractSchemaSet;
  /** The gates manifest the later gates read; it must be among the artifacts. */
  readonly gatesManifest: string;
}

interface CompatEvidence {
  readonly matrix: string;
  readonly current: string;
  readonly previous: string;
  readonly compatible: boolean;
  readonly problems: readonly string[];
  readonly additions: readonly string[];
  readonly cells: ReadonlyArray<{ readonly producer: string; readonly consumer: string; readonly supported: boolean; readonly holds: boolean }>;
}

export function runContractGate(inputs: ContractGateInputs): GateOutcome {
  if (!inputs.set) {
    return {
      passed: false,
      reason: `pipeline artifacts have ${inputs.problems.length} problem(s): ${inputs.problems.map((p) => formatProblem(p).replace(/\n\s*/g, ' ')).join('; ')}`,
      evidence: { artifact_problems: inputs.problems },
    };
  }
  const failures: string[] = [];
  const decoded: DecodeSummary = decodeRecordedContracts(inputs.set);
  for (const f of decoded.failures) failures.push(`${f.file} ${f.where}: ${f.kind} ${f.error}`);
  if (inputs.set.compat.length === 0) failures.push('no CompatMatrix under compat/: the N/N-1 skew is undeclared');
  if (!inputs.set.gatesManifests.some((g) => g.artifact.name === inputs.gatesManifest)) {
    failures.push(`no GatesManifest named '${inputs.gatesManifest}' under tests/ (have: ${inputs.set.gatesManifests.map((g) => g.artifact.name).join(', ') || 'none'})`);
  }
  const compat = inputs.set.compat.map((m) => checkMatrix(m.artifact, m.absPath, inputs.current, failures));
  const evidence = { contracts_version: inputs.current.version, decoded: decoded.counts, decode_failures: decoded.failures, compat };
  return failures.length === 0 ? { passed: true, evidence } : { passed: false, reason: failures.join('; '), evidence };
}

function checkMatrix(matrix: CompatMatrixArtifact, absPath: string, current: ContractSchemaSet, failures: string[]): CompatEvidence {
  const at = `compat/${matrix.name}`;
  if (matrix.current.schema_version !== current.version) {
    failures.push(`${at}: current.schema_version ${matrix.current.schema_version} is not the live contracts' ${current.version} (CONTRACTS_SCHEMA_VERSION ${CONTRACTS_SCHEMA_VERSION})`);
  }
  let previous: ContractSchemaSet;
  try {
    previous = readContractSnapshot(path.resolve(path.dirname(absPath), matrix.previous.snapshot));
  } catch (e) {
    failures.push(`${at}: ${(e as Error).message}`);
    return { matrix: matrix.name, current: current.version, previous: matrix.previous.schema_version, compatible: false, problems: [], additions: [], cells: [] };
  }
  if (previous.version !== matrix.previous.schema_version) {
    failures.push(`${at}: the N-1 snapshot is ${previous.version}, the matrix says ${matrix.previous.schema_version}`);
  }
  const report = checkCompatibility(previous, current);
  const problems = report.problems.map((p) => `${p.path}: ${p.message} [${p.change}]`);
  const cells = matrix.cells.map((cell) => {
    // N-1 → N: N's decoders accept N-1's records iff the change is additive-only.
    // N → N-1: N-1's strict decoders refuse unknown fields, so only an unchanged schema set is safe.
    const holds = cell.producer === cell.consumer ? true : cell.producer === 'N-1' ? report.compatible : report.compatible && report.additions.length === 0;
    if (cell.supported && !holds) {
      const why = cell.producer === 'N-1' ? `N-1 → N is not additive-only: ${problems.join('; ')}` : `N added ${report.additions.join(', ') || 'incompatible changes'}, which N-1's strict decoders refuse`;
      failures.push(`${at}: cell producer ${cell.producer} → consumer ${cell.consumer} is declared supported but does not hold (${why})`);
    }
    return { producer: cell.producer, consumer: cell.consumer, supported: cell.supported, holds };
  });
  return { matrix: matrix.name, current: current.version, previous: previous.version, compatible: report.compatible, problems, additions: [...report.additions], cells };
}
