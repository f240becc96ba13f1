/**
 * Quality gates (`turn-engine.md` §11). p95 is nearest-rank: sort ascending, take index
 * ⌈0.95·n⌉ − 1. A missing marker or a negative latency is a violation; so is a run with zero
 * accepted turns. Thresholds are the shared `SLO_GATES` constants.
 */
import { checkBaselineCompleteness } from '../contracts/v1';
import { SLO_GATES } from '../contracts/runtime-interface';
import type { RecordedRun } from './input-log-runner';

/** One turn as the gates see it. A turn is accepted when `turn_open_at_ms` is set. */
export interface TurnGateSample {
  readonly turn_id: string;
  readonly turn_open_proposed_at_ms?: number;
  readonly turn_open_at_ms?: number;
  readonly first_output_at_ms?: number;
  /** Committed without cancel: the population of the first-output gate. */
  readonly happy_path: boolean;
  readonly cancel_accepted_at_ms?: number;
  readonly cancel_fence_applied_at_ms?: number;
  /** Lifecycle signals after `turn_open`, in order, e.g. ['commit', 'close']. */
  readonly terminal_sequence: readonly string[];
  readonly or02_complete: boolean;
  readonly accepted_stale_epoch_outputs: number;
}

export type QualityGateId = 'turn_open_decision' | 'first_output' | 'cancel_fence' | 'authority_safety' | 'or02_completeness' | 'terminal_correctness';

export interface QualityGateResult {
  readonly gate: QualityGateId;
  readonly passed: boolean;
  /** p95 in ms, a count, or a ratio; null when there was nothing to measure. */
  readonly measured: number | null;
  readonly threshold: number;
  readonly samples: number;
  readonly violations: readonly string[];
}

export interface QualityGateReport {
  readonly passed: boolean;
  readonly accepted_turns: number;
  readonly gates: readonly QualityGateResult[];
}

