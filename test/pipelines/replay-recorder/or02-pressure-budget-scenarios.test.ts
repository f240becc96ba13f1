/**
 * The edge-pressure and budget sessions of or02_baseline_v1: their recorded outputs carry the F4
 * (watermark → flow_xoff → drop_notice … flow_xon), F2 (budget_warning → budget_exhausted, node
 * timeout → fallback) and T7-under-pressure (fence → cancel → abort(cancelled) → close, no egress
 * after) signals in order. Expected sequence numbers and times are derived from the input logs and
 * the frozen plan, not copied from the recording.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ControlSignal, EventRecord, Or02BaselineRecord, ResolvedTurnPlan } from '../../../runtime/contracts/v1';
import { budgetWarningAt, type EngineOutput, type InputLog } from '../../../runtime/engine';
import { REPLAY_SET_NAME } from '../../../pipelines/replay-recorder/record-or02-baseline';
import { SHIPPED_PIPELINES } from '../pipelines-fixture';

const SESSIONS = path.join(SHIPPED_PIPELINES, 'replay', REPLAY_SET_NAME, 'sessions');
const EDGE = 'tts_to_out';

interface Session {
  readonly log: InputLog;
  readonly outputs: readonly EngineOutput[];
  readonly records: readonly Or02BaselineRecord[];
}

/** The committed files (the byte-identical regeneration test ties them to today's engine). */
function session(id: string): Session {
  const read = (suffix: string) => JSON.parse(fs.readFileSync(path.join(SESSIONS, `${id}.${suffix}.json`), 'utf8'));
  return { log: read('input'), outputs: read('recorded').outputs, records: read('evidence').records };
}

type Step = { readonly index: number; readonly output: EngineOutput };
type Matcher = { readonly label: string; readonly test: (o: EngineOutput) => boolean };

function signal(name: string, fields: Partial<ControlSignal> = {}): Matcher {
  const label = `${name}${Object.keys(fields).length ? JSON.stringify(fields) : ''}`;
  return {
    label,
    test: (o) => o.kind === 'signal' && o.signal.signal === name && Object.entries(fields).every(([k, v]) => (o.signal as unknown as Record<string, unknown>)[k] === v),
  };
}

/** Finds each matcher after the previous one's match; fails naming the first one missing. */
function inOrder(outputs: readonly EngineOutput[], matchers: readonly Matcher[]): Step[] {
  const found: Step[] = [];
  let from = 0;
  for (const m of matchers) {
    const index = outputs.findIndex((o, i) => i >= from && m.test(o));
    if (index < 0) throw new Error(`no ${m.label} after [${matchers.slice(0, found.length).map((f) => f.label).join(', ')}]`);
    found.push({ index, output: outputs[index] });
    from = index + 1;
  }
  return found;
}

function signalOf(step: Step): ControlSignal {
  if (step.output.kind !== 'signal') throw new Error(`output #${step.index} is ${step.output.kind}, not a signal`);
  return step.output.signal;
}

const signalsNamed = (outputs: readonly EngineOutput[], name: string) => outputs.filter((o): o is Extract<EngineOutput, { kind: 'signal' }> => o.kind === 'signal' && o.signal.signal === name).map((o) => o.signal);
const egressed = (outputs: readonly EngineOutput[], edge: string) => outputs.filter((o): o is Extract<EngineOutput, { kind: 'data' }> => o.kind === 'data' && o.edge_id === edge);
const inputsOn = (log: InputLog, edge: string): EventRecord[] => log.entries.flatMap((e) => (e.type === 'data' && e.event.edge_id === edge ? [e.event] : []));
const planOf = (outputs: readonly EngineOutput[]): ResolvedTurnPlan => (outputs.find((o) => o.kind === 'plan') as Extract<EngineOutput, { kind: 'plan' }>).plan;
const range = (start: number, end: number) => Array.from({ length: end - start + 1 }, (_, i) => start + i);

