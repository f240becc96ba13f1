/**
 * Public types of the turn engine: its configuration, the JSON-serializable input log entries a
 * session is driven by (and recorded as, so it can be replayed), and the outputs it emits.
 */
import type {
  AdaptiveAction,
  ControlSignal,
  DecisionOutcome,
  EdgeBufferPolicy,
  EventRecord,
  FlowControl,
  Budgets,
  InvocationOutcome,
  Or02BaselineRecord,
  PartialSnapshotProvenance,
  RecordingPolicy,
  ResolvedTurnPlan,
  SchedulingScope,
  TurnStartBundle,
  TurnTransition,
} from '../contracts/v1';

export type PreTurnFailurePolicy = 'defer' | 'reject';
/** What happens to a current-epoch event that arrives for a `Closed` turn (T11). */
export type LateEventPolicy = 'drop' | 'remap' | 'diagnostics_only';

/** The frozen defaults an execution profile contributes to every plan materialized under it. */
export interface ExecutionProfile {
  readonly name: string;
  readonly budgets: Budgets;
  /** Edge id → policy. The first edge in key order is the default edge for events without `edge_id`. */
  readonly edge_buffer_policies: { readonly [edgeId: string]: EdgeBufferPolicy };
  readonly flow_control: FlowControl;
  readonly provider_bindings: { readonly [modality: string]: string };
  readonly recording_policy: RecordingPolicy;
  readonly ordering_markers: readonly string[];
  readonly merge_rule_id: string;
  readonly merge_rule_version: string;
}

export interface EngineConfig {
  readonly session_id: string;
  /** Pipeline version used on session-level envelopes before a bundle names one. */
  readonly pipeline_version: string;
  /** Epoch of the lease this placement holds when the session starts. */
  readonly authority_epoch: number;
  /** @default true */
  readonly authorized?: boolean;
  /** Epoch the routing view reports; used to enrich carriers that lack one. @default authority_epoch */
  readonly routing_view_epoch?: number;
  /** Execution profiles this placement can materialize. @default { 'simple/v1': SIMPLE_V1_PROFILE } */
  readonly profiles?: { readonly [name: string]: ExecutionProfile };
  /** Pre-turn step 1 failure outcome. @default 'defer' */
  readonly snapshot_failure_policy?: PreTurnFailurePolicy;
  /** Pre-turn step 5/6 plan failure outcome. @default 'defer' */
  readonly plan_failure_policy?: PreTurnFailurePolicy;
  /** @default 'drop' */
  readonly late_event_policy?: LateEventPolicy;
  /** Determinism seed frozen into every plan. @default 0 */
  readonly seed?: number;
  /** OR-02 Stage A capacity in entries (baseline + detail). @default 4096 */
  readonly evidence_capacity?: number;
  /** Samples kept per N telemetry events once the telemetry buffer is over its high watermark. @default 10 */
  readonly telemetry_sample_every?: number;
}

// ---------------------------------------------------------------- inputs (JSON log entries)

interface InputBase {
  /** Engine clock (monotonic runtime ms) when the input is processed. */
  readonly at_ms: number;
  /** Wall clock ms, for envelopes. @default at_ms */
  readonly wall_ms?: number;
}

/** Everything pre-turn arbitration consults (steps 1-6), as the session prelude resolved it. */
export interface TurnStartContext {
  /** Step 1. @default 'valid' */
  readonly snapshots?: 'valid' | 'missing' | 'stale' | 'incompatible';
  /** Step 2, local capacity (RK-25). @default 'allow' */
  readonly capacity?: 'allow' | 'reject' | 'defer';
  /** Step 5: the control-plane turn-start bundle; absent means resolution failed. */
  readonly bundle?: TurnStartBundle;
  /** Provenance refs reported by backends directly (override bundle refs; missing → documented defaults). */
  readonly provenance?: PartialSnapshotProvenance;
  /** Overrides of the session's configured policies for this proposal. */
  readonly snapshot_failure_policy?: PreTurnFailurePolicy;
  readonly plan_failure_policy?: PreTurnFailurePolicy;
}

