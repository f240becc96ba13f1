/**
 * The schema of every pipeline artifact kind, in one place, as JSON Schema (TypeBox builders of
 * `schema-language.ts`; published as `schemas/<Kind>.schema.json`). The validator checks with these;
 * the TypeScript types in `artifacts/artifact-types.ts` describe the same shapes for code that reads
 * validated artifacts. Field names and enum values follow `spec/contracts.md` (snake_case wire names)
 * so the profile can be frozen into a `ResolvedTurnPlan` without renaming.
 */
import {
  ADAPTIVE_ACTIONS,
  BUFFER_STRATEGIES,
  CONTROL_LANE_HANDLING,
  CONTROL_LANE_SHEDDING,
  DATA_LANE_SHEDDING,
  DEFAULTING_SOURCES,
  DIVERGENCE_CLASSES,
  FIXTURE_GATES,
  FLOW_CONTROL_MODES,
  INVOCATION_MODALITIES,
  LANES,
  PAYLOAD_CLASSES,
  RECORDING_LEVELS,
  REDACTION_ACTIONS,
  REPLAY_MODES,
  SYNC_DROP_POLICIES,
  SYNC_DROP_SCOPES,
  SYNC_GROUP_BY,
  TELEMETRY_LANE_HANDLING,
  TELEMETRY_LANE_SHEDDING,
} from '../../runtime/contracts/v1';
import { GATE_ORDER } from '../gates/gate-types';
import { arrayOf, bool, digestRef, imageRef, int, mapOf, num, obj, oneOf, optional, selfDigest, str, type ArtifactKindSchema, type ObjectSchema, type SchemaNode } from './schema-language';

export {
  LANES,
  BUFFER_STRATEGIES,
  FLOW_CONTROL_MODES,
  ADAPTIVE_ACTIONS,
  RECORDING_LEVELS,
  REPLAY_MODES,
  PAYLOAD_CLASSES,
  REDACTION_ACTIONS,
  DIVERGENCE_CLASSES,
  INVOCATION_MODALITIES as MODALITIES,
};

/** `v1.0`, `v1.2.3`: the contracts' schema_version form. */
export const SCHEMA_VERSION_PATTERN = '^v[0-9]+\\.[0-9]+(\\.[0-9]+)?$';
/** Artifact names: lowercase snake_case with a version suffix, and equal to the file's base name. */
export const ARTIFACT_NAME_PATTERN = '^[a-z][a-z0-9_]*$';
const ID_PATTERN = '^[a-z][a-z0-9_\\-]*$';


/** Fields every artifact starts with. */
function header(kind: string, contentAddressed: boolean): Record<string, SchemaNode> {
  return {
    kind: str('the artifact kind', { const: kind }),
    schema_version: str('artifact schema version, e.g. v1.0', { pattern: SCHEMA_VERSION_PATTERN }),
    name: str('the artifact name; equal to the file name without .yaml', { pattern: ARTIFACT_NAME_PATTERN }),
    description: optional(str('one line saying what this is for')),
    ...(contentAddressed ? { digest: selfDigest('this artifact\'s content digest') } : {}),
  };
}

const watermark = obj({ high: int('high watermark', 1), low: int('low watermark', 0) }, 'a {high, low} watermark');

/** EdgeBufferPolicy of contracts.md §6. */
export const EDGE_BUFFER_POLICY: ObjectSchema = obj(
  {
    strategy: oneOf(BUFFER_STRATEGIES, 'the buffer strategy'),
    max_queue_items: int('queue bound in items', 1),
    max_queue_ms: int('queue bound in ms of time in queue', 1),
    max_queue_bytes: int('queue bound in bytes', 1),
    max_latency_contribution_ms: int('latency this edge may add, ms', 1),
    max_block_time_ms: optional(int('required when strategy=block', 1)),
    watermarks: obj({ queue_items: optional(watermark), queue_ms: optional(watermark) }, 'queue_items and/or queue_ms watermarks'),
    lane_handling: obj(
      {
        DataLane: oneOf(BUFFER_STRATEGIES),
        ControlLane: oneOf(CONTROL_LANE_HANDLING),
        TelemetryLane: oneOf(TELEMETRY_LANE_HANDLING),
      },
      'per-lane handling',
    ),
    fairness_key: optional(str('fairness key')),
    defaulting_source: oneOf(DEFAULTING_SOURCES),
    sync_drop_policy: optional(
      obj({
        policy: oneOf(SYNC_DROP_POLICIES),
        scope: oneOf(SYNC_DROP_SCOPES),
        group_by: optional(oneOf(SYNC_GROUP_BY)),
        sync_domain: optional(str('sync domain')),
      }),
    ),
  },
  'an EdgeBufferPolicy (contracts.md §6)',
);

