/**
 * Execution profiles: the frozen defaults a plan inherits. `simple/v1` carries the informative
 * simple-profile defaults of `turn-engine.md` §6.
 */
import type { EdgeBufferPolicy } from '../contracts/v1';
import { MVP_PROFILE } from '../contracts/runtime-interface';
import type { ExecutionProfile } from './engine-types';

export const SIMPLE_V1_PROFILE_NAME = MVP_PROFILE;

const SIMPLE_DEFAULT_EDGE: EdgeBufferPolicy = {
  strategy: 'drop',
  max_queue_items: 64,
  max_queue_ms: 300,
  max_queue_bytes: 262144,
  max_latency_contribution_ms: 120,
  watermarks: { queue_items: { high: 48, low: 24 } },
  lane_handling: { DataLane: 'drop', ControlLane: 'non_blocking_priority', TelemetryLane: 'best_effort_drop' },
  defaulting_source: 'execution_profile_default',
};

export const SIMPLE_V1_PROFILE: ExecutionProfile = deepFreeze({
  name: SIMPLE_V1_PROFILE_NAME,
  budgets: { turn_budget_ms: 5000, node_budget_ms_default: 1500, path_budget_ms_default: 3000, edge_budget_ms_default: 500 },
  edge_buffer_policies: { default: SIMPLE_DEFAULT_EDGE },
  flow_control: {
    mode_by_lane: { DataLane: 'signal', ControlLane: 'signal', TelemetryLane: 'signal' },
    watermarks: { DataLane: { high: 100, low: 50 }, ControlLane: { high: 20, low: 10 }, TelemetryLane: { high: 200, low: 100 } },
    shedding_strategy_by_lane: { DataLane: 'drop', ControlLane: 'none', TelemetryLane: 'sample' },
  },
  provider_bindings: { stt: 'stt-default', llm: 'llm-default', tts: 'tts-default' },
  recording_policy: { recording_level: 'L0', allowed_replay_modes: ['replay_decisions'] },
  ordering_markers: ['runtime_sequence'],
  merge_rule_id: 'rspp-timeline-merge',
  merge_rule_version: 'v1.0',
});

/** Recursively freeze a JSON value (plans are immutable once `turn_open` is emitted). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value as object)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
