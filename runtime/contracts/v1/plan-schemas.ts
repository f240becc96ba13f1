/**
 * ResolvedTurnPlan and EdgeBufferPolicy (`contracts.md` §6).
 */
import {
  ADAPTIVE_ACTIONS,
  BUFFER_STRATEGIES,
  CONTROL_LANE_HANDLING,
  CONTROL_LANE_SHEDDING,
  DATA_LANE_SHEDDING,
  DEFAULTING_SOURCES,
  FLOW_CONTROL_MODES,
  NONDETERMINISTIC_SOURCES,
  RECORDING_LEVELS,
  REPLAY_MODES,
  SYNC_DROP_POLICIES,
  SYNC_DROP_SCOPES,
  SYNC_GROUP_BY,
  TELEMETRY_LANE_HANDLING,
  TELEMETRY_LANE_SHEDDING,
} from './enums';
import { arrayOf, enumOf, int, mapOf, obj, opt, req, signedInt, str, type Infer } from './schema-dsl';

export const PLAN_HASH_PATTERN = '^[0-9a-f]{64}$';

export const WatermarkThresholdSchema = obj('WatermarkThreshold', { high: req(int({ min: 1 })), low: req(int()) }, [
  {
    id: 'watermark.low_not_above_high',
    check: (w) => (w.low > w.high ? { path: '.low', message: `low (${w.low}) must not exceed high (${w.high})` } : undefined),
  },
]);

export const SyncDropPolicySchema = obj(
  'SyncDropPolicy',
  {
    policy: req(enumOf('SyncDropPolicyKind', SYNC_DROP_POLICIES)),
    scope: req(enumOf('SyncDropScope', SYNC_DROP_SCOPES)),
    group_by: opt(enumOf('SyncGroupBy', SYNC_GROUP_BY)),
    sync_domain: opt(str()),
  },
  [
    {
      id: 'sync_drop.group_by_unless_no_sync',
      check: (p) => (p.policy !== 'no_sync' && p.group_by === undefined ? { path: '.group_by', message: `group_by is required for ${p.policy}` } : undefined),
    },
    {
      id: 'sync_drop.domain_for_discontinuity',
      check: (p) =>
        p.policy === 'drop_with_discontinuity' && p.sync_domain === undefined
          ? { path: '.sync_domain', message: 'sync_domain is required for drop_with_discontinuity' }
          : undefined,
    },
  ],
);

export const EdgeBufferPolicySchema = obj(
  'EdgeBufferPolicy',
  {
    strategy: req(enumOf('BufferStrategy', BUFFER_STRATEGIES)),
    max_queue_items: req(int({ min: 1 })),
    max_queue_ms: req(int({ min: 1 })),
    max_queue_bytes: req(int({ min: 1 })),
    max_latency_contribution_ms: req(int({ min: 1 })),
    max_block_time_ms: opt(int({ min: 1 })),
    watermarks: req(obj('EdgeWatermarks', { queue_items: opt(WatermarkThresholdSchema), queue_ms: opt(WatermarkThresholdSchema) })),
    lane_handling: req(
      obj('LaneHandling', {
        DataLane: req(enumOf('BufferStrategy', BUFFER_STRATEGIES)),
        ControlLane: req(enumOf('ControlLaneHandling', CONTROL_LANE_HANDLING)),
        TelemetryLane: req(enumOf('TelemetryLaneHandling', TELEMETRY_LANE_HANDLING)),
      }),
    ),
    fairness_key: opt(str()),
    defaulting_source: req(enumOf('DefaultingSource', DEFAULTING_SOURCES)),
    sync_drop_policy: opt(SyncDropPolicySchema),
  },
  [
    {
      id: 'edge_buffer.block_needs_max_block_time',
      check: (p) =>
        p.strategy === 'block' && p.max_block_time_ms === undefined
          ? { path: '.max_block_time_ms', message: 'strategy=block requires max_block_time_ms >= 1 (no DataLane edge blocks indefinitely)' }
          : undefined,
    },
    {
      id: 'edge_buffer.at_least_one_watermark',
      check: (p) =>
        p.watermarks.queue_items === undefined && p.watermarks.queue_ms === undefined
          ? { path: '.watermarks', message: 'watermarks needs queue_items and/or queue_ms' }
          : undefined,
    },
  ],
);
export type EdgeBufferPolicy = Infer<typeof EdgeBufferPolicySchema>;
export type WatermarkThreshold = Infer<typeof WatermarkThresholdSchema>;
export type SyncDropPolicy = Infer<typeof SyncDropPolicySchema>;

