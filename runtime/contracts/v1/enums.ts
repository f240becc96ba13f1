/**
 * The frozen enumerations of contracts v1 (`contracts.md` §2). Each is a frozen tuple so the
 * schemas (data) and the TypeScript types (derived with `typeof X[number]`) come from one list.
 * Within v1 members may only be appended (see `compatibility.ts`).
 */

function frozen<const T extends readonly string[]>(values: T): T {
  return Object.freeze(values) as T;
}

export const LANES = frozen(['DataLane', 'ControlLane', 'TelemetryLane']);
export type Lane = (typeof LANES)[number];

export const EVENT_SCOPES = frozen(['session', 'turn']);
export type EventScope = (typeof EVENT_SCOPES)[number];

export const PAYLOAD_CLASSES = frozen(['PII', 'PHI', 'audio_raw', 'text_raw', 'derived_summary', 'metadata']);
export type PayloadClass = (typeof PAYLOAD_CLASSES)[number];

export const REDACTION_ACTIONS = frozen(['allow', 'mask', 'hash', 'drop', 'tokenize']);
export type RedactionAction = (typeof REDACTION_ACTIONS)[number];

export const TURN_STATES = frozen(['Idle', 'Opening', 'Active', 'Terminal', 'Closed']);
export type TurnState = (typeof TURN_STATES)[number];

export const TRANSITION_TRIGGERS = frozen([
  'turn_open_proposed',
  'turn_open',
  'commit',
  'abort',
  'close',
  'reject',
  'defer',
  'stale_epoch_reject',
  'deauthorized_drain',
]);
export type TransitionTrigger = (typeof TRANSITION_TRIGGERS)[number];

export const OUTCOME_KINDS = frozen(['admit', 'reject', 'defer', 'shed', 'stale_epoch_reject', 'deauthorized_drain']);
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

export const OUTCOME_PHASES = frozen(['pre_turn', 'scheduling_point', 'active_turn']);
export type OutcomePhase = (typeof OUTCOME_PHASES)[number];

export const OUTCOME_SCOPES = frozen(['tenant', 'session', 'turn', 'edge_enqueue', 'edge_dequeue', 'node_dispatch']);
export type OutcomeScope = (typeof OUTCOME_SCOPES)[number];

/** Scheduling-point scopes (subset of OutcomeScope). */
export const SCHEDULING_SCOPES = frozen(['edge_enqueue', 'edge_dequeue', 'node_dispatch']);
export type SchedulingScope = (typeof SCHEDULING_SCOPES)[number];

export const OUTCOME_EMITTERS = frozen(['RK-24', 'RK-25', 'CP-05']);
export type OutcomeEmitter = (typeof OUTCOME_EMITTERS)[number];

export const SIGNAL_SCOPES = frozen(['session', 'turn', 'node', 'provider_invocation']);
export type SignalScope = (typeof SIGNAL_SCOPES)[number];

export const BUFFER_STRATEGIES = frozen(['block', 'drop', 'merge', 'sample', 'latest_only']);
export type BufferStrategy = (typeof BUFFER_STRATEGIES)[number];

export const FLOW_CONTROL_MODES = frozen(['signal', 'credit', 'hybrid']);
export type FlowControlMode = (typeof FLOW_CONTROL_MODES)[number];

/** Canonical order matters: deduplicated action lists are sorted by this order. */
export const ADAPTIVE_ACTIONS = frozen(['retry', 'provider_switch', 'degrade', 'fallback']);
export type AdaptiveAction = (typeof ADAPTIVE_ACTIONS)[number];

export const RECORDING_LEVELS = frozen(['L0', 'L1', 'L2']);
export type RecordingLevel = (typeof RECORDING_LEVELS)[number];

export const REPLAY_MODES = frozen([
  're_simulate_nodes',
  'playback_recorded_provider_outputs',
  'replay_decisions',
  'recompute_decisions',
]);
export type ReplayMode = (typeof REPLAY_MODES)[number];

