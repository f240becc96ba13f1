/** CP-05 admission decisions (contracts.md §5 D4: emitter CP-05, scope tenant|session). */
import type { ResolvedBundle } from '../../../pipelines';
import { AdmissionController, CP_ADMISSION_REASONS } from '../../../runtime/control-plane';

function bundleWith(admission: { max_concurrent_sessions: number; capacity_exhausted_outcome: 'reject' | 'defer'; scope: 'tenant' | 'session' }): ResolvedBundle {
  return { policy: { admission } } as unknown as ResolvedBundle;
}

describe('AdmissionController (CP-05)', () => {
  test('tenant scope counts per tenant; exhaustion defers when the policy says defer', () => {
    const controller = new AdmissionController();
    const bundle = bundleWith({ max_concurrent_sessions: 2, capacity_exhausted_outcome: 'defer', scope: 'tenant' });
    expect(controller.decide({ tenantId: 'a', sessionId: 'a1', bundle }).outcome_kind).toBe('admit');
    expect(controller.decide({ tenantId: 'a', sessionId: 'a2', bundle }).outcome_kind).toBe('admit');
    expect(controller.decide({ tenantId: 'a', sessionId: 'a3', bundle })).toEqual({
      outcome_kind: 'defer',
      scope: 'tenant',
      reason: CP_ADMISSION_REASONS.capacityDefer,
      emitted_by: 'CP-05',
    });
    expect(controller.decide({ tenantId: 'b', sessionId: 'b1', bundle }).outcome_kind).toBe('admit');
  });

  test('an operator capacity overrides the bundle policy (scope stays the policy\'s); invalid capacities are refused', () => {
    const bundle = bundleWith({ max_concurrent_sessions: 100, capacity_exhausted_outcome: 'defer', scope: 'tenant' });
    const one = new AdmissionController({ capacity: { maxConcurrentSessions: 1, exhaustedOutcome: 'reject' } });
    expect(one.decide({ tenantId: 'a', sessionId: 'a1', bundle }).outcome_kind).toBe('admit');
    expect(one.decide({ tenantId: 'a', sessionId: 'a2', bundle })).toEqual({
      outcome_kind: 'reject',
      scope: 'tenant',
      reason: CP_ADMISSION_REASONS.capacityReject,
      emitted_by: 'CP-05',
    });
    expect(one.decide({ tenantId: 'a', sessionId: 'a1', bundle }).outcome_kind).toBe('admit'); // idempotent for the admitted one
    const none = new AdmissionController({ capacity: { maxConcurrentSessions: 0, exhaustedOutcome: 'defer' } });
    expect(none.decide({ tenantId: 'a', sessionId: 'a1', bundle })).toMatchObject({ outcome_kind: 'defer', reason: CP_ADMISSION_REASONS.capacityDefer });
    expect(() => new AdmissionController({ capacity: { maxConcurrentSessions: -1, exhaustedOutcome: 'defer' } })).toThrow(/capacity.maxConcurrentSessions/);
    expect(() => new AdmissionController({ capacity: { maxConcurrentSessions: 1, exhaustedOutcome: 'drop' as 'defer' } })).toThrow(/capacity.exhaustedOutcome/);
  });

  test('idle sessions give their slot back after sessionIdleTimeoutMs', () => {
    let now = 0;
    const controller = new AdmissionController({ sessionIdleTimeoutMs: 1000, now: () => now });
    const bundle = bundleWith({ max_concurrent_sessions: 1, capacity_exhausted_outcome: 'reject', scope: 'session' });
    expect(controller.decide({ tenantId: 't', sessionId: 's1', bundle }).outcome_kind).toBe('admit');
    now = 999;
    expect(controller.decide({ tenantId: 't', sessionId: 's2', bundle }).outcome_kind).toBe('reject');
    now = 1999; // s1 seen last at 0 → idle for 1999 ms
    expect(controller.decide({ tenantId: 't', sessionId: 's2', bundle }).outcome_kind).toBe('admit');
  });

  test('draining defers new sessions (scope session) but keeps admitted ones', () => {
    const controller = new AdmissionController();
    const bundle = bundleWith({ max_concurrent_sessions: 10, capacity_exhausted_outcome: 'reject', scope: 'session' });
    controller.decide({ tenantId: 't', sessionId: 'kept', bundle });
    controller.setDraining(true);
    expect(controller.decide({ tenantId: 't', sessionId: 'new', bundle })).toMatchObject({ outcome_kind: 'defer', scope: 'session', reason: CP_ADMISSION_REASONS.draining });
    expect(controller.decide({ tenantId: 't', sessionId: 'kept', bundle }).outcome_kind).toBe('admit');
  });

  test('options are validated', () => {
    expect(() => new AdmissionController({ sessionIdleTimeoutMs: 0 })).toThrow(/sessionIdleTimeoutMs/);
  });
});