const laneMap = (values: SchemaNode, doc: string): SchemaNode => mapOf(values, { keys: { enum: LANES }, minEntries: 3, doc });

const PIPELINE_SPEC: ArtifactKindSchema = {
  kind: 'PipelineSpec',
  folder: 'specs',
  contentAddressed: true,
  schema: obj({
    ...header('PipelineSpec', true),
    pipeline_version: str('the pipeline version this graph implements, e.g. simple/v1'),
    graph_definition_ref: str('the stable id of the graph definition, frozen into plans'),
    nodes: arrayOf(
      obj({
        id: str('node id', { pattern: ID_PATTERN }),
        node_type: str('node type, e.g. provider, transport_ingress, or an extension node_type'),
        modality: optional(oneOf(INVOCATION_MODALITIES, 'the provider modality of a provider node')),
        extension: optional(digestRef('Extension', 'the extension implementing this node')),
        node_budget_ms: optional(int('overrides the profile node budget', 1)),
      }),
      { minItems: 1, uniqueBy: 'id', doc: 'graph nodes' },
    ),
    edges: arrayOf(
      obj({
        id: str('edge id', { pattern: ID_PATTERN }),
        from: str('source node id'),
        to: str('target node id'),
        lane: oneOf(LANES, 'the lane the edge carries'),
        buffer_policy: optional(EDGE_BUFFER_POLICY),
      }),
      { minItems: 1, uniqueBy: 'id', doc: 'graph edges' },
    ),
  }),
};

const EXECUTION_PROFILE: ArtifactKindSchema = {
  kind: 'ExecutionProfile',
  folder: 'profiles',
  contentAddressed: true,
  schema: obj({
    ...header('ExecutionProfile', true),
    execution_profile: str('the profile id frozen into plans, e.g. simple/v1'),
    budgets: obj(
      {
        turn_budget_ms: int('turn budget, ms', 1),
        node_budget_ms_default: int('default node budget, ms', 1),
        path_budget_ms_default: int('default path budget, ms', 1),
        edge_budget_ms_default: int('default edge budget, ms', 1),
      },
      'turn/node/path/edge budgets (turn-engine.md §6)',
    ),
    edge_buffer_policies: mapOf(EDGE_BUFFER_POLICY, { keys: { enum: ['default'] }, minEntries: 1, doc: 'the `default` edge buffer policy applied to every edge without its own' }),
    flow_control: obj(
      {
        mode_by_lane: laneMap(oneOf(FLOW_CONTROL_MODES), 'flow-control mode per lane'),
        watermarks: laneMap(watermark, 'lane watermarks'),
        shedding_strategy_by_lane: obj({
          DataLane: oneOf(DATA_LANE_SHEDDING),
          ControlLane: oneOf(CONTROL_LANE_SHEDDING),
          TelemetryLane: oneOf(TELEMETRY_LANE_SHEDDING),
        }),
      },
      'flow control (contracts.md §6)',
    ),
    determinism: obj(
      {
        ordering_markers: arrayOf(str('an ordering marker, e.g. runtime_sequence'), { minItems: 1, unique: true, doc: 'ordering markers frozen into plans' }),
        merge_rule_id: str('the timeline merge rule id'),
        merge_rule_version: str('the merge rule version', { pattern: '^v?\\d+\\.\\d+(\\.\\d+)?$' }),
      },
      'determinism markers (contracts.md §6)',
    ),
    recording_policy: obj(
      {
        recording_level: oneOf(RECORDING_LEVELS, 'the OR-02 recording level'),
        allowed_replay_modes: arrayOf(oneOf(REPLAY_MODES), { minItems: 1, unique: true }),
      },
      'recording policy',
    ),
  }),
};

const POLICY: ArtifactKindSchema = {
  kind: 'Policy',
  folder: 'policies',
  contentAddressed: true,
  schema: obj({
    ...header('Policy', true),
    allowed_adaptive_actions: arrayOf(oneOf(ADAPTIVE_ACTIONS), { unique: true, doc: 'adaptive actions, canonical order' }),
    snapshot_failure_policy: oneOf(['defer', 'reject'], 'outcome when turn-start snapshots are invalid (turn-engine.md §2 step 1)'),
    plan_failure_policy: oneOf(['defer', 'reject'], 'outcome when plan materialization fails (step 6)'),
    late_event_policy: oneOf(['drop', 'remap', 'diagnostics_only'], 'T11 action for late events on a closed turn'),
    admission: obj(
      {
        max_concurrent_sessions: int('sessions a runtime replica admits before rejecting', 1),
        capacity_exhausted_outcome: oneOf(['reject', 'defer']),
        scope: oneOf(['tenant', 'session'], 'CP-05 admission scope'),
      },
      'admission policy',
    ),
    redaction: mapOf(oneOf(REDACTION_ACTIONS), { keys: { enum: PAYLOAD_CLASSES }, minEntries: PAYLOAD_CLASSES.length, doc: 'one redaction action per payload class' }),
  }),
};

