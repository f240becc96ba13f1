import { DEFAULT_SNAPSHOT_PROVENANCE, validateContract } from '../../../runtime/contracts/v1';
import { materializePlan, SIMPLE_V1_PROFILE } from '../../../runtime/engine';
import {
  bundle,
  config,
  decisions,
  EPOCH,
  evidence,
  Harness,
  healthyStart,
  lifecycleSignals,
  names,
  propose,
  TURN,
} from './support/engine-fixtures';

const transitions = (h: Harness) =>
  h.outputs.flatMap((o) => (o.kind === 'transition' ? [`${o.transition.from_state}>${o.transition.to_state}`] : []));

describe('pre-turn arbitration (turn-engine.md §2)', () => {
  test('LC-T1 Idle + turn_open_proposed → Opening, no authoritative output', () => {
    const h = new Harness();
    const out = h.run(propose(0, TURN, null));
    expect(h.engine.state).toBe('Opening');
    expect(out.map((o) => o.kind)).toEqual(['intent', 'transition']);
    expect(out.some((o) => o.kind === 'signal' || o.kind === 'decision')).toBe(false);
  });

  test.each(['reject', 'defer'] as const)('LC-T2 snapshot invalid with policy %s', (policy) => {
    const h = new Harness(config({ snapshot_failure_policy: policy }));
    h.run(propose(0, TURN, healthyStart({ snapshots: 'stale' })));
    const [d] = decisions(h.outputs);
    expect(d).toMatchObject({ outcome_kind: policy, emitted_by: 'RK-25', phase: 'pre_turn', scope: 'turn', turn_id: TURN, reason: 'snapshot_invalid_or_missing' });
    expect(transitions(h)).toEqual(['Idle>Opening', 'Opening>Idle']);
    expect(h.engine.state).toBe('Idle');
    expect(lifecycleSignals(h.outputs)).toEqual([]);
  });

  test.each(['reject', 'defer'] as const)('LC-T2b capacity %s', (capacity) => {
    const h = new Harness();
    h.run(propose(0, TURN, healthyStart({ capacity })));
    expect(decisions(h.outputs)).toEqual([expect.objectContaining({ outcome_kind: capacity, reason: `admission_capacity_${capacity}` })]);
  });

  test('LC-T3 / AE-001 stale epoch → stale_epoch_reject only', () => {
    const h = new Harness();
    h.run(propose(0, TURN, healthyStart(), EPOCH - 1));
    expect(decisions(h.outputs)).toEqual([
      expect.objectContaining({ outcome_kind: 'stale_epoch_reject', emitted_by: 'RK-24', phase: 'pre_turn', authority_epoch: EPOCH - 1, reason: 'authority_epoch_mismatch' }),
    ]);
    expect(h.engine.state).toBe('Idle');
    expect(lifecycleSignals(h.outputs)).toEqual([]);
  });

  test('LC-T4 / AE-005 authority not granted → deauthorized_drain pre-turn, no abort/close', () => {
    const h = new Harness(config({ authorized: false }));
    h.run(propose(0));
    expect(decisions(h.outputs)).toEqual([
      expect.objectContaining({ outcome_kind: 'deauthorized_drain', phase: 'pre_turn', reason: 'authority_revoked_before_open' }),
    ]);
    expect(lifecycleSignals(h.outputs)).toEqual([]);
    const h2 = new Harness();
    h2.run(propose(0, TURN, healthyStart({ bundle: bundle({ lease: { authority_epoch: EPOCH, valid: true, granted: false } }) })));
    expect(decisions(h2.outputs).map((d) => d.outcome_kind)).toEqual(['deauthorized_drain']);
  });

  test('LC-T4b snapshot invalid and epoch invalid → admission outcome wins', () => {
    const h = new Harness();
    h.run(propose(0, TURN, healthyStart({ snapshots: 'missing' }), EPOCH - 1));
    expect(decisions(h.outputs).map((d) => d.outcome_kind)).toEqual(['defer']);
    expect(decisions(h.outputs)[0].emitted_by).toBe('RK-25');
  });

  test('LC-T5 defaults → turn_open, Active, plan attached, evidence has plan hash/determinism/provenance', () => {
    const h = new Harness();
    h.run(propose(0), { type: 'step', at_ms: 5, conditions: { success_ready: true } });
    expect(lifecycleSignals(h.outputs)).toEqual(['turn_open', 'commit', 'close']);
    const plan = h.outputs.find((o) => o.kind === 'plan');
    expect(plan).toBeDefined();
    const [record] = evidence(h.outputs);
    expect(record.plan_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.ordering_markers.length).toBeGreaterThan(0);
    expect(record.snapshot_provenance).toEqual(bundle().snapshot_provenance);
    const h2 = new Harness();
    h2.run(propose(0));
    expect(h2.engine.state).toBe('Active');
    expect(h2.engine.plan?.turn_id).toBe(TURN);
  });

  test('LC-T5 two-phase: proposal waits in Opening for the resolved turn-start context', () => {
    const h = new Harness();
    h.run(propose(0, TURN, null));
    h.run({ type: 'turn_start_resolved', at_ms: 4, start: healthyStart() });
    expect(h.engine.state).toBe('Active');
  });

  test.each([
    [undefined, 'defer'],
    ['reject', 'reject'],
  ] as const)('LC-T5a plan materialization fails, policy %s → %s', (policy, outcome) => {
    const h = new Harness(config(policy ? { plan_failure_policy: policy } : {}));
    h.run(propose(0, TURN, healthyStart({ bundle: bundle({ execution_profile: 'unsupported/v9' }) })));
    expect(decisions(h.outputs)).toEqual([expect.objectContaining({ outcome_kind: outcome, reason: 'plan_materialization_failed' })]);
    expect(names(h.outputs)).not.toContain('signal:turn_open');
  });

  test('CT-004 same proposal inputs twice → equal plans and plan_hash, all frozen fields present', () => {
    const inputs = { turn_id: TURN, authority_epoch: EPOCH, seed: 3, bundle: bundle(), profiles: { 'simple/v1': SIMPLE_V1_PROFILE } };
    const a = materializePlan(inputs);
    const b = materializePlan(JSON.parse(JSON.stringify(inputs)));
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.plan).toEqual(b.plan);
    expect(a.plan.plan_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(validateContract('ResolvedTurnPlan', a.plan)).toBeUndefined();
    expect(Object.values(a.plan.snapshot_provenance).every((v) => v.length > 0)).toBe(true);
    expect(Object.keys(a.plan.snapshot_provenance)).toHaveLength(6);
    const changed = materializePlan({ ...inputs, seed: 4 });
    expect(changed.ok && changed.plan.plan_hash).not.toBe(a.plan.plan_hash);
    expect(Object.isFrozen(a.plan.edge_buffer_policies.default)).toBe(true);
  });

  describe('CT-006 control-plane backends', () => {
    test('healthy → turn_open', () => {
      const h = new Harness();
      h.run(propose(0));
      expect(lifecycleSignals(h.outputs)).toEqual(['turn_open']);
    });
    test('one backend down → documented default ref used, same result every run', () => {
      const partial = { ...bundle().snapshot_provenance } as Record<string, string>;
      delete partial.provider_health_snapshot;
      const run = () => {
        const h = new Harness();
        h.run(propose(0, TURN, healthyStart({ bundle: bundle({ snapshot_provenance: partial }) })));
        return h.engine.plan!;
      };
      const first = run();
      expect(first.snapshot_provenance.provider_health_snapshot).toBe(DEFAULT_SNAPSHOT_PROVENANCE.provider_health_snapshot);
      expect(run()).toEqual(first);
    });
    test('stale snapshot → defer; unsupported profile → defer/reject per plan policy', () => {
      const stale = new Harness();
      stale.run(propose(0, TURN, healthyStart({ snapshots: 'stale' })));
      expect(decisions(stale.outputs)[0].outcome_kind).toBe('defer');
      const unsupported = new Harness(config({ plan_failure_policy: 'reject' }));
      unsupported.run(propose(0, TURN, healthyStart({ bundle: bundle({ execution_profile: 'nope/v1' }) })));
      expect(decisions(unsupported.outputs)[0].outcome_kind).toBe('reject');
    });
    test.each(['reject', 'defer'] as const)('CP-05 %s → outcome with scope tenant|session', (kind) => {
      const h = new Harness();
      h.run(propose(0, TURN, healthyStart({ bundle: bundle({ cp_admission: { outcome_kind: kind, scope: 'tenant', reason: 'tenant_quota' } }) })));
      expect(decisions(h.outputs)).toEqual([expect.objectContaining({ outcome_kind: kind, emitted_by: 'CP-05', scope: 'tenant', reason: 'tenant_quota' })]);
      expect(decisions(h.outputs)[0].turn_id).toBeUndefined();
    });
    test('lease invalid → stale_epoch_reject; lease revoked → deauthorized_drain', () => {
      const invalid = new Harness();
      invalid.run(propose(0, TURN, healthyStart({ bundle: bundle({ lease: { authority_epoch: EPOCH, valid: false, granted: true } }) })));
      expect(decisions(invalid.outputs)[0].outcome_kind).toBe('stale_epoch_reject');
      const revoked = new Harness();
      revoked.run(propose(0, TURN, healthyStart({ bundle: bundle({ lease: { authority_epoch: EPOCH, valid: true, granted: false } }) })));
      expect(decisions(revoked.outputs)[0].outcome_kind).toBe('deauthorized_drain');
    });
    test('bundle does not resolve → plan-failure policy with turn_start_bundle_resolution_failed', () => {
      const h = new Harness();
      h.run(propose(0, TURN, { snapshots: 'valid', capacity: 'allow' }));
      expect(decisions(h.outputs)[0]).toMatchObject({ outcome_kind: 'defer', reason: 'turn_start_bundle_resolution_failed' });
    });
  });

  test('AE-004 carrier lacks epoch, routing view says 14 → enriched 14 from routing_view, turn opens', () => {
    const h = new Harness(config({ authority_epoch: 14, routing_view_epoch: 14 }));
    expect(h.engine.resolveIngressAuthority(undefined)).toEqual({ authority_epoch: 14, enriched: true, source: 'routing_view' });
    expect(h.engine.resolveIngressAuthority(14)).toEqual({ authority_epoch: 14, enriched: false, source: 'carrier' });
    h.run(propose(0, TURN, healthyStart({}, 14), null));
    expect(h.engine.state).toBe('Active');
    expect(h.engine.plan?.authority_epoch).toBe(14);
  });

  test('a proposal while a turn is Active is dropped deterministically (session arbitration policy)', () => {
    const h = new Harness();
    h.run(propose(0));
    const out = h.run(propose(1, 'T2'));
    expect(names(out)).toEqual(['diagnostic:proposal_while_busy']);
    expect(h.engine.turnId).toBe(TURN);
  });
});
