/**
 * TypeScript shapes of validated artifacts (the schemas in `schema/artifact-schemas.ts` are the
 * authority; these types describe what a reader gets once validation passed).
 */
import type { DivergenceClass } from '../../runtime/contracts/v1';
import type { Digest } from './canonical-digest';
import type { ArtifactKindName } from '../schema/schema-language';

export type Lane = 'DataLane' | 'ControlLane' | 'TelemetryLane';

interface ArtifactHeader<K extends ArtifactKindName> {
  readonly kind: K;
  readonly schema_version: string;
  readonly name: string;
  readonly description?: string;
}

interface ContentAddressed {
  /** The recorded digest; equal to the computed one once validated. */
  readonly digest: Digest;
}

export interface Watermark {
  readonly high: number;
  readonly low: number;
}

export interface EdgeBufferPolicyArtifact {
  readonly strategy: 'block' | 'drop' | 'merge' | 'sample' | 'latest_only';
  readonly max_queue_items: number;
  readonly max_queue_ms: number;
  readonly max_queue_bytes: number;
  readonly max_latency_contribution_ms: number;
  readonly max_block_time_ms?: number;
  readonly watermarks: { readonly queue_items?: Watermark; readonly queue_ms?: Watermark };
  readonly lane_handling: { readonly DataLane: string; readonly ControlLane: 'non_blocking_priority'; readonly TelemetryLane: string };
  readonly fairness_key?: string;
  readonly defaulting_source: 'explicit_edge_config' | 'execution_profile_default';
  readonly sync_drop_policy?: { readonly policy: string; readonly scope: string; readonly group_by?: string; readonly sync_domain?: string };
}

export interface PipelineSpecArtifact extends ArtifactHeader<'PipelineSpec'>, ContentAddressed {
  readonly pipeline_version: string;
  readonly graph_definition_ref: string;
  readonly nodes: ReadonlyArray<{ readonly id: string; readonly node_type: string; readonly modality?: string; readonly extension?: Digest; readonly node_budget_ms?: number }>;
  readonly edges: ReadonlyArray<{ readonly id: string; readonly from: string; readonly to: string; readonly lane: Lane; readonly buffer_policy?: EdgeBufferPolicyArtifact }>;
}

export interface ExecutionProfileArtifact extends ArtifactHeader<'ExecutionProfile'>, ContentAddressed {
  readonly execution_profile: string;
  readonly budgets: {
    readonly turn_budget_ms: number;
    readonly node_budget_ms_default: number;
    readonly path_budget_ms_default: number;
    readonly edge_budget_ms_default: number;
  };
  readonly edge_buffer_policies: { readonly default: EdgeBufferPolicyArtifact };
  readonly flow_control: {
    readonly mode_by_lane: Readonly<Record<Lane, 'signal' | 'credit' | 'hybrid'>>;
    readonly watermarks: Readonly<Record<Lane, Watermark>>;
    readonly shedding_strategy_by_lane: { readonly DataLane: string; readonly ControlLane: 'none'; readonly TelemetryLane: string };
  };
  readonly determinism: { readonly ordering_markers: readonly string[]; readonly merge_rule_id: string; readonly merge_rule_version: string };
  readonly recording_policy: { readonly recording_level: 'L0' | 'L1' | 'L2'; readonly allowed_replay_modes: readonly string[] };
}

export interface PolicyArtifact extends ArtifactHeader<'Policy'>, ContentAddressed {
  readonly allowed_adaptive_actions: ReadonlyArray<'retry' | 'provider_switch' | 'degrade' | 'fallback'>;
  readonly snapshot_failure_policy: 'defer' | 'reject';
  readonly plan_failure_policy: 'defer' | 'reject';
  readonly late_event_policy: 'drop' | 'remap' | 'diagnostics_only';
  readonly admission: { readonly max_concurrent_sessions: number; readonly capacity_exhausted_outcome: 'reject' | 'defer'; readonly scope: 'tenant' | 'session' };
  readonly redaction: Readonly<Record<string, string>>;
}

export interface ExtensionArtifact extends ArtifactHeader<'Extension'>, ContentAddressed {
  readonly extension_type: 'custom_node' | 'external_node';
  readonly node_type: string;
  readonly input_lanes: readonly Lane[];
  readonly output_lanes: readonly Lane[];
  readonly node_budget_ms: number;
  readonly cancellation: 'cooperative' | 'fenced_only';
  readonly image?: string;
  readonly endpoint?: { readonly protocol: 'grpc' | 'websocket'; readonly port: number; readonly mtls: true };
  readonly module?: string;
}

