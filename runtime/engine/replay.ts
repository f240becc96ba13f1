/**
 * Replay (`turn-engine.md` §12): run a recorded input log through a fresh engine, compare what it
 * produces with what was recorded, classify every difference into the five divergence classes,
 * and evaluate them against the fixture's declarations.
 */
import {
  encodeCanonical,
  type Or02BaselineRecord,
  type ReplayDivergence,
  type ReplayEvaluationResult,
  type ReplayFixtureMetadata,
} from '../contracts/v1';
import { evaluateReplayDivergences } from './divergence-evaluator';
import type { EngineOutput, InputLog } from './engine-types';
import { runInputLog, type RecordedRun } from './input-log-runner';

export interface ReplayResult {
  /** Gate verdict: no failing divergence and no missing expected one. */
  readonly passed: boolean;
  readonly divergences: readonly ReplayDivergence[];
  readonly evaluation: ReplayEvaluationResult;
  /** What the replay produced (for evidence hashing by the gate runner). */
  readonly replayed: RecordedRun;
}

export function replay(log: InputLog, recorded: RecordedRun, fixture: ReplayFixtureMetadata): ReplayResult {
  const replayed = runInputLog(log);
  const divergences = classifyDivergences(recorded, replayed, fixture);
  const evaluation = evaluateReplayDivergences(divergences, fixture);
  return { passed: evaluation.failing.length === 0 && evaluation.missing_expected.length === 0, divergences, evaluation, replayed };
}

const same = (a: unknown, b: unknown) => encodeCanonical(a ?? null) === encodeCanonical(b ?? null);

/** Every difference between a recorded and a replayed run, classified (deterministic order). */
export function classifyDivergences(recorded: RecordedRun, replayed: RecordedRun, fixture: ReplayFixtureMetadata): ReplayDivergence[] {
  const out: ReplayDivergence[] = [];
  const recordedByTurn = new Map(recorded.records.map((r) => [r.turn_id, r]));
  const replayedByTurn = new Map(replayed.records.map((r) => [r.turn_id, r]));
  const turnIds = [...new Set([...recordedByTurn.keys(), ...replayedByTurn.keys()])];
  for (const turnId of turnIds) {
    const a = recordedByTurn.get(turnId);
    const b = replayedByTurn.get(turnId);
    const scope = `turn:${turnId}`;
    if (!a || !b) {
      out.push({ class: 'OUTCOME_DIVERGENCE', scope, message: `turn ${turnId} has a baseline record only in the ${a ? 'recorded' : 'replayed'} run` });
      continue;
    }
    compareTurn(a, b, scope, out);
  }
  for (const r of replayed.records) invocationThresholds(r, fixture, out);
  compareTrace(recorded.outputs, replayed.outputs, out);
  return out;
}

function compareTurn(a: Or02BaselineRecord, b: Or02BaselineRecord, scope: string, out: ReplayDivergence[]): void {
  const planDiffs: string[] = [];
  if (a.plan_hash !== b.plan_hash) planDiffs.push(`plan_hash ${a.plan_hash.slice(0, 12)}… → ${b.plan_hash.slice(0, 12)}…`);
  for (const key of Object.keys(a.snapshot_provenance) as (keyof typeof a.snapshot_provenance)[]) {
    if (a.snapshot_provenance[key] !== b.snapshot_provenance[key]) planDiffs.push(`${key} ${a.snapshot_provenance[key]} → ${b.snapshot_provenance[key]}`);
  }
  if (planDiffs.length > 0) out.push({ class: 'PLAN_DIVERGENCE', scope, message: planDiffs.join('; ') });

  const authDiffs: string[] = [];
  if (a.authority_epoch !== b.authority_epoch) authDiffs.push(`authority_epoch ${a.authority_epoch} → ${b.authority_epoch}`);
  if (!same(a.migration_markers, b.migration_markers)) authDiffs.push('migration markers differ');
  if (authDiffs.length > 0) out.push({ class: 'AUTHORITY_DIVERGENCE', scope, message: authDiffs.join('; ') });

  const outcomeDiffs: string[] = [];
  if (a.terminal_outcome !== b.terminal_outcome || a.terminal_reason !== b.terminal_reason) {
    outcomeDiffs.push(`terminal ${a.terminal_outcome}(${a.terminal_reason ?? ''}) → ${b.terminal_outcome}(${b.terminal_reason ?? ''})`);
  }
  const invocationKey = (r: Or02BaselineRecord) => r.invocation_outcomes.map((i) => `${i.provider_invocation_id}:${i.outcome_class}:${i.retry_decision}`);
  if (!same(invocationKey(a), invocationKey(b))) outcomeDiffs.push('normalized provider outcomes differ');
  if (a.decision_outcomes.length !== b.decision_outcomes.length) {
    outcomeDiffs.push(`decision list length ${a.decision_outcomes.length} → ${b.decision_outcomes.length}`);
  }
  if (outcomeDiffs.length > 0) out.push({ class: 'OUTCOME_DIVERGENCE', scope, message: outcomeDiffs.join('; ') });

  const latency = (from?: number, to?: number) => (from === undefined || to === undefined ? undefined : to - from);
  const cancelA = latency(a.cancel_accepted_at_ms, a.cancel_fence_applied_at_ms);
  const cancelB = latency(b.cancel_accepted_at_ms, b.cancel_fence_applied_at_ms);
  if (cancelA !== cancelB) {
    const diff = cancelA !== undefined && cancelB !== undefined ? cancelB - cancelA : undefined;
    out.push({ class: 'TIMING_DIVERGENCE', scope, message: `cancel fence latency ${cancelA ?? 'missing'} → ${cancelB ?? 'missing'} ms`, ...(diff !== undefined ? { diff_ms: diff } : {}) });
  }
  const openA = latency(a.turn_open_proposed_at_ms, a.turn_open_at_ms);
  const openB = latency(b.turn_open_proposed_at_ms, b.turn_open_at_ms);
  if (openA !== openB) {
    const diff = openA !== undefined && openB !== undefined ? openB - openA : undefined;
    out.push({ class: 'TIMING_DIVERGENCE', scope, message: `turn-open decision latency ${openA ?? 'missing'} → ${openB ?? 'missing'} ms`, ...(diff !== undefined ? { diff_ms: diff } : {}) });
  }
}