export const SnapshotProvenanceSchema = obj('SnapshotProvenance', {
  routing_view_snapshot: req(str()),
  admission_policy_snapshot: req(str()),
  abi_compatibility_snapshot: req(str()),
  version_resolution_snapshot: req(str()),
  policy_resolution_snapshot: req(str()),
  provider_health_snapshot: req(str()),
});
export type SnapshotProvenance = Infer<typeof SnapshotProvenanceSchema>;

const flowModeSchema = enumOf('FlowControlMode', FLOW_CONTROL_MODES);

export const FlowControlSchema = obj('FlowControl', {
  mode_by_lane: req(obj('ModeByLane', { DataLane: req(flowModeSchema), ControlLane: req(flowModeSchema), TelemetryLane: req(flowModeSchema) })),
  watermarks: req(
    obj('LaneWatermarks', {
      DataLane: req(WatermarkThresholdSchema),
      ControlLane: req(WatermarkThresholdSchema),
      TelemetryLane: req(WatermarkThresholdSchema),
    }),
  ),
  shedding_strategy_by_lane: req(
    obj('SheddingByLane', {
      DataLane: req(enumOf('DataLaneShedding', DATA_LANE_SHEDDING)),
      ControlLane: req(enumOf('ControlLaneShedding', CONTROL_LANE_SHEDDING)),
      TelemetryLane: req(enumOf('TelemetryLaneShedding', TELEMETRY_LANE_SHEDDING)),
    }),
  ),
});
export type FlowControl = Infer<typeof FlowControlSchema>;

export const BudgetsSchema = obj('Budgets', {
  turn_budget_ms: req(int({ min: 1 })),
  node_budget_ms_default: req(int({ min: 1 })),
  path_budget_ms_default: req(int({ min: 1 })),
  edge_budget_ms_default: req(int({ min: 1 })),
});
export type Budgets = Infer<typeof BudgetsSchema>;

export const RecordingPolicySchema = obj('RecordingPolicy', {
  recording_level: req(enumOf('RecordingLevel', RECORDING_LEVELS)),
  allowed_replay_modes: req(arrayOf(enumOf('ReplayMode', REPLAY_MODES), { minItems: 1, unique: true })),
});
export type RecordingPolicy = Infer<typeof RecordingPolicySchema>;

export const MERGE_RULE_VERSION_PATTERN = '^v?\\d+\\.\\d+(\\.\\d+)?$';

export const DeterminismSchema = obj('Determinism', {
  seed: req(signedInt()),
  ordering_markers: req(arrayOf(str(), { minItems: 1, unique: true })),
  merge_rule_id: req(str()),
  merge_rule_version: req(str({ pattern: MERGE_RULE_VERSION_PATTERN })),
  nondeterministic_inputs: req(
    arrayOf(
      obj('NondeterministicInput', {
        input_key: req(str()),
        source: req(enumOf('NondeterministicSource', NONDETERMINISTIC_SOURCES)),
        evidence_ref: req(str()),
      }),
    ),
  ),
  ordering_marker: opt(str()),
});
export type Determinism = Infer<typeof DeterminismSchema>;

export const ResolvedTurnPlanSchema = obj('ResolvedTurnPlan', {
  turn_id: req(str()),
  pipeline_version: req(str()),
  plan_hash: req(str({ pattern: PLAN_HASH_PATTERN })),
  graph_definition_ref: req(str()),
  execution_profile: req(str()),
  authority_epoch: req(int()),
  budgets: req(BudgetsSchema),
  provider_bindings: req(mapOf(str(), { minEntries: 1 })),
  edge_buffer_policies: req(mapOf(EdgeBufferPolicySchema, { minEntries: 1 })),
  flow_control: req(FlowControlSchema),
  allowed_adaptive_actions: req(arrayOf(enumOf('AdaptiveAction', ADAPTIVE_ACTIONS), { unique: true })),
  snapshot_provenance: req(SnapshotProvenanceSchema),
  recording_policy: req(RecordingPolicySchema),
  determinism: req(DeterminismSchema),
});
export type ResolvedTurnPlan = Infer<typeof ResolvedTurnPlanSchema>;