export function nearestRankP95(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('nearestRankP95 needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1];
}

function latencyGate(
  gate: QualityGateId,
  threshold: number,
  population: readonly TurnGateSample[],
  from: (s: TurnGateSample) => number | undefined,
  to: (s: TurnGateSample) => number | undefined,
  names: readonly [string, string],
  base: readonly string[],
): QualityGateResult {
  const violations = [...base];
  const values: number[] = [];
  for (const s of population) {
    const a = from(s);
    const b = to(s);
    if (a === undefined || b === undefined) {
      violations.push(`turn ${s.turn_id}: missing ${a === undefined ? names[0] : names[1]}`);
      continue;
    }
    if (b - a < 0) {
      violations.push(`turn ${s.turn_id}: negative latency ${b - a} ms (${names[1]} before ${names[0]})`);
      continue;
    }
    values.push(b - a);
  }
  const measured = values.length > 0 ? nearestRankP95(values) : null;
  if (measured !== null && measured > threshold) violations.push(`p95 ${measured} ms > ${threshold} ms`);
  return { gate, passed: violations.length === 0, measured, threshold, samples: values.length, violations };
}

export function evaluateQualityGates(samples: readonly TurnGateSample[]): QualityGateReport {
  const accepted = samples.filter((s) => s.turn_open_at_ms !== undefined);
  const none = accepted.length === 0 ? ['no accepted turns in the run'] : [];
  const gates: QualityGateResult[] = [];
  gates.push(
    latencyGate('turn_open_decision', SLO_GATES.turnOpenDecisionP95Ms, accepted, (s) => s.turn_open_proposed_at_ms, (s) => s.turn_open_at_ms,
      ['turn_open_proposed_at', 'turn_open_at'], none),
  );
  gates.push(
    latencyGate('first_output', SLO_GATES.firstOutputP95Ms, accepted.filter((s) => s.happy_path), (s) => s.turn_open_at_ms, (s) => s.first_output_at_ms,
      ['turn_open_at', 'first_output_at'], none),
  );
  gates.push(
    latencyGate('cancel_fence', SLO_GATES.cancelFenceP95Ms, accepted.filter((s) => s.cancel_accepted_at_ms !== undefined), (s) => s.cancel_accepted_at_ms,
      (s) => s.cancel_fence_applied_at_ms, ['cancel_accepted_at', 'cancel_fence_applied_at'], none),
  );
  const stale = samples.reduce((n, s) => n + s.accepted_stale_epoch_outputs, 0);
  gates.push({
    gate: 'authority_safety',
    passed: stale <= SLO_GATES.staleEpochAcceptedMax && none.length === 0,
    measured: stale,
    threshold: SLO_GATES.staleEpochAcceptedMax,
    samples: samples.length,
    violations: [...none, ...(stale > SLO_GATES.staleEpochAcceptedMax ? [`${stale} stale-epoch output(s) accepted`] : [])],
  });
  const ratio = (ok: number) => (accepted.length === 0 ? null : ok / accepted.length);
  const incomplete = accepted.filter((s) => !s.or02_complete);
  const completeness = ratio(accepted.length - incomplete.length);
  gates.push({
    gate: 'or02_completeness',
    passed: none.length === 0 && completeness !== null && completeness >= SLO_GATES.or02CompletenessMin,
    measured: completeness,
    threshold: SLO_GATES.or02CompletenessMin,
    samples: accepted.length,
    violations: [...none, ...incomplete.map((s) => `turn ${s.turn_id}: OR-02 baseline record incomplete`)],
  });
  const wrong = accepted.filter(
    (s) => !(s.terminal_sequence.length === 2 && (s.terminal_sequence[0] === 'commit' || s.terminal_sequence[0] === 'abort') && s.terminal_sequence[1] === 'close'),
  );
  const correctness = ratio(accepted.length - wrong.length);
  gates.push({
    gate: 'terminal_correctness',
    passed: none.length === 0 && correctness !== null && correctness >= SLO_GATES.terminalCorrectnessMin,
    measured: correctness,
    threshold: SLO_GATES.terminalCorrectnessMin,
    samples: accepted.length,
    violations: [...none, ...wrong.map((s) => `turn ${s.turn_id}: terminal sequence [${s.terminal_sequence.join(', ')}]`)],
  });
  return { passed: gates.every((g) => g.passed), accepted_turns: accepted.length, gates };
}

/**
 * Derive gate samples from an engine run: one per accepted turn (from its `turn_open` onwards),
 * with stale-epoch acceptance counted from the data egress itself.
 */
export function gateSamplesFromRun(run: RecordedRun): TurnGateSample[] {
  interface Draft {
    proposed?: number;
    opened?: number;
    firstOutput?: number;
    sequence: string[];
    stale: number;
  }
  const drafts = new Map<string, Draft>();
  const proposedAt = new Map<string, number>();
  let epoch: number | undefined;
  for (const o of run.outputs) {
    if (o.kind === 'intent' && o.signal.turn_id !== undefined) proposedAt.set(o.signal.turn_id, o.signal.runtime_timestamp_ms);
    if (o.kind === 'signal') {
      const s = o.signal;
      if (s.signal === 'lease_issued' || s.signal === 'lease_rotated') epoch = s.authority_epoch;
      if (s.turn_id === undefined) continue;
      if (s.signal === 'turn_open') {
        drafts.set(s.turn_id, { proposed: proposedAt.get(s.turn_id), opened: s.runtime_timestamp_ms, sequence: [], stale: 0 });
        if (epoch === undefined) epoch = s.authority_epoch;
      } else if (s.signal === 'commit' || s.signal === 'abort' || s.signal === 'close') {
        drafts.get(s.turn_id)?.sequence.push(s.signal);
      }
    }
    if (o.kind === 'data' && o.event.turn_id !== undefined) {
      const d = drafts.get(o.event.turn_id);
      if (d && epoch !== undefined && o.event.authority_epoch !== epoch) d.stale++;
    }
  }
  const records = new Map(run.records.map((r) => [r.turn_id, r]));
  const samples: TurnGateSample[] = [];
  for (const [turnId, d] of drafts) {
    const r = records.get(turnId);
    samples.push({
      turn_id: turnId,
      ...(d.proposed !== undefined ? { turn_open_proposed_at_ms: d.proposed } : {}),
      ...(d.opened !== undefined ? { turn_open_at_ms: d.opened } : {}),
      ...(r?.first_output_at_ms !== undefined ? { first_output_at_ms: r.first_output_at_ms } : {}),
      happy_path: r?.terminal_outcome === 'commit' && r.cancel_accepted_at_ms === undefined,
      ...(r?.cancel_accepted_at_ms !== undefined ? { cancel_accepted_at_ms: r.cancel_accepted_at_ms } : {}),
      ...(r?.cancel_fence_applied_at_ms !== undefined ? { cancel_fence_applied_at_ms: r.cancel_fence_applied_at_ms } : {}),
      terminal_sequence: d.sequence,
      or02_complete: r !== undefined && checkBaselineCompleteness(r).complete,
      accepted_stale_epoch_outputs: d.stale + (r?.accepted_stale_epoch_output ? 1 : 0),
    });
  }
  return samples;
}