export const DIVERGENCE_CLASSES = frozen([
  'PLAN_DIVERGENCE',
  'OUTCOME_DIVERGENCE',
  'ORDERING_DIVERGENCE',
  'TIMING_DIVERGENCE',
  'AUTHORITY_DIVERGENCE',
]);
export type DivergenceClass = (typeof DIVERGENCE_CLASSES)[number];

/** All emitters that may appear on a ControlSignal (`contracts.md` §2, "Signal emitters"). */
export const SIGNAL_EMITTERS = frozen([
  'RK-02',
  'RK-03',
  'RK-06',
  'RK-11',
  'RK-12',
  'RK-13',
  'RK-14',
  'RK-15',
  'RK-16',
  'RK-17',
  'RK-22',
  'RK-23',
  'RK-24',
  'RK-25',
  'OR-02',
  'CP-05',
  'CP-07',
  'CP-08',
]);
export type SignalEmitter = (typeof SIGNAL_EMITTERS)[number];

/** Every control signal name of the registry (`contracts.md` §4). */
export const SIGNAL_NAMES = frozen([
  'turn_open_proposed',
  'turn_open',
  'commit',
  'abort',
  'close',
  'barge_in',
  'stop',
  'cancel',
  'watermark',
  'budget_warning',
  'budget_exhausted',
  'degrade',
  'fallback',
  'discontinuity',
  'drop_notice',
  'flow_xoff',
  'flow_xon',
  'credit_grant',
  'provider_error',
  'circuit_event',
  'provider_switch',
  'lease_issued',
  'lease_rotated',
  'migration_start',
  'migration_finish',
  'session_handoff',
  'admit',
  'reject',
  'defer',
  'shed',
  'stale_epoch_reject',
  'deauthorized_drain',
  'connected',
  'reconnecting',
  'disconnected',
  'ended',
  'silence',
  'stall',
  'output_accepted',
  'playback_started',
  'playback_completed',
  'playback_cancelled',
  'recording_level_downgraded',
]);
export type SignalName = (typeof SIGNAL_NAMES)[number];

export const DATA_LANE_SHEDDING = frozen(['drop', 'merge', 'latest_only', 'degrade', 'fallback']);
export const CONTROL_LANE_SHEDDING = frozen(['none']);
export const TELEMETRY_LANE_SHEDDING = frozen(['drop', 'sample']);
export const CONTROL_LANE_HANDLING = frozen(['non_blocking_priority']);
export const TELEMETRY_LANE_HANDLING = frozen(['drop', 'sample', 'best_effort_drop']);
export const DEFAULTING_SOURCES = frozen(['explicit_edge_config', 'execution_profile_default']);
export const SYNC_DROP_POLICIES = frozen(['atomic_drop', 'drop_with_discontinuity', 'no_sync']);
export const SYNC_DROP_SCOPES = frozen(['edge_local', 'plan_wide']);
export const SYNC_GROUP_BY = frozen(['sync_id', 'event_id', 'custom']);
export const NONDETERMINISTIC_SOURCES = frozen(['external_call', 'system_time', 'random', 'operator_override', 'other']);
export const INVOCATION_MODALITIES = frozen(['stt', 'llm', 'tts', 'external']);
export const INVOCATION_OUTCOME_CLASSES = frozen([
  'success',
  'timeout',
  'overload',
  'blocked',
  'infrastructure_failure',
  'cancelled',
]);
export const RETRY_DECISIONS = frozen(['none', 'retry', 'provider_switch', 'fallback']);
export const TERMINAL_OUTCOMES = frozen(['commit', 'abort']);
export const FIXTURE_GATES = frozen(['quick', 'full', 'both']);
export const LEASE_REASONS = frozen(['lease_authorized', 'lease_stale_epoch', 'lease_deauthorized', 'lease_invalid_input']);
export const INGRESS_AUTHORITY_SOURCES = frozen(['carrier', 'routing_view']);
export const CP_ADMISSION_OUTCOMES = frozen(['admit', 'reject', 'defer']);
export const CP_ADMISSION_SCOPES = frozen(['tenant', 'session']);