function invocationThresholds(r: Or02BaselineRecord, fixture: ReplayFixtureMetadata, out: ReplayDivergence[]): void {
  for (const inv of r.invocation_outcomes) {
    const finalMax = fixture.final_attempt_latency_threshold_ms;
    if (finalMax !== undefined && inv.final_attempt_latency_ms > finalMax) {
      out.push({
        class: 'TIMING_DIVERGENCE',
        scope: `invocation_latency_final:${inv.provider_invocation_id}`,
        message: `final attempt ${inv.final_attempt_latency_ms} ms > threshold ${finalMax} ms`,
        diff_ms: inv.final_attempt_latency_ms - finalMax,
      });
    }
    const totalMax = fixture.total_invocation_latency_threshold_ms;
    if (totalMax !== undefined && inv.total_invocation_latency_ms > totalMax) {
      out.push({
        class: 'TIMING_DIVERGENCE',
        scope: `invocation_latency_total:${inv.provider_invocation_id}`,
        message: `total invocation ${inv.total_invocation_latency_ms} ms > threshold ${totalMax} ms`,
        diff_ms: inv.total_invocation_latency_ms - totalMax,
      });
    }
  }
}

interface Lineage {
  readonly entries: Map<string, string | undefined>;
  /** edge → dropped [start, end] ranges. */
  readonly dropped: Map<string, [number, number][]>;
  readonly merged: Set<string>;
}

function lineageOf(outputs: readonly EngineOutput[]): Lineage {
  const entries = new Map<string, string | undefined>();
  const dropped = new Map<string, [number, number][]>();
  const merged = new Set<string>();
  for (const o of outputs) {
    if (o.kind === 'signal' && o.signal.signal === 'drop_notice' && o.signal.seq_range && o.signal.edge_id) {
      const s = o.signal;
      entries.set(`drop ${s.edge_id} [${s.seq_range!.start},${s.seq_range!.end}] ${s.reason}`, s.turn_id);
      const list = dropped.get(s.edge_id!) ?? [];
      list.push([s.seq_range!.start, s.seq_range!.end]);
      dropped.set(s.edge_id!, list);
    }
    if (o.kind === 'data' && o.event.merged_from_event_ids) {
      entries.set(`merge ${o.edge_id} ${o.event.merged_from_event_ids.join(',')}`, o.event.turn_id);
      for (const id of o.event.merged_from_event_ids) merged.add(id);
    }
  }
  return { entries, dropped, merged };
}

/** Outputs compared for ordering/trace: everything but evidence (compared per turn above). */
function traceKeys(outputs: readonly EngineOutput[]): string[] {
  return outputs.filter((o) => o.kind !== 'evidence').map((o) => encodeCanonical(o));
}

function compareTrace(recorded: readonly EngineOutput[], replayed: readonly EngineOutput[], out: ReplayDivergence[]): void {
  const before = out.filter((d) => d.class === 'OUTCOME_DIVERGENCE').length;
  const a = lineageOf(recorded);
  const b = lineageOf(replayed);
  for (const [entry, turnId] of a.entries) {
    if (!b.entries.has(entry)) {
      out.push({ class: 'OUTCOME_DIVERGENCE', scope: turnId ? `turn:${turnId}` : 'trace', message: `lineage entry missing in replay: ${entry}` });
    }
  }
  const replayedData = new Set(replayed.filter((o) => o.kind === 'data').map((o) => (o as { event: { event_id: string } }).event.event_id));
  for (const o of recorded) {
    if (o.kind !== 'data' || replayedData.has(o.event.event_id)) continue;
    const covered =
      b.merged.has(o.event.event_id) ||
      (b.dropped.get(o.edge_id) ?? []).some(([s, e]) => o.event.runtime_sequence >= s && o.event.runtime_sequence <= e);
    if (!covered) {
      out.push({
        class: 'OUTCOME_DIVERGENCE',
        scope: o.event.turn_id ? `turn:${o.event.turn_id}` : 'trace',
        message: `recorded output ${o.event.event_id} absent in replay without drop/merge lineage`,
      });
    }
  }
  const decisionsA = recorded.filter((o) => o.kind === 'decision').length;
  const decisionsB = replayed.filter((o) => o.kind === 'decision').length;
  const keysA = traceKeys(recorded);
  const keysB = traceKeys(replayed);
  const specific = out.filter((d) => d.class === 'OUTCOME_DIVERGENCE').length > before;
  if (!specific && (decisionsA !== decisionsB || keysA.length !== keysB.length)) {
    out.push({ class: 'OUTCOME_DIVERGENCE', scope: 'trace', message: `trace length ${keysA.length} → ${keysB.length} (decisions ${decisionsA} → ${decisionsB})` });
    return;
  }
  if (keysA.length === keysB.length && keysA.some((k, i) => k !== keysB[i])) {
    const sortedA = [...keysA].sort();
    const sortedB = [...keysB].sort();
    if (sortedA.every((k, i) => k === sortedB[i])) {
      const at = keysA.findIndex((k, i) => k !== keysB[i]);
      out.push({ class: 'ORDERING_DIVERGENCE', scope: 'trace', message: `output order differs from the recorded ordering from position ${at}` });
    }
  }
}