/** Idle → Opening. With `start`, arbitration runs at once; without, it waits for `turn_start_resolved`. */
export interface ProposeTurnInput extends InputBase {
  readonly type: 'propose_turn';
  readonly turn_id: string;
  readonly event_id: string;
  /** Epoch on the proposing carrier; absent → enriched from the routing view. */
  readonly authority_epoch?: number;
  readonly start?: TurnStartContext;
}

export interface TurnStartResolvedInput extends InputBase {
  readonly type: 'turn_start_resolved';
  readonly start: TurnStartContext;
}

/** A DataLane event entering an edge (from ingress, a node or a provider). */
export interface DataInput extends InputBase {
  readonly type: 'data';
  readonly event: EventRecord;
  /** Payload size, counted against `max_queue_bytes`. @default 0 */
  readonly payload_bytes?: number;
}

/** A TelemetryLane event; never blocks, answered accepted/sampled/dropped. */
export interface TelemetryInput extends InputBase {
  readonly type: 'telemetry';
  readonly event: EventRecord;
}

/**
 * A ControlLane signal from outside: cancel/barge_in/stop (RK-06), connection state (RK-23),
 * lease/migration (CP-07/CP-08), credit_grant (RK-14, from the receiver), playback_* (RK-22/23).
 */
export interface ControlInput extends InputBase {
  readonly type: 'control';
  readonly signal: ControlSignal;
}

export type FailureClass = 'provider_failure' | 'node_timeout_or_failure' | 'transport_disconnect_or_stall' | 'generic';

export interface ActiveFailure {
  readonly class: FailureClass;
  /** Stable reason for `generic` failures (T10 "otherwise a stable deterministic reason string"). */
  readonly reason?: string;
  readonly node_id?: string;
  /** Provider failures: the invocation as it ended (recorded in OR-02). */
  readonly invocation?: InvocationOutcome;
  /** Paths the environment could take (e.g. an alternate provider exists); intersected with the plan. */
  readonly legal_paths?: readonly AdaptiveAction[];
}

/** The conditions present at one Active arbitration point (P8 decides among them). */
export interface StepConditions {
  readonly authority_revoked?: boolean;
  readonly cancel?: { readonly scope: 'session' | 'turn'; readonly sent_at_ms: number; readonly event_id: string };
  readonly failures?: readonly ActiveFailure[];
  /** Generation complete; the terminal evidence is the last DataLane output or a control-only marker. */
  readonly success_ready?: boolean;
  /**
   * Time each running node has spent so far (host-measured on the engine clock). A node at or past
   * BUDGET_WARNING_FRACTION of the plan's `node_budget_ms_default` gets one `budget_warning`.
   */
  readonly node_elapsed?: readonly { readonly node_id: string; readonly elapsed_ms: number }[];
  /** Invocations that completed in this step (recorded in OR-02). */
  readonly invocations?: readonly InvocationOutcome[];
}

export interface StepInput extends InputBase {
  readonly type: 'step';
  readonly conditions: StepConditions;
}

/** The downstream of an edge (transport/consumer) can or cannot take items now. */
export interface DownstreamInput extends InputBase {
  readonly type: 'downstream';
  readonly edge_id: string;
  readonly ready: boolean;
}

/** The lease for this placement was lost (revoked, or TTL passed without renewal). */
export interface AuthorityRevokedInput extends InputBase {
  readonly type: 'authority_revoked';
  readonly reason: string;
}

/** Stage A append log became (un)available (disk full, I/O failure in the host). */
export interface EvidenceStoreInput extends InputBase {
  readonly type: 'evidence_store';
  readonly available: boolean;
}

/** Local admission sheds at a scheduling point while a turn is active (F1 post-accept). */
export interface SchedulingShedInput extends InputBase {
  readonly type: 'scheduling_shed';
  readonly point: SchedulingScope;
  readonly fairness_key: string;
  readonly edge_id?: string;
  /** The plan forces the turn to end on this shed. @default false */
  readonly terminate_turn?: boolean;
}

