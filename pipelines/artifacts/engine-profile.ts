/**
 * From a resolved bundle to what the turn engine consumes: its `ExecutionProfile` (the frozen plan
 * defaults), the policies of its `EngineConfig`, and the control-plane `TurnStartBundle` a turn
 * proposal resolves to. One mapping, used by the replay recorder, the gate runner and anyone serving
 * bundles, so a plan materialized anywhere from the same bundle has the same hash.
 */
import { canonicalAdaptiveActions, DEFAULT_SNAPSHOT_PROVENANCE, type EdgeBufferPolicy, type PartialSnapshotProvenance, type TurnStartBundle } from '../../runtime/contracts/v1';
import type { EngineConfig, ExecutionProfile } from '../../runtime/engine';
import { DEFAULT_EDGE_KEY, type EdgeBufferPolicyArtifact, type ResolvedBundle } from './artifact-types';

export { DEFAULT_EDGE_KEY } from './artifact-types';

/**
 * The engine profile of a bundle: the profile's budgets, flow control, recording and determinism,
 * the bundle's provider bindings, and an effective buffer policy for every edge of the spec —
 * its own (`explicit_edge_config`) or the profile default (`execution_profile_default`).
 */
export function engineProfileOf(resolved: ResolvedBundle): ExecutionProfile {
  const { profile, spec, bundle } = resolved;
  const fallback = profile.edge_buffer_policies.default;
  const edges: Record<string, EdgeBufferPolicy> = { [DEFAULT_EDGE_KEY]: toPolicy(fallback) };
  for (const edge of spec.edges) edges[edge.id] = toPolicy(edge.buffer_policy ?? fallback);
  return {
    name: profile.execution_profile,
    budgets: { ...profile.budgets },
    edge_buffer_policies: edges,
    flow_control: profile.flow_control as ExecutionProfile['flow_control'],
    provider_bindings: { ...bundle.provider_bindings },
    recording_policy: profile.recording_policy as ExecutionProfile['recording_policy'],
    ordering_markers: [...profile.determinism.ordering_markers],
    merge_rule_id: profile.determinism.merge_rule_id,
    merge_rule_version: profile.determinism.merge_rule_version,
  };
}

function toPolicy(policy: EdgeBufferPolicyArtifact): EdgeBufferPolicy {
  return JSON.parse(JSON.stringify(policy)) as EdgeBufferPolicy;
}

/** The session-level policies of a bundle, as `EngineConfig` fields. */
export function enginePoliciesOf(resolved: ResolvedBundle): Pick<EngineConfig, 'snapshot_failure_policy' | 'plan_failure_policy' | 'late_event_policy' | 'profiles'> {
  const profile = engineProfileOf(resolved);
  return {
    snapshot_failure_policy: resolved.policy.snapshot_failure_policy,
    plan_failure_policy: resolved.policy.plan_failure_policy,
    late_event_policy: resolved.policy.late_event_policy,
    profiles: { [profile.name]: profile },
  };
}

export interface TurnStartOptions {
  readonly authorityEpoch: number;
  /** @default true */
  readonly leaseValid?: boolean;
  /** @default true */
  readonly leaseGranted?: boolean;
  /** CP-05 admission. @default admit, scope from the policy */
  readonly admission?: TurnStartBundle['cp_admission'];
  /** Extra provenance refs (the bundle and policy refs are always set). */
  readonly provenance?: PartialSnapshotProvenance;
}

/**
 * The `TurnStartBundle` a turn under this bundle starts from, as the control plane resolves it
 * (`runtime/control-plane/turn-start-resolver.ts` derives the same refs): the version, admission and
 * policy provenance refs name the bundle and policy by digest, so the frozen plan (and its hash)
 * records exactly which immutable artifacts it came from.
 */
export function turnStartBundleOf(resolved: ResolvedBundle, options: TurnStartOptions): TurnStartBundle {
  const { bundle, spec, profile, policy } = resolved;
  return {
    pipeline_version: bundle.pipeline_version,
    graph_definition_ref: spec.graph_definition_ref,
    execution_profile: profile.execution_profile,
    graph_fingerprint: bundle.spec,
    allowed_adaptive_actions: canonicalAdaptiveActions([...policy.allowed_adaptive_actions]),
    snapshot_provenance: {
      admission_policy_snapshot: `${DEFAULT_SNAPSHOT_PROVENANCE.admission_policy_snapshot}@${bundle.policy}`,
      version_resolution_snapshot: `${DEFAULT_SNAPSHOT_PROVENANCE.version_resolution_snapshot}@${resolved.digest}`,
      policy_resolution_snapshot: `${DEFAULT_SNAPSHOT_PROVENANCE.policy_resolution_snapshot}@${bundle.policy}`,
      ...(options.provenance ?? {}),
    },
    cp_admission: options.admission ?? { outcome_kind: 'admit', scope: policy.admission.scope, reason: 'cp_admission_admit' },
    lease: { authority_epoch: options.authorityEpoch, valid: options.leaseValid ?? true, granted: options.leaseGranted ?? true },
  };
}
