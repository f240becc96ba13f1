/**
 * The sessions of the `or02_baseline_v1` replay set, as engine input logs built from a resolved
 * bundle. Each scenario exercises one row of the lifecycle truth table (turn-engine.md §3) so the
 * baseline covers commit, cancel, provider failure, in-turn authority loss and a pre-turn defer, plus
 * the edge and budget paths: a stalled downstream under byte-bound pressure (F4 watermark, flow_xoff,
 * coalesced drop_notice, flow_xon), turn and node budgets with a node timeout taking the legal
 * fallback (F2), and a cancel fencing an edge under pressure.
 * Everything is a literal or derived from the bundle: no clock, no randomness.
 */
import type { ControlSignal, EventRecord, InvocationOutcome, SignalEmitter, SignalName } from '../../runtime/contracts/v1';
import type { EngineInput, InputLog, TurnStartContext } from '../../runtime/engine';
import type { ResolvedBundle } from '../artifacts/artifact-loader';
import { enginePoliciesOf, turnStartBundleOf } from '../artifacts/engine-profile';

export interface ReplayScenario {
  readonly id: string;
  /** What the session shows (goes into the replay set manifest). */
  readonly description: string;
  readonly log: InputLog;
}

const EPOCH = 3;
const SEED = 20260101;
/** Wall clock of the session start; envelopes carry wall = WALL_BASE + runtime ms. */
const WALL_BASE = 1_767_225_600_000;
/** Audio frame of the pressure scenarios: 16 of them fill the default edge's max_queue_bytes (262144). */
const PRESSURE_FRAME_BYTES = 16_384;
/** Frames sent into the stalled edge: 16 fill it, the last 4 each force a drop-oldest. */
const PRESSURE_FRAMES = 20;

class SessionScript {
  private readonly entries: EngineInput[] = [];
  private sequence = 0;

  constructor(
    private readonly resolved: ResolvedBundle,
    readonly sessionId: string,
  ) {}

  log(): InputLog {
    return {
      config: {
        session_id: this.sessionId,
        pipeline_version: this.resolved.bundle.pipeline_version,
        authority_epoch: EPOCH,
        seed: SEED,
        ...enginePoliciesOf(this.resolved),
      },
      entries: this.entries,
    };
  }

  start(overrides: Partial<TurnStartContext> = {}): TurnStartContext {
    return { snapshots: 'valid', capacity: 'allow', bundle: turnStartBundleOf(this.resolved, { authorityEpoch: EPOCH }), ...overrides };
  }

  propose(at: number, turnId: string, start: TurnStartContext = this.start()): this {
    this.entries.push({ type: 'propose_turn', at_ms: at, wall_ms: WALL_BASE + at, turn_id: turnId, event_id: `${this.sessionId}-${turnId}-proposal`, authority_epoch: EPOCH, start });
    return this;
  }

  /** A DataLane event on a spec edge: text on text edges, audio (with media time) on `tts_to_out`. */
  data(at: number, turnId: string, edgeId: string, bytes: number): this {
    const seq = ++this.sequence;
    const audio = edgeId === 'tts_to_out';
    const event: EventRecord = {
      schema_version: 'v1.0',
      event_scope: 'turn',
      session_id: this.sessionId,
      turn_id: turnId,
      pipeline_version: this.resolved.bundle.pipeline_version,
      event_id: `${this.sessionId}-${turnId}-evt-${seq}`,
      edge_id: edgeId,
      lane: 'DataLane',
      transport_sequence: seq,
      runtime_sequence: seq,
      authority_epoch: EPOCH,
      runtime_timestamp_ms: at,
      wall_clock_timestamp_ms: WALL_BASE + at,
      payload_class: audio ? 'audio_raw' : 'text_raw',
      ...(audio ? { media_time: { pts_ms: at } } : {}),
    };
    this.entries.push({ type: 'data', at_ms: at, wall_ms: WALL_BASE + at, event, payload_bytes: bytes });
    return this;
  }

  control(at: number, name: SignalName, emitter: SignalEmitter, extra: Partial<ControlSignal> = {}): this {
    const seq = ++this.sequence;
    const signal: ControlSignal = {
      schema_version: 'v1.0',
      event_scope: extra.turn_id !== undefined ? 'turn' : 'session',
      session_id: this.sessionId,
      pipeline_version: this.resolved.bundle.pipeline_version,
      event_id: `${this.sessionId}-${name}-${seq}`,
      lane: 'ControlLane',
      transport_sequence: seq,
      runtime_sequence: seq,
      authority_epoch: EPOCH,
      runtime_timestamp_ms: at,
      wall_clock_timestamp_ms: WALL_BASE + at,
      payload_class: 'metadata',
      signal: name,
      emitted_by: emitter,
      ...extra,
    };
    this.entries.push({ type: 'control', at_ms: at, wall_ms: WALL_BASE + at, signal });
    return this;
  }

