/**
 * The simple_v1 profile encodes the simple-profile defaults of turn-engine.md §6, and the engine
 * materializes a valid, deterministic plan from the shipped bundle (CT-004).
 */
import { materializePlan, SIMPLE_V1_PROFILE } from '../../../runtime/engine';
import { loadArtifacts, loadBundle } from '../../../pipelines';
import { engineProfileOf, enginePoliciesOf, turnStartBundleOf } from '../../../pipelines/artifacts/engine-profile';

describe('simple_v1 profile → engine', () => {
  const set = loadArtifacts();
  const resolved = loadBundle(set.bundles.find((b) => b.artifact.name === 'simple_v1')!.digest, set);
  const profile = engineProfileOf(resolved);

  test('turn-engine.md §6 simple-profile defaults: budgets, default edge, flow modes, watermarks, shedding, recording', () => {
    expect(profile.name).toBe(SIMPLE_V1_PROFILE.name);
    expect(profile.budgets).toEqual({ turn_budget_ms: 5000, node_budget_ms_default: 1500, path_budget_ms_default: 3000, edge_budget_ms_default: 500 });
    expect(profile.edge_buffer_policies.default).toEqual({
      strategy: 'drop',
      max_queue_items: 64,
      max_queue_ms: 300,
      max_queue_bytes: 262144,
      max_latency_contribution_ms: 120,
      watermarks: { queue_items: { high: 48, low: 24 } },
      lane_handling: { DataLane: 'drop', ControlLane: 'non_blocking_priority', TelemetryLane: 'best_effort_drop' },
      defaulting_source: 'execution_profile_default',
    });
    expect(profile.flow_control).toEqual({
      mode_by_lane: { DataLane: 'signal', ControlLane: 'signal', TelemetryLane: 'signal' },
      watermarks: { DataLane: { high: 100, low: 50 }, ControlLane: { high: 20, low: 10 }, TelemetryLane: { high: 200, low: 100 } },
      shedding_strategy_by_lane: { DataLane: 'drop', ControlLane: 'none', TelemetryLane: 'sample' },
    });
    expect(profile.recording_policy).toEqual({ recording_level: 'L0', allowed_replay_modes: ['replay_decisions'] });
  });

  test('agrees with the engine built-in simple/v1 profile on every frozen default', () => {
    const { provider_bindings: _a, edge_buffer_policies: ours, ...rest } = profile;
    const { provider_bindings: _b, edge_buffer_policies: theirs, ...engineRest } = SIMPLE_V1_PROFILE;
    expect(rest).toEqual(engineRest);
    expect(ours.default).toEqual(theirs.default);
  });

  test('every spec edge has an effective buffer policy: its own or the profile default', () => {
    for (const edge of resolved.spec.edges) {
      const policy = profile.edge_buffer_policies[edge.id];
      expect(policy.defaulting_source).toBe(edge.buffer_policy ? 'explicit_edge_config' : 'execution_profile_default');
    }
  });

  test('CT-004: the engine materializes the same valid plan twice from the bundle', () => {
    const inputs = { turn_id: 't1', authority_epoch: 7, seed: 42, bundle: turnStartBundleOf(resolved, { authorityEpoch: 7 }), profiles: enginePoliciesOf(resolved).profiles! };
    const first = materializePlan(inputs);
    const second = materializePlan(inputs);
    if (!first.ok) throw new Error(first.problem);
    expect(second).toEqual(first);
    expect(first.plan.plan_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.plan.snapshot_provenance.version_resolution_snapshot).toBe(`version-resolution/v1@${resolved.digest}`);
    expect(first.plan.snapshot_provenance.policy_resolution_snapshot).toBe(`policy-resolution/v1@${resolved.bundle.policy}`);
    expect(first.plan.provider_bindings).toEqual(resolved.bundle.provider_bindings);
  });
});