describe('or02_baseline_v1 edge pressure and budget sessions', () => {
  test('edge_pressure_commit: F4 watermark, flow_xoff, one coalesced drop_notice, flow_xon, then commit', () => {
    const { log, outputs, records } = session('edge_pressure_commit');
    const [, , watermark, , notice, xon] = inOrder(outputs, [
      signal('turn_open'),
      signal('output_accepted', { edge_id: EDGE }),
      signal('watermark', { edge_id: EDGE, reason: 'edge_watermark_high' }),
      signal('flow_xoff', { edge_id: EDGE }),
      signal('drop_notice', { edge_id: EDGE, reason: 'queue_pressure_drop' }),
      signal('flow_xon', { edge_id: EDGE }),
      signal('commit'),
      signal('close'),
    ]);
    // The run is coalesced: one notice whose seq_range is exactly the frames that never left.
    expect(signalsNamed(outputs, 'drop_notice')).toHaveLength(1);
    const out = new Set(egressed(outputs, EDGE).map((o) => o.event.runtime_sequence));
    const shed = inputsOn(log, EDGE).map((e) => e.runtime_sequence).filter((s) => !out.has(s));
    expect(shed.length).toBeGreaterThan(1);
    const { start, end } = signalOf(notice).seq_range!;
    expect(range(start, end)).toEqual(shed);
    // The pressure was byte-bound: the items watermark was never reached.
    const policy = planOf(outputs).edge_buffer_policies[EDGE] ?? planOf(outputs).edge_buffer_policies.default;
    expect(inputsOn(log, EDGE).length).toBeLessThan(policy.watermarks!.queue_items!.high);
    // Nothing egresses while the edge is asserted; the queued frames drain before flow_xon.
    const drained = egressed(outputs, EDGE).map((o) => outputs.indexOf(o)).filter((i) => i > watermark.index);
    expect(drained.length).toBeGreaterThan(0);
    expect(drained.every((i) => i > notice.index && i < xon.index)).toBe(true);
    expect(records.map((r) => r.terminal_outcome)).toEqual(['commit']);
  });

  test('budget_node_timeout_fallback: node warning, node timeout → fallback, turn budget warning and exhausted, then commit', () => {
    const { outputs, records } = session('budget_node_timeout_fallback');
    const steps = inOrder(outputs, [
      signal('turn_open'),
      signal('budget_warning', { node_id: 'llm', reason: 'node_budget_warning' }),
      signal('budget_exhausted', { node_id: 'llm', reason: 'node_budget_exhausted' }),
      signal('fallback', { node_id: 'llm', reason: 'node_timeout_fallback' }),
      signal('budget_warning', { reason: 'turn_budget_warning' }),
      signal('budget_exhausted', { reason: 'turn_budget_exhausted' }),
      signal('commit'),
      signal('close'),
    ]);
    const [open, , , , turnWarning, turnExhausted] = steps.map(signalOf);
    const plan = planOf(outputs);
    // The turn markers sit at or after their marks on the engine clock (from turn_open).
    expect(turnWarning.runtime_timestamp_ms - open.runtime_timestamp_ms).toBeGreaterThanOrEqual(budgetWarningAt(plan.budgets.turn_budget_ms));
    expect(turnWarning.runtime_timestamp_ms - open.runtime_timestamp_ms).toBeLessThan(plan.budgets.turn_budget_ms);
    expect(turnExhausted.runtime_timestamp_ms - open.runtime_timestamp_ms).toBeGreaterThanOrEqual(plan.budgets.turn_budget_ms);
    // Each marker once per scope; the fallback is a legal path of the plan, degrade is not.
    expect(signalsNamed(outputs, 'budget_warning')).toHaveLength(2);
    expect(signalsNamed(outputs, 'budget_exhausted')).toHaveLength(2);
    expect(plan.allowed_adaptive_actions).toContain('fallback');
    expect(plan.allowed_adaptive_actions).not.toContain('degrade');
    expect(signalsNamed(outputs, 'degrade')).toHaveLength(0);
    expect(signalsNamed(outputs, 'abort')).toHaveLength(0);
    // Markers are non-terminal: the answer keeps flowing after them, and the turn commits.
    expect(egressed(outputs, EDGE).some((o) => outputs.indexOf(o) > steps[5].index)).toBe(true);
    expect(records.map((r) => r.terminal_outcome)).toEqual(['commit']);
  });

  test('cancel_under_pressure: pressure, fence over the queued range, cancel, abort(cancelled), close; no egress after', () => {
    const { log, outputs, records } = session('cancel_under_pressure');
    const steps = inOrder(outputs, [
      signal('watermark', { edge_id: EDGE, reason: 'edge_watermark_high' }),
      signal('flow_xoff', { edge_id: EDGE }),
      signal('drop_notice', { edge_id: EDGE, reason: 'queue_pressure_drop' }),
      signal('drop_notice', { edge_id: EDGE, reason: 'cancel_fence_applied' }),
      signal('cancel', { emitted_by: 'RK-16', scope: 'turn' }),
      signal('abort', { reason: 'cancelled' }),
      signal('close'),
      signal('playback_cancelled', { late_after_cancel: true }),
    ]);
    const [, , pressureDrop, fence, cancel] = steps;
    // Before the cancel, every frame on the edge either egressed, was shed under pressure or was
    // queued; the fence's range is exactly the queued ones.
    const cancelAt = log.entries.find((e) => e.type === 'control' && e.signal.signal === 'cancel')!.at_ms;
    const beforeCancel = inputsOn(log, EDGE).filter((e) => e.runtime_timestamp_ms < cancelAt).map((e) => e.runtime_sequence);
    const out = new Set(egressed(outputs, EDGE).map((o) => o.event.runtime_sequence));
    const shed = signalOf(pressureDrop).seq_range!;
    const queued = beforeCancel.filter((s) => !out.has(s) && (s < shed.start || s > shed.end));
    expect(queued.length).toBeGreaterThan(0);
    expect(range(signalOf(fence).seq_range!.start, signalOf(fence).seq_range!.end)).toEqual(queued);
    // No DataLane egress after the cancel — not the late frame, not the drained queue on recovery —
    // and the edge never reports recovery for the aborted turn.
    expect(outputs.slice(cancel.index).filter((o) => o.kind === 'data')).toEqual([]);
    expect(signalsNamed(outputs, 'flow_xon')).toHaveLength(0);
    expect(log.entries.some((e) => e.type === 'downstream' && e.ready && e.at_ms > cancelAt)).toBe(true);
    expect(records.map((r) => `${r.terminal_outcome}(${r.terminal_reason})`)).toEqual(['abort(cancelled)']);
    expect(records[0].cancel_fence_applied_at_ms).toBe(records[0].cancel_accepted_at_ms);
  });
});
