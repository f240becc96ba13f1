/**
 * Shared builders for engine tests: a session config, a healthy turn-start context, data events
 * and control signals with valid envelopes, and a harness that runs inputs and slices outputs.
 */
import type { ControlSignal, EdgeBufferPolicy, EventRecord, SignalEmitter, SignalName, TurnStartBundle } from '../../../../runtime/contracts/v1';
import {
  RecordingSink,
  SIMPLE_V1_PROFILE,
  TurnEngine,
  type EngineConfig,
  type EngineInput,
  type EngineOutput,
  type ExecutionProfile,
  type TurnStartContext,
} from '../../../../runtime/engine';

export const SESSION = 'S';
export const TURN = 'T';
export const EPOCH = 7;

export function config(overrides: Partial<EngineConfig> = {}): EngineConfig {
  return { session_id: SESSION, pipeline_version: 'pipeline/v1', authority_epoch: EPOCH, ...overrides };
}

export function bundle(overrides: Partial<TurnStartBundle> = {}): TurnStartBundle {
  return {
    pipeline_version: 'pipeline/v1',
    graph_definition_ref: 'graph/simple_v1@sha256:abc',
    execution_profile: 'simple/v1',
    allowed_adaptive_actions: ['retry', 'provider_switch', 'fallback'],
    snapshot_provenance: {
      routing_view_snapshot: 'routing-view/r42',
      admission_policy_snapshot: 'admission-policy/a7',
      abi_compatibility_snapshot: 'abi-compat/c3',
      version_resolution_snapshot: 'version-resolution/v9',
      policy_resolution_snapshot: 'policy-resolution/p2',
      provider_health_snapshot: 'provider-health/h5',
    },
    cp_admission: { outcome_kind: 'admit', scope: 'session', reason: 'cp_admit' },
    lease: { authority_epoch: EPOCH, valid: true, granted: true },
    ...overrides,
  };
}

export function healthyStart(overrides: Partial<TurnStartContext> = {}, epoch = EPOCH): TurnStartContext {
  return { snapshots: 'valid', capacity: 'allow', bundle: bundle({ lease: { authority_epoch: epoch, valid: true, granted: true } }), ...overrides };
}

/** `start: null` leaves the proposal waiting in Opening; `epoch: null` sends a carrier without an epoch. */
export function propose(at: number, turnId = TURN, start: TurnStartContext | null = healthyStart(), epoch: number | null = EPOCH): EngineInput {
  return {
    type: 'propose_turn',
    at_ms: at,
    turn_id: turnId,
    event_id: `prop-${turnId}`,
    ...(epoch !== null ? { authority_epoch: epoch } : {}),
    ...(start !== null ? { start } : {}),
  };
}

export function dataEvent(seq: number, o: Partial<EventRecord> = {}): EventRecord {
  return {
    schema_version: 'v1.0',
    event_scope: 'turn',
    session_id: SESSION,
    turn_id: TURN,
    pipeline_version: 'pipeline/v1',
    event_id: `evt-${seq}`,
    lane: 'DataLane',
    transport_sequence: seq,
    runtime_sequence: seq,
    authority_epoch: EPOCH,
    runtime_timestamp_ms: seq,
    wall_clock_timestamp_ms: 1_700_000_000_000 + seq,
    payload_class: 'text_raw',
    ...o,
  };
}

export function data(at: number, seq: number, o: Partial<EventRecord> = {}, bytes = 10): EngineInput {
  return { type: 'data', at_ms: at, event: dataEvent(seq, o), payload_bytes: bytes };
}

export function signal(name: SignalName, emitter: SignalEmitter, o: Partial<ControlSignal> = {}): ControlSignal {
  return {
    schema_version: 'v1.0',
    event_scope: o.turn_id !== undefined ? 'turn' : 'session',
    session_id: SESSION,
    pipeline_version: 'pipeline/v1',
    event_id: `sig-${name}-${o.runtime_sequence ?? 1}`,
    lane: 'ControlLane',
    transport_sequence: 1,
    runtime_sequence: 1,
    authority_epoch: EPOCH,
    runtime_timestamp_ms: 0,
    wall_clock_timestamp_ms: 1_700_000_000_000,
    payload_class: 'metadata',
    signal: name,
    emitted_by: emitter,
    ...o,
  };
}

export function control(at: number, s: ControlSignal): EngineInput {
  return { type: 'control', at_ms: at, signal: s };
}

export function cancel(at: number, sentAt = at, o: Partial<ControlSignal> = {}): EngineInput {
  return control(at, signal('cancel', 'RK-06', { turn_id: TURN, scope: 'turn', runtime_timestamp_ms: sentAt, ...o }));
}

export function profileWithEdges(edges: { readonly [id: string]: EdgeBufferPolicy }, o: Partial<ExecutionProfile> = {}): ExecutionProfile {
  return { ...SIMPLE_V1_PROFILE, edge_buffer_policies: edges, ...o };
}

export function edgePolicy(o: Partial<EdgeBufferPolicy> = {}): EdgeBufferPolicy {
  return { ...SIMPLE_V1_PROFILE.edge_buffer_policies.default, ...o };
}

/** Runs inputs against one engine and keeps the whole output timeline. */
export class Harness {
  readonly sink = new RecordingSink();
  readonly engine: TurnEngine;
  constructor(cfg: EngineConfig = config()) {
    this.engine = new TurnEngine(cfg, this.sink);
  }
  run(...inputs: EngineInput[]): EngineOutput[] {
    const from = this.sink.outputs.length;
    for (const i of inputs) this.engine.apply(i);
    return this.sink.outputs.slice(from);
  }
  get outputs(): readonly EngineOutput[] {
    return this.sink.outputs;
  }
}

/** Compact view of outputs for order assertions: `signal:abort(cancelled)`, `decision:defer`, `data:evt-3`. */
export function names(outputs: readonly EngineOutput[]): string[] {
  return outputs.map((o) => {
    switch (o.kind) {
      case 'signal':
      case 'intent':
        return `${o.kind}:${o.signal.signal}${o.signal.signal === 'abort' ? `(${o.signal.reason})` : ''}`;
      case 'decision':
        return `decision:${o.outcome.outcome_kind}`;
      case 'transition':
        return `transition:${o.transition.from_state}>${o.transition.to_state}`;
      case 'data':
        return `data:${o.event.event_id}`;
      case 'diagnostic':
        return `diagnostic:${o.code}`;
      default:
        return o.kind;
    }
  });
}

export function lifecycleSignals(outputs: readonly EngineOutput[]): string[] {
  return outputs
    .filter((o) => o.kind === 'signal' && ['turn_open', 'commit', 'abort', 'close'].includes(o.signal.signal))
    .map((o) => (o.kind === 'signal' ? (o.signal.signal === 'abort' ? `abort(${o.signal.reason})` : o.signal.signal) : ''));
}

export function signalsNamed(outputs: readonly EngineOutput[], name: SignalName): ControlSignal[] {
  return outputs.flatMap((o) => (o.kind === 'signal' && o.signal.signal === name ? [o.signal] : []));
}

export function decisions(outputs: readonly EngineOutput[]) {
  return outputs.flatMap((o) => (o.kind === 'decision' ? [o.outcome] : []));
}

export function evidence(outputs: readonly EngineOutput[]) {
  return outputs.flatMap((o) => (o.kind === 'evidence' ? [o.record] : []));
}