export interface PipelineBundleArtifact extends ArtifactHeader<'PipelineBundle'>, ContentAddressed {
  readonly pipeline_version: string;
  readonly spec: Digest;
  readonly profile: Digest;
  readonly policy: Digest;
  readonly extensions?: readonly Digest[];
  readonly provider_bindings: Readonly<Record<string, string>>;
  readonly previous_bundle?: Digest;
}

export interface RolloutArtifact extends ArtifactHeader<'Rollout'> {
  readonly strategy: 'canary';
  readonly target_bundle: Digest;
  readonly rollback_bundle: Digest;
  readonly cohort: { readonly key: 'session_id' | 'tenant_id'; readonly salt: string };
  readonly steps: ReadonlyArray<{ readonly traffic_percent: number; readonly hold_seconds: number }>;
  readonly rollback_on: readonly string[];
  readonly gates_manifest: string;
}

export type ReleaseLine = 'N' | 'N-1';

export interface CompatMatrixArtifact extends ArtifactHeader<'CompatMatrix'> {
  readonly contract: string;
  readonly current: { readonly schema_version: string };
  readonly previous: { readonly schema_version: string; readonly snapshot: string };
  readonly cells: ReadonlyArray<{
    readonly producer: ReleaseLine;
    readonly consumer: ReleaseLine;
    readonly supported: boolean;
    readonly rule: 'identical' | 'additive_backward' | 'strict_forward';
  }>;
}

export interface ExpectedDivergenceArtifact {
  readonly class: DivergenceClass;
  readonly scope: string;
  readonly approved?: boolean;
}

export interface ReplaySessionArtifact {
  readonly id: string;
  readonly bundle: Digest;
  readonly input_log: string;
  readonly recorded_outputs: string;
  readonly expected_evidence: string;
  readonly gate: 'quick' | 'full' | 'both';
  readonly timing_tolerance_ms: number;
  readonly expected_divergences: readonly ExpectedDivergenceArtifact[];
}

export interface ReplaySetArtifact extends ArtifactHeader<'ReplaySet'> {
  readonly replay_mode: string;
  readonly generated_by: string;
  readonly sessions: readonly ReplaySessionArtifact[];
}

export interface GateDefinition {
  readonly id: string;
  readonly stage: 'baseline' | 'slo';
  readonly measure: string;
  readonly source: 'engine' | 'load' | 'replay';
  readonly metric: string;
  readonly comparator: 'lte' | 'gte';
  readonly threshold: number;
  readonly unit: 'ms' | 'count' | 'ratio';
  readonly slo_key: string;
}

export interface GatesManifestArtifact extends ArtifactHeader<'GatesManifest'> {
  readonly stages: readonly string[];
  readonly gates: readonly GateDefinition[];
}

export interface ExampleArtifact extends ArtifactHeader<'Example'> {
  readonly bundle: Digest;
  readonly rollout: string;
  readonly transport: {
    readonly kind: 'livekit';
    readonly room_prefix: string;
    readonly api_key_secret: { readonly name: string; readonly key: string };
    readonly api_secret_secret: { readonly name: string; readonly key: string };
  };
  readonly session: { readonly tenant_id: string; readonly language: string };
}

export type AnyArtifact =
  | PipelineSpecArtifact
  | ExecutionProfileArtifact
  | PolicyArtifact
  | ExtensionArtifact
  | PipelineBundleArtifact
  | RolloutArtifact
  | CompatMatrixArtifact
  | ReplaySetArtifact
  | GatesManifestArtifact
  | ExampleArtifact;


/** The profile key the engine treats as the default edge (the first key). */
export const DEFAULT_EDGE_KEY = 'default';

/** A bundle with every part it references resolved. */
export interface ResolvedBundle {
  readonly digest: Digest;
  readonly bundle: PipelineBundleArtifact;
  readonly spec: PipelineSpecArtifact;
  readonly profile: ExecutionProfileArtifact;
  readonly policy: PolicyArtifact;
  readonly extensions: readonly ExtensionArtifact[];
}
