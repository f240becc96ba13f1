/**
 * "All contracts decode": every contract value the replay set recorded — the inputs of each session
 * log and the engine's recorded outputs — decodes with the strict decoders of release N. The expected
 * OR-02 evidence is judged by the baseline gate, not here.
 */
import * as fs from 'fs';
import * as path from 'path';
import { decodeContract, type ContractKind } from '../../runtime/contracts/v1';
import type { ArtifactSet } from '../artifacts/artifact-loader';
import { isRecord } from '../schema/check-schema';

export interface DecodeFailure {
  /** Relative to the pipelines directory. */
  readonly file: string;
  /** JSON path of the value inside the file. */
  readonly where: string;
  /** The contract kind, or `file` when the file itself cannot be read. */
  readonly kind: ContractKind | 'file';
  readonly error: string;
}

export interface DecodeSummary {
  /** Values decoded per contract kind (sorted by kind). */
  readonly counts: Readonly<Record<string, number>>;
  readonly failures: readonly DecodeFailure[];
}

/** Contract kind of each recorded engine output. */
const OUTPUT_CONTRACTS: Readonly<Record<string, { field: string; kind: ContractKind }>> = {
  signal: { field: 'signal', kind: 'ControlSignal' },
  intent: { field: 'signal', kind: 'ControlSignal' },
  decision: { field: 'outcome', kind: 'DecisionOutcome' },
  transition: { field: 'transition', kind: 'TurnTransition' },
  plan: { field: 'plan', kind: 'ResolvedTurnPlan' },
  data: { field: 'event', kind: 'EventRecord' },
  evidence: { field: 'record', kind: 'Or02BaselineRecord' },
};

export function decodeRecordedContracts(set: ArtifactSet): DecodeSummary {
  const counts: Record<string, number> = {};
  const failures: DecodeFailure[] = [];
  const decode = (file: string, where: string, kind: ContractKind, value: unknown) => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    const result = decodeContract(kind, value);
    if (!result.ok) failures.push({ file, where: `${where}${result.error.path.slice(1)}`, kind, error: `${result.error.message} [${result.error.code}]` });
  };
  for (const replaySet of set.replaySets) {
    const base = path.dirname(replaySet.absPath);
    const rel = (p: string) => path.relative(set.dir, path.join(base, p)).split(path.sep).join('/');
    for (const session of replaySet.artifact.sessions) {
      const readOrFail = (p: string): unknown => {
        try {
          return readJson(path.join(base, p));
        } catch (e) {
          failures.push({ file: rel(p), where: '$', kind: 'file', error: (e as Error).message });
          return undefined;
        }
      };
      const log = readOrFail(session.input_log);
      asArray(isRecord(log) ? log.entries : undefined).forEach((entry, i) => decodeInput(rel(session.input_log), `$.entries[${i}]`, entry, decode));
      const recorded = readOrFail(session.recorded_outputs);
      outputsOf(recorded).forEach((output, i) => {
        const contract = isRecord(output) && typeof output.kind === 'string' ? OUTPUT_CONTRACTS[output.kind] : undefined;
        if (contract && isRecord(output)) decode(rel(session.recorded_outputs), `$.outputs[${i}].${contract.field}`, contract.kind, output[contract.field]);
      });
    }
  }
  const sorted = Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { counts: sorted, failures };
}

function decodeInput(file: string, where: string, entry: unknown, decode: (file: string, where: string, kind: ContractKind, value: unknown) => void): void {
  if (!isRecord(entry)) return;
  switch (entry.type) {
    case 'data':
    case 'telemetry':
      decode(file, `${where}.event`, 'EventRecord', entry.event);
      return;
    case 'control':
      decode(file, `${where}.signal`, 'ControlSignal', entry.signal);
      return;
    case 'plan_change':
      decode(file, `${where}.policy`, 'EdgeBufferPolicy', entry.policy);
      return;
    case 'propose_turn':
    case 'turn_start_resolved':
      if (isRecord(entry.start) && entry.start.bundle !== undefined) decode(file, `${where}.start.bundle`, 'TurnStartBundle', entry.start.bundle);
      return;
    case 'step': {
      const conditions = isRecord(entry.conditions) ? entry.conditions : {};
      asArray(conditions.invocations).forEach((inv, i) => decode(file, `${where}.conditions.invocations[${i}]`, 'InvocationOutcome', inv));
      asArray(conditions.failures).forEach((f, i) => {
        if (isRecord(f) && f.invocation !== undefined) decode(file, `${where}.conditions.failures[${i}].invocation`, 'InvocationOutcome', f.invocation);
      });
      return;
    }
    default:
      return;
  }
}

/** A recorded-outputs file is `{ outputs: EngineOutput[] }`. */
export function outputsOf(recorded: unknown): unknown[] {
  return isRecord(recorded) ? asArray(recorded.outputs) : [];
}

export function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read '${file}' as JSON: ${(e as Error).message}`);
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