const PIPELINE_BUNDLE: ArtifactKindSchema = {
  kind: 'PipelineBundle',
  folder: 'bundles',
  contentAddressed: true,
  schema: obj({
    ...header('PipelineBundle', true),
    pipeline_version: str('the pipeline version, equal to the spec\'s'),
    spec: digestRef('PipelineSpec', 'the pipeline spec'),
    profile: digestRef('ExecutionProfile', 'the execution profile'),
    policy: digestRef('Policy', 'the policy'),
    extensions: optional(arrayOf(digestRef('Extension'), { unique: true, doc: 'extensions the spec\'s nodes use' })),
    provider_bindings: mapOf(str(undefined, { pattern: '^[a-z0-9][a-z0-9_.\\-/]*$' }), { minEntries: 1, keys: { enum: INVOCATION_MODALITIES }, doc: 'modality → provider id' }),
    previous_bundle: optional(digestRef('PipelineBundle', 'the bundle this one supersedes (its rollback candidate)')),
  }),
};

const ROLLOUT: ArtifactKindSchema = {
  kind: 'Rollout',
  folder: 'rollouts',
  contentAddressed: false,
  schema: obj({
    ...header('Rollout', false),
    strategy: oneOf(['canary'], 'rollout strategy'),
    target_bundle: digestRef('PipelineBundle', 'the bundle being rolled out'),
    rollback_bundle: digestRef('PipelineBundle', 'an earlier bundle to return to'),
    cohort: obj({ key: oneOf(['session_id', 'tenant_id'], 'what the canary split hashes'), salt: str('hash salt keeping cohorts stable') }, 'canary cohort selection'),
    steps: arrayOf(obj({ traffic_percent: int('percent of sessions on the target', 1, 100), hold_seconds: int('time at this step before the next', 0) }), {
      minItems: 1,
      doc: 'traffic steps, ascending, ending at 100',
    }),
    rollback_on: arrayOf(str('a gate id of the gates manifest'), { minItems: 1, unique: true, doc: 'gates whose failure rolls back' }),
    gates_manifest: str('the gates manifest name the rollback_on ids come from', { pattern: ARTIFACT_NAME_PATTERN }),
  }),
};

const RELEASE_LINES = ['N', 'N-1'] as const;

const COMPAT_MATRIX: ArtifactKindSchema = {
  kind: 'CompatMatrix',
  folder: 'compat',
  contentAddressed: false,
  schema: obj({
    ...header('CompatMatrix', false),
    contract: str('the contract family, e.g. runtime/contracts/v1'),
    current: obj({ schema_version: str('the contract schema version release N speaks', { pattern: SCHEMA_VERSION_PATTERN }) }, 'release N: the live contracts module'),
    previous: obj(
      {
        schema_version: str('the contract schema version release N-1 speaks', { pattern: SCHEMA_VERSION_PATTERN }),
        snapshot: str('path (relative to this file) of the N-1 contract schema snapshot'),
      },
      'release N-1: a frozen snapshot of its contract schemas',
    ),
    cells: arrayOf(
      obj({
        producer: oneOf(RELEASE_LINES, 'the release line writing records'),
        consumer: oneOf(RELEASE_LINES, 'the release line decoding them'),
        supported: bool('whether this skew is supported (the contract gate proves it)'),
        rule: oneOf(['identical', 'additive_backward', 'strict_forward'], 'why it holds: same schemas; N reads N-1 (additive-only); N-1 reads N (only while N added nothing)'),
      }),
      { minItems: 4, maxItems: 4, doc: 'one cell per (producer, consumer) pair of release lines N and N-1' },
    ),
  }),
};