  step(at: number, conditions: Extract<EngineInput, { type: 'step' }>['conditions']): this {
    this.entries.push({ type: 'step', at_ms: at, wall_ms: WALL_BASE + at, conditions });
    return this;
  }

  /** The consumer of `edgeId` can (`ready`) or cannot take items now (a stalled transport). */
  downstream(at: number, edgeId: string, ready: boolean): this {
    this.entries.push({ type: 'downstream', at_ms: at, wall_ms: WALL_BASE + at, edge_id: edgeId, ready });
    return this;
  }

  /** `count` DataLane events on `edgeId`, the first at `from`, then one every `everyMs`. */
  burst(from: number, everyMs: number, count: number, turnId: string, edgeId: string, bytes: number): this {
    for (let i = 0; i < count; i++) this.data(from + i * everyMs, turnId, edgeId, bytes);
    return this;
  }

  revoke(at: number, reason: string): this {
    this.entries.push({ type: 'authority_revoked', at_ms: at, wall_ms: WALL_BASE + at, reason });
    return this;
  }

  invocation(turnId: string, modality: 'stt' | 'llm' | 'tts', outcome: InvocationOutcome['outcome_class'], finalMs: number, totalMs: number, attempts = 1): InvocationOutcome {
    return {
      provider_invocation_id: `${this.sessionId}-${turnId}-${modality}`,
      modality,
      provider_id: this.resolved.bundle.provider_bindings[modality],
      outcome_class: outcome,
      retryable: outcome === 'timeout' || outcome === 'overload',
      retry_decision: attempts > 1 ? 'retry' : 'none',
      attempt_count: attempts,
      final_attempt_latency_ms: finalMs,
      total_invocation_latency_ms: totalMs,
    };
  }
}

