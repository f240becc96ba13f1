/**
 * Builds the ControlSignal and DecisionOutcome envelopes the engine emits. Ids and sequences come
 * from counters (never clocks or randomness), so identical inputs give byte-identical outputs.
 * ControlLane `runtime_sequence` is strict per (session, edge, lane); edge-less signals share the
 * session's ControlLane sequence.
 */
import {
  CONTRACTS_SCHEMA_VERSION,
  type ControlSignal,
  type DecisionOutcome,
  type EventScope,
  type Lane,
  type OutcomeEmitter,
  type OutcomeKind,
  type OutcomePhase,
  type OutcomeScope,
  type SeqRange,
  type SignalEmitter,
  type SignalName,
  type SignalScope,
} from '../contracts/v1';

export interface SignalOptions {
  readonly turn_id?: string;
  readonly event_scope?: EventScope;
  readonly edge_id?: string;
  readonly node_id?: string;
  readonly provider_invocation_id?: string;
  readonly causal_parent_id?: string;
  readonly reason?: string;
  readonly scope?: SignalScope;
  readonly target_lane?: Lane;
  readonly seq_range?: SeqRange;
  readonly amount?: number;
  readonly sync_domain?: string;
  readonly discontinuity_id?: string;
  readonly late_after_cancel?: boolean;
  /** Epoch to stamp (default: the factory's current epoch). */
  readonly authority_epoch?: number;
}

export interface DecisionOptions {
  readonly turn_id?: string;
  readonly authority_epoch?: number;
}

export class EnvelopeFactory {
  private counter = 0;
  private readonly controlSequence = new Map<string, number>();

  constructor(
    readonly sessionId: string,
    public pipelineVersion: string,
    public authorityEpoch: number,
  ) {}

  private nextId(kind: string): string {
    this.counter++;
    return `${this.sessionId}/${kind}/${this.counter}`;
  }

  private nextControlSequence(edgeId: string | undefined): number {
    const key = edgeId ?? '';
    const next = (this.controlSequence.get(key) ?? 0) + 1;
    this.controlSequence.set(key, next);
    return next;
  }

  signal(name: SignalName, emitter: SignalEmitter, atMs: number, wallMs: number, o: SignalOptions = {}): ControlSignal {
    const eventScope: EventScope = o.event_scope ?? (o.turn_id !== undefined ? 'turn' : 'session');
    const runtimeSequence = this.nextControlSequence(o.edge_id);
    const s: { -readonly [K in keyof ControlSignal]: ControlSignal[K] } = {
      schema_version: CONTRACTS_SCHEMA_VERSION,
      event_scope: eventScope,
      session_id: this.sessionId,
      pipeline_version: this.pipelineVersion,
      event_id: this.nextId('ctl'),
      lane: 'ControlLane',
      transport_sequence: runtimeSequence,
      runtime_sequence: runtimeSequence,
      authority_epoch: o.authority_epoch ?? this.authorityEpoch,
      runtime_timestamp_ms: atMs,
      wall_clock_timestamp_ms: wallMs,
      payload_class: 'metadata',
      signal: name,
      emitted_by: emitter,
    };
    if (o.turn_id !== undefined) s.turn_id = o.turn_id;
    if (o.edge_id !== undefined) s.edge_id = o.edge_id;
    if (o.node_id !== undefined) s.node_id = o.node_id;
    if (o.provider_invocation_id !== undefined) s.provider_invocation_id = o.provider_invocation_id;
    if (o.causal_parent_id !== undefined) s.causal_parent_id = o.causal_parent_id;
    if (o.reason !== undefined) s.reason = o.reason;
    if (o.scope !== undefined) s.scope = o.scope;
    if (o.target_lane !== undefined) s.target_lane = o.target_lane;
    if (o.seq_range !== undefined) s.seq_range = o.seq_range;
    if (o.amount !== undefined) s.amount = o.amount;
    if (o.sync_domain !== undefined) s.sync_domain = o.sync_domain;
    if (o.discontinuity_id !== undefined) s.discontinuity_id = o.discontinuity_id;
    if (o.late_after_cancel !== undefined) s.late_after_cancel = o.late_after_cancel;
    return s;
  }

  decision(
    kind: OutcomeKind,
    phase: OutcomePhase,
    scope: OutcomeScope,
    emitter: OutcomeEmitter,
    reason: string,
    atMs: number,
    wallMs: number,
    o: DecisionOptions = {},
  ): DecisionOutcome {
    const d: { -readonly [K in keyof DecisionOutcome]: DecisionOutcome[K] } = {
      outcome_kind: kind,
      phase,
      scope,
      session_id: this.sessionId,
      event_id: this.nextId('dec'),
      runtime_timestamp_ms: atMs,
      wall_clock_timestamp_ms: wallMs,
      emitted_by: emitter,
      reason,
    };
    if (o.turn_id !== undefined) d.turn_id = o.turn_id;
    if (o.authority_epoch !== undefined) d.authority_epoch = o.authority_epoch;
    return d;
  }
}