const EXTENSION: ArtifactKindSchema = {
  kind: 'Extension',
  folder: 'extensions',
  contentAddressed: true,
  schema: obj({
    ...header('Extension', true),
    extension_type: oneOf(['custom_node', 'external_node'], 'in-process custom node or an external node over the network'),
    node_type: str('the node_type specs use to place this node', { pattern: ID_PATTERN }),
    input_lanes: arrayOf(oneOf(LANES), { minItems: 1, unique: true }),
    output_lanes: arrayOf(oneOf(LANES), { minItems: 1, unique: true }),
    node_budget_ms: int('the node budget the extension promises to meet', 1),
    cancellation: oneOf(['cooperative', 'fenced_only'], 'how cancel reaches it (turn-engine.md §7 tier 2)'),
    image: optional(imageRef('the external node\'s image, pinned by digest')),
    endpoint: optional(obj({ protocol: oneOf(['grpc', 'websocket']), port: int('port', 1), mtls: bool('mTLS is mandatory', true) }, 'how the runtime reaches an external node')),
    module: optional(str('the module implementing a custom node')),
  }),
};

const REPLAY_SET: ArtifactKindSchema = {
  kind: 'ReplaySet',
  folder: 'replay',
  contentAddressed: false,
  schema: obj({
    ...header('ReplaySet', false),
    replay_mode: oneOf(REPLAY_MODES, 'how sessions are replayed'),
    generated_by: str('the command that regenerates this set'),
    sessions: arrayOf(
      obj({
        id: str('session id', { pattern: ID_PATTERN }),
        bundle: digestRef('PipelineBundle', 'the bundle the session ran'),
        input_log: str('path of the recorded input log, relative to the replay set'),
        recorded_outputs: str('path of the recorded engine outputs, relative to the replay set'),
        expected_evidence: str('path of the expected OR-02 evidence records, relative to the replay set'),
        gate: oneOf(FIXTURE_GATES),
        timing_tolerance_ms: int('timing tolerance', 0),
        expected_divergences: arrayOf(obj({ class: oneOf(DIVERGENCE_CLASSES), scope: str('turn:<id>, session:<id> or trace'), approved: optional(bool()) })),
      }),
      { minItems: 1, uniqueBy: 'id' },
    ),
  }),
};

const GATES_MANIFEST: ArtifactKindSchema = {
  kind: 'GatesManifest',
  folder: 'tests',
  contentAddressed: false,
  schema: obj({
    ...header('GatesManifest', false),
    stages: arrayOf(oneOf(GATE_ORDER), { minItems: GATE_ORDER.length, maxItems: GATE_ORDER.length, unique: true, doc: `${GATE_ORDER.join(', ')}, in that order` }),
    gates: arrayOf(
      obj({
        id: str('gate id', { pattern: ID_PATTERN }),
        stage: oneOf(['baseline', 'slo'], 'the stage that evaluates this gate'),
        measure: str('what is measured (turn-engine.md §11)'),
        source: oneOf(['engine', 'load', 'replay'], 'which results file carries the figure (replay: the replay set)'),
        metric: str('the field of the results file holding the figure'),
        comparator: oneOf(['lte', 'gte']),
        threshold: num('the threshold; equal to SLO_GATES', { minimum: 0 }),
        unit: oneOf(['ms', 'count', 'ratio']),
        slo_key: str('the SLO_GATES key this threshold mirrors'),
      }),
      { minItems: 1, uniqueBy: 'id' },
    ),
  }),
};

const EXAMPLE: ArtifactKindSchema = {
  kind: 'Example',
  folder: 'examples',
  contentAddressed: false,
  schema: obj({
    ...header('Example', false),
    bundle: digestRef('PipelineBundle', 'the bundle the example runs'),
    rollout: str('the rollout name the example deploys with', { pattern: ARTIFACT_NAME_PATTERN }),
    transport: obj(
      {
        kind: oneOf(['livekit']),
        room_prefix: str('LiveKit room name prefix'),
        api_key_secret: obj({ name: str('Kubernetes Secret name'), key: str('key in the Secret') }, 'where the LiveKit API key lives (never inline)'),
        api_secret_secret: obj({ name: str('Kubernetes Secret name'), key: str('key in the Secret') }, 'where the LiveKit API secret lives (never inline)'),
      },
      'the transport binding',
    ),
    session: obj({ tenant_id: str('tenant'), language: str('BCP-47 language tag') }, 'session defaults'),
  }),
};

export const ARTIFACT_KINDS: readonly ArtifactKindSchema[] = [
  PIPELINE_SPEC,
  EXECUTION_PROFILE,
  POLICY,
  EXTENSION,
  PIPELINE_BUNDLE,
  ROLLOUT,
  COMPAT_MATRIX,
  REPLAY_SET,
  GATES_MANIFEST,
  EXAMPLE,
];

export function kindSchema(kind: string): ArtifactKindSchema | undefined {
  return ARTIFACT_KINDS.find((k) => k.kind === kind);
}
