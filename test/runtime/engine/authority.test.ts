import { evaluateQualityGates, gateSamplesFromRun, runInputLog, type EngineInput } from '../../../runtime/engine';
import {
  cancel,
  config,
  control,
  data,
  decisions,
  EPOCH,
  evidence,
  Harness,
  healthyStart,
  lifecycleSignals,
  names,
  propose,
  signal,
  signalsNamed,
  TURN,
} from './support/engine-fixtures';

describe('authority epochs (turn-engine.md §8)', () => {
  test.each([
    ['alone', [{ type: 'authority_revoked', at_ms: 2, reason: 'lease_lost' }] as EngineInput[]],
    ['tied with cancel', [{ type: 'step', at_ms: 2, conditions: { authority_revoked: true, cancel: { scope: 'turn', sent_at_ms: 2, event_id: 'c' } } }] as EngineInput[]],
  ])('AE-002 revoke %s → deauthorized_drain → abort(authority_loss) → close', (_n, inputs) => {
    const h = new Harness();
    h.run(propose(0));
    const out = h.run(...inputs);
    expect(names(out).filter((n) => n.startsWith('decision:') || n === 'signal:abort(authority_loss)' || n === 'signal:close')).toEqual([
      'decision:deauthorized_drain',
      'signal:abort(authority_loss)',
      'signal:close',
    ]);
  });

  test('AE-003 failover E → E+1: old-placement output rejected at ingress and at egress; zero accepted stale outputs', () => {
    const h = new Harness();
    h.run(propose(0), { type: 'downstream', at_ms: 1, edge_id: 'default', ready: false }, data(1, 1), data(2, 2));
    // Rotation while items stamped E are queued: they must not egress.
    h.run(control(3, signal('lease_rotated', 'CP-07', { authority_epoch: EPOCH + 1 })));
    const ingress = h.run(data(4, 3));
    expect(decisions(ingress)).toEqual([expect.objectContaining({ outcome_kind: 'stale_epoch_reject', phase: 'scheduling_point', scope: 'edge_enqueue', authority_epoch: EPOCH })]);
    const egress = h.run({ type: 'downstream', at_ms: 5, edge_id: 'default', ready: true });
    expect(decisions(egress).map((d) => [d.outcome_kind, d.scope])).toEqual([
      ['stale_epoch_reject', 'node_dispatch'],
      ['stale_epoch_reject', 'node_dispatch'],
    ]);
    expect(egress.filter((o) => o.kind === 'data')).toEqual([]);
    expect(h.engine.counters()).toMatchObject({ stale_epoch_accepted: 0, stale_epoch_rejected: 3 });
    // New-epoch output still flows.
    expect(names(h.run(data(6, 4, { authority_epoch: EPOCH + 1 })))).toContain('data:evt-4');
  });

  test('FI-F7 stale epoch pre-turn; stale output mid-turn; revoke mid-turn (ingress and egress checked)', () => {
    const pre = new Harness();
    pre.run(propose(0, TURN, healthyStart(), EPOCH - 1));
    expect(decisions(pre.outputs).map((d) => d.outcome_kind)).toEqual(['stale_epoch_reject']);
    expect(lifecycleSignals(pre.outputs)).toEqual([]);

    const mid = new Harness();
    mid.run(propose(0));
    expect(names(mid.run(data(1, 1, { authority_epoch: EPOCH - 1 })))).toEqual(['decision:stale_epoch_reject']);
    expect(mid.engine.state).toBe('Active');
    expect(lifecycleSignals(mid.run({ type: 'authority_revoked', at_ms: 2, reason: 'revoked' }))).toEqual(['abort(authority_loss)', 'close']);
    // Deauthorized placement: no new turn opens.
    mid.run(propose(3, 'T2'));
    expect(decisions(mid.outputs).at(-1)).toMatchObject({ outcome_kind: 'deauthorized_drain', phase: 'pre_turn' });
  });

  test('FI-F8 failover with handoff: lease_rotated, migration_start, migration_finish, session_handoff in order with epochs; old placement emits nothing authoritative; AUTHORITY_DIVERGENCE = 0', () => {
    const E1 = EPOCH + 1;
    const newPlacement: EngineInput[] = [
      control(1, signal('lease_rotated', 'CP-07', { authority_epoch: E1 })),
      control(2, signal('migration_start', 'CP-08', { authority_epoch: E1 })),
      control(3, signal('migration_finish', 'CP-08', { authority_epoch: E1 })),
      control(4, signal('session_handoff', 'CP-08', { authority_epoch: E1 })),
      propose(5, TURN, healthyStart({}, E1), E1),
      data(6, 1, { authority_epoch: E1 }),
      data(6, 2, { authority_epoch: EPOCH }),
      { type: 'step', at_ms: 7, conditions: { success_ready: true } },
    ];
    const run = runInputLog({ config: config(), entries: newPlacement });
    const markers = run.outputs.flatMap((o) => (o.kind === 'signal' && ['lease_rotated', 'migration_start', 'migration_finish', 'session_handoff'].includes(o.signal.signal) ? [o.signal] : []));
    expect(markers.map((s) => s.signal)).toEqual(['lease_rotated', 'migration_start', 'migration_finish', 'session_handoff']);
    expect(markers.every((s) => s.authority_epoch === E1)).toBe(true);
    expect(evaluateQualityGates(gateSamplesFromRun(run)).gates.find((g) => g.gate === 'authority_safety')?.passed).toBe(true);
    expect(run.records[0].authority_epoch).toBe(E1);

    // Old placement: its active turn drains, then it emits nothing authoritative.
    const old = new Harness();
    old.run(propose(0), data(1, 1));
    old.run({ type: 'authority_revoked', at_ms: 2, reason: 'lease_rotated_elsewhere' });
    const after = old.run(data(3, 2), propose(4, 'T9'), cancel(5));
    expect(after.filter((o) => o.kind === 'data' || (o.kind === 'signal' && ['turn_open', 'commit', 'output_accepted'].includes(o.signal.signal)))).toEqual([]);
    expect(lifecycleSignals(old.outputs)).toEqual(['turn_open', 'abort(authority_loss)', 'close']);
    expect(evidence(old.outputs)[0].terminal_reason).toBe('authority_loss');
  });

  test('migration markers out of order are refused', () => {
    const h = new Harness();
    expect(names(h.run(control(1, signal('migration_finish', 'CP-08', { authority_epoch: EPOCH }))))).toEqual(['diagnostic:migration_out_of_order']);
  });

  test('epochs are monotonic: a lease for an older epoch is a stale reject', () => {
    const h = new Harness();
    expect(names(h.run(control(1, signal('lease_issued', 'CP-07', { authority_epoch: EPOCH - 2 }))))).toEqual(['decision:stale_epoch_reject']);
    expect(h.engine.authorityEpoch).toBe(EPOCH);
    expect(signalsNamed(h.run(control(2, signal('lease_rotated', 'CP-07', { authority_epoch: EPOCH + 3 }))), 'lease_rotated')).toHaveLength(1);
    expect(h.engine.authorityEpoch).toBe(EPOCH + 3);
  });
});