export function or02Scenarios(resolved: ResolvedBundle): ReplayScenario[] {
  const happy = new SessionScript(resolved, 'or02-happy-path');
  happy
    .propose(0, 't1')
    .data(35, 't1', 'in_to_stt', 3200)
    .data(180, 't1', 'stt_to_llm', 96)
    .data(420, 't1', 'llm_to_tts', 240)
    .data(610, 't1', 'tts_to_out', 9600)
    .data(650, 't1', 'tts_to_out', 9600)
    .step(900, {
      success_ready: true,
      invocations: [happy.invocation('t1', 'stt', 'success', 140, 140), happy.invocation('t1', 'llm', 'success', 230, 230), happy.invocation('t1', 'tts', 'success', 180, 180)],
    });

  const cancel = new SessionScript(resolved, 'or02-barge-in-cancel');
  cancel
    .propose(0, 't1')
    .data(400, 't1', 'llm_to_tts', 240)
    .data(560, 't1', 'tts_to_out', 9600)
    .control(700, 'cancel', 'RK-06', { turn_id: 't1', scope: 'turn', runtime_timestamp_ms: 695 })
    .data(720, 't1', 'tts_to_out', 9600);

  const provider = new SessionScript(resolved, 'or02-provider-failure');
  provider
    .propose(0, 't1')
    .data(160, 't1', 'stt_to_llm', 96)
    .step(1600, {
      failures: [{ class: 'provider_failure', node_id: 'llm', invocation: provider.invocation('t1', 'llm', 'timeout', 1500, 1500), legal_paths: [] }],
    });

  const revoked = new SessionScript(resolved, 'or02-authority-revoked');
  revoked.propose(0, 't1').data(450, 't1', 'tts_to_out', 9600).revoke(800, 'lease_ttl_expired');

  const deferThenCommit = new SessionScript(resolved, 'or02-defer-then-commit');
  deferThenCommit
    .propose(0, 't1', deferThenCommit.start({ snapshots: 'stale' }))
    .propose(250, 't2')
    .data(640, 't2', 'tts_to_out', 9600)
    .step(1100, { success_ready: true, invocations: [deferThenCommit.invocation('t2', 'tts', 'overload', 200, 450, 2)] });

  // F4 under byte-bound pressure: the transport stops reading `tts_to_out`; 16 frames of
  // PRESSURE_FRAME_BYTES fill max_queue_bytes exactly, so each further frame forces a drop-oldest.
  // The first forced shed asserts pressure (watermark, flow_xoff); the drops are announced as one
  // coalesced drop_notice (seq_range) at the next non-data step; recovery drains the queue within
  // max_latency_contribution_ms and ends the episode (flow_xon); then the turn commits.
  const pressure = new SessionScript(resolved, 'or02-edge-pressure');
  pressure
    .propose(0, 't1')
    .data(35, 't1', 'in_to_stt', 3200)
    .data(180, 't1', 'stt_to_llm', 96)
    .data(420, 't1', 'llm_to_tts', 240)
    .data(560, 't1', 'tts_to_out', PRESSURE_FRAME_BYTES)
    .downstream(590, 'tts_to_out', false)
    .burst(600, 4, PRESSURE_FRAMES, 't1', 'tts_to_out', PRESSURE_FRAME_BYTES)
    .downstream(700, 'tts_to_out', true)
    .step(900, {
      success_ready: true,
      invocations: [pressure.invocation('t1', 'stt', 'success', 140, 140), pressure.invocation('t1', 'llm', 'success', 230, 230), pressure.invocation('t1', 'tts', 'success', 180, 180)],
    });

  // F2 budgets on a long turn: a filler frame goes out early; the LLM node passes its budget warning
  // mark (⌈node_budget_ms_default × 0.8⌉), then times out and takes the legal fallback (`degrade` is
  // not in the policy's allowed actions, so it is filtered out); the answer streams past the turn
  // budget's warning and exhausted marks (non-terminal markers) and the turn still commits.
  const budget = new SessionScript(resolved, 'or02-budget-fallback');
  budget
    .propose(0, 't1')
    .data(35, 't1', 'in_to_stt', 3200)
    .data(180, 't1', 'stt_to_llm', 96)
    .data(600, 't1', 'tts_to_out', 9600)
    .step(1300, { node_elapsed: [{ node_id: 'llm', elapsed_ms: 1250 }] })
    .step(1680, { failures: [{ class: 'node_timeout_or_failure', node_id: 'llm', legal_paths: ['degrade', 'fallback'] }] })
    .data(1750, 't1', 'llm_to_tts', 240)
    .burst(1950, 700, 5, 't1', 'tts_to_out', 9600)
    .data(5020, 't1', 'tts_to_out', 9600)
    .step(5100, {
      success_ready: true,
      invocations: [budget.invocation('t1', 'stt', 'success', 140, 140), budget.invocation('t1', 'llm', 'timeout', 1500, 1500), budget.invocation('t1', 'tts', 'success', 190, 190)],
    });

  // T7 while F4 pressure holds: the queued frames and the pending drop run are fenced by the cancel
  // (drop_notice cancel_fence_applied over the queued range), abort(cancelled) and close follow; a
  // frame produced after the cancel is refused (playback_cancelled) and the transport recovering
  // afterwards egresses nothing.
  const cancelPressure = new SessionScript(resolved, 'or02-cancel-under-pressure');
  cancelPressure
    .propose(0, 't1')
    .data(400, 't1', 'llm_to_tts', 240)
    .data(520, 't1', 'tts_to_out', PRESSURE_FRAME_BYTES)
    .downstream(540, 'tts_to_out', false)
    .burst(560, 4, PRESSURE_FRAMES, 't1', 'tts_to_out', PRESSURE_FRAME_BYTES)
    .control(660, 'cancel', 'RK-06', { turn_id: 't1', scope: 'turn', runtime_timestamp_ms: 655 })
    .data(680, 't1', 'tts_to_out', PRESSURE_FRAME_BYTES)
    .downstream(700, 'tts_to_out', true);

  return [
    { id: 'happy_path_commit', description: 'T5 open, data through every edge, T6 commit + close', log: happy.log() },
    { id: 'barge_in_cancel', description: 'T7 cancel accepted mid-output: fence, abort(cancelled), close; late output fenced', log: cancel.log() },
    { id: 'provider_failure_abort', description: 'T10 LLM timeout with no legal path: abort(provider_failure), close', log: provider.log() },
    { id: 'authority_revoked_in_turn', description: 'T8 lease lost mid-turn: deauthorized_drain, abort(authority_loss), close', log: revoked.log() },
    { id: 'defer_then_commit', description: 'T2 stale snapshots defer the first proposal (no turn); the second opens and commits', log: deferThenCommit.log() },
    { id: 'edge_pressure_commit', description: 'F4 stalled transport: byte-bound pressure on tts_to_out (watermark, flow_xoff, coalesced drop_notice), recovery (flow_xon), T6 commit', log: pressure.log() },
    { id: 'budget_node_timeout_fallback', description: 'F2 node budget warning, LLM node timeout with legal fallback, turn budget warning and exhausted markers, T6 commit', log: budget.log() },
    { id: 'cancel_under_pressure', description: 'T7 cancel while tts_to_out is under pressure: fence flushes the queue, abort(cancelled), close; nothing egresses after', log: cancelPressure.log() },
  ];
}