/** An attempt to change the plan; refused while a turn is Active (plan freeze). */
export interface PlanChangeInput extends InputBase {
  readonly type: 'plan_change';
  readonly edge_id: string;
  readonly policy: EdgeBufferPolicy;
}

/** Time passes (block timers, queue age) without another input. */
export interface TickInput extends InputBase {
  readonly type: 'tick';
}

export type EngineInput =
  | ProposeTurnInput
  | TurnStartResolvedInput
  | DataInput
  | TelemetryInput
  | ControlInput
  | StepInput
  | DownstreamInput
  | AuthorityRevokedInput
  | EvidenceStoreInput
  | SchedulingShedInput
  | PlanChangeInput
  | TickInput;

/** A recorded session: configuration plus every input in processing order. JSON-serializable. */
export interface InputLog {
  readonly config: EngineConfig;
  readonly entries: readonly EngineInput[];
}

// ---------------------------------------------------------------- outputs

export type DiagnosticCode =
  | 'late_event_dropped'
  | 'late_event_diagnosed'
  | 'late_event_remapped'
  | 'late_after_cancel_dropped'
  | 'no_active_turn'
  | 'unknown_edge'
  | 'sequence_regression'
  | 'proposal_while_busy'
  | 'plan_frozen_mid_turn'
  | 'illegal_transition'
  | 'invalid_input'
  | 'migration_out_of_order'
  | 'scheduling_shed_detail';

export type EngineOutput =
  /** A ControlLane signal emitted by the engine (or re-emitted, e.g. lease/migration markers). */
  | { readonly kind: 'signal'; readonly signal: ControlSignal }
  /** Internal, non-authoritative intent (`turn_open_proposed`); never surfaced to clients. */
  | { readonly kind: 'intent'; readonly signal: ControlSignal }
  | { readonly kind: 'decision'; readonly outcome: DecisionOutcome }
  | { readonly kind: 'transition'; readonly turn_id: string; readonly transition: TurnTransition }
  /** The plan frozen at `turn_open`. */
  | { readonly kind: 'plan'; readonly plan: ResolvedTurnPlan }
  /** A DataLane event that passed the egress checks (produced by `RecordingSink` from `egress`). */
  | { readonly kind: 'data'; readonly edge_id: string; readonly event: EventRecord }
  | { readonly kind: 'diagnostic'; readonly code: DiagnosticCode; readonly turn_id?: string; readonly event_id?: string; readonly detail: string }
  /** The OR-02 baseline record of a turn, emitted right after its `close`. */
  | { readonly kind: 'evidence'; readonly record: Or02BaselineRecord };

/** Where the engine writes. Called synchronously, in timeline order. */
export interface EngineSink {
  emit(output: EngineOutput): void;
  /** Hot path: a DataLane event leaving `edgeId`, with the opaque payload it entered with. */
  egress(edgeId: string, event: EventRecord, payload: unknown): void;
}

/** Answer to a telemetry emission (never waits). */
export type TelemetryVerdict = 'accepted' | 'sampled' | 'dropped';

/** Counters the host exports as metrics; cumulative per engine. */
export interface EngineCounters {
  readonly accepted_turns: number;
  readonly complete_baseline_records: number;
  readonly data_ingested: number;
  readonly data_egressed: number;
  readonly data_dropped: number;
  readonly stale_epoch_rejected: number;
  /** Outputs egressed while their epoch differed from the current one. Must stay 0. */
  readonly stale_epoch_accepted: number;
  /**
   * DataLane items that reached egress after their turn's fence closed. The egress guard blocks
   * them, so none leaves; non-zero still means a fencing bug (the fence should have flushed them).
   */
  readonly post_fence_egress: number;
  readonly late_provider_output_dropped_count: number;
  readonly telemetry_accepted: number;
  readonly telemetry_dropped: number;
  readonly telemetry_sampled: number;
}
