/**
 * The turn engine's cancel-fence and epoch paths (`turn-engine.md` §7, §8) as a client or operator
 * sees them: the exact diagnostic (code, detail, turn and event ids) for each control signal the
 * engine refuses, the `stale_epoch_reject` decision's fields, Tier-2 cancel signals, late control
 * for closed turns and the one `output_accepted` per edge and turn.
 */
import type { EngineOutput } from '../../../runtime/engine';
import { cancel, control, data, decisions, EPOCH, evidence, Harness, lifecycleSignals, names, propose, signal, signalsNamed, TURN } from './support/engine-fixtures';

const diagnostics = (out: readonly EngineOutput[]) => out.flatMap((o) => (o.kind === 'diagnostic' ? [o] : []));

describe('ingress authority', () => {
  test('a carrier epoch is taken as is; without one the routing view epoch is used and marked enriched', () => {
    const h = new Harness();
    expect(h.engine.resolveIngressAuthority(EPOCH + 3)).toEqual({ authority_epoch: EPOCH + 3, enriched: false, source: 'carrier' });
    h.run(control(1, signal('lease_rotated', 'CP-07', { authority_epoch: EPOCH + 1 })));
    expect(h.engine.resolveIngressAuthority(undefined)).toEqual({ authority_epoch: EPOCH + 1, enriched: true, source: 'routing_view' });
  });
});

describe('epoch checks on control signals', () => {
  test('a lease_issued with an older epoch is one stale_epoch_reject at edge_enqueue naming the turn and epoch; the epoch stays', () => {
    const h = new Harness();
    const out = h.run(control(1, signal('lease_issued', 'CP-07', { authority_epoch: EPOCH - 1, turn_id: TURN })));
    expect(decisions(out)).toEqual([
      expect.objectContaining({ outcome_kind: 'stale_epoch_reject', phase: 'scheduling_point', scope: 'edge_enqueue', emitted_by: 'RK-24', turn_id: TURN, authority_epoch: EPOCH - 1, runtime_timestamp_ms: 1 }),
    ]);
    expect(h.engine.counters()).toMatchObject({ stale_epoch_rejected: 1 });
    expect(h.engine.resolveIngressAuthority(undefined).authority_epoch).toBe(EPOCH);
  });

  test('lease_rotated must raise the epoch (equal is stale); lease_issued at the same epoch is accepted and echoed', () => {
    const h = new Harness();
    expect(decisions(h.run(control(1, signal('lease_rotated', 'CP-07', { authority_epoch: EPOCH }))))).toHaveLength(1);
    const same = h.run(control(2, signal('lease_issued', 'CP-07', { authority_epoch: EPOCH })));
    expect(decisions(same)).toEqual([]);
    expect(names(same)).toEqual(['signal:lease_issued']);
  });

  test('a cancel stamped with another epoch is rejected before the turn is looked at: the turn goes on', () => {
    const h = new Harness();
    h.run(propose(0));
    const out = h.run(cancel(1, 1, { authority_epoch: EPOCH + 1 }));
    expect(names(out)).toEqual(['decision:stale_epoch_reject']);
    expect(decisions(out)[0]).toMatchObject({ scope: 'edge_enqueue', turn_id: TURN, authority_epoch: EPOCH + 1 });
    expect(lifecycleSignals(h.run(cancel(2)))).toEqual(['abort(cancelled)', 'close']);
  });

  test('migration signals need the current epoch and the order lease_rotated, migration_start, migration_finish, session_handoff', () => {
    const h = new Harness();
    const early = h.run(control(1, signal('migration_start', 'CP-07')));
    expect(diagnostics(early)).toEqual([
      { kind: 'diagnostic', code: 'migration_out_of_order', detail: 'migration_start after none; order is lease_rotated, migration_start, migration_finish, session_handoff' },
    ]);
    h.run(control(2, signal('lease_rotated', 'CP-07', { authority_epoch: EPOCH + 1 })));
    expect(names(h.run(control(3, signal('migration_start', 'CP-07'))))).toEqual(['decision:stale_epoch_reject']);
    const e1 = { authority_epoch: EPOCH + 1 };
    expect(names(h.run(control(4, signal('migration_finish', 'CP-07', e1))))).toEqual(['diagnostic:migration_out_of_order']);
    expect(names(h.run(control(5, signal('migration_start', 'CP-07', e1))))).toEqual(['signal:migration_start']);
    expect(names(h.run(control(6, signal('session_handoff', 'CP-07', e1))))).toEqual(['diagnostic:migration_out_of_order']);
    expect(names(h.run(control(7, signal('migration_finish', 'CP-07', e1))))).toEqual(['signal:migration_finish']);
    expect(names(h.run(control(8, signal('session_handoff', 'CP-07', e1))))).toEqual(['signal:session_handoff']);
  });
});

describe('a rotation during a turn', () => {
  test("the turn's evidence lists each accepted authority marker; later engine signals carry the new epoch", () => {
    const h = new Harness();
    h.run(propose(0));
    const e1 = { authority_epoch: EPOCH + 1 };
    h.run(control(1, signal('lease_rotated', 'CP-07', e1)), control(2, signal('migration_start', 'CP-07', e1)));
    h.run(control(3, signal('migration_start', 'CP-07', e1))); // out of order: no marker
    const out = h.run(cancel(4, 4, e1));
    expect(signalsNamed(out, 'abort')[0].authority_epoch).toBe(EPOCH + 1);
    expect(evidence(out)[0].migration_markers).toEqual([`lease_rotated:${EPOCH + 1}`, `migration_start:${EPOCH + 1}`]);
  });
});

describe('cancel scopes and late control', () => {
  test('cancel(node) fences that node only: one RK-16 cancel naming it, the turn stays open', () => {
    const h = new Harness();
    h.run(propose(0));
    const out = h.run(cancel(1, 1, { scope: 'node', node_id: 'n1', event_id: 'c-1' }));
    expect(signalsNamed(out, 'cancel')).toEqual([
      expect.objectContaining({ emitted_by: 'RK-16', turn_id: TURN, scope: 'node', node_id: 'n1', causal_parent_id: 'c-1' }),
    ]);
    expect(signalsNamed(out, 'cancel')[0].provider_invocation_id).toBeUndefined();
    expect(lifecycleSignals(out)).toEqual([]);
  });

  test('cancel(provider_invocation) names the invocation, not a node', () => {
    const h = new Harness();
    h.run(propose(0));
    const [c] = signalsNamed(h.run(cancel(1, 1, { scope: 'provider_invocation', provider_invocation_id: 'inv-9' })), 'cancel');
    expect(c).toMatchObject({ scope: 'provider_invocation', provider_invocation_id: 'inv-9' });
    expect(c.node_id).toBeUndefined();
  });

  test('a Tier-2 cancel without its target or without a turn is a specific diagnostic', () => {
    const h = new Harness();
    expect(diagnostics(h.run(cancel(1, 1, { scope: 'node', node_id: 'n1', event_id: 'c-0' })))).toEqual([
      { kind: 'diagnostic', code: 'no_active_turn', detail: 'cancel(node) with no active turn', turn_id: TURN, event_id: 'c-0' },
    ]);
    h.run(propose(2));
    expect(diagnostics(h.run(cancel(3, 3, { scope: 'node', event_id: 'c-1' })))).toEqual([
      { kind: 'diagnostic', code: 'invalid_input', detail: 'cancel(node) needs node_id', turn_id: TURN, event_id: 'c-1' },
    ]);
    expect(diagnostics(h.run(cancel(4, 4, { scope: 'provider_invocation', event_id: 'c-2' })))).toEqual([
      { kind: 'diagnostic', code: 'invalid_input', detail: 'cancel(provider_invocation) needs provider_invocation_id', turn_id: TURN, event_id: 'c-2' },
    ]);
  });

  test('cancel, barge_in and stop for a closed turn are late_event_dropped; for an unknown turn no_active_turn', () => {
    const h = new Harness();
    h.run(propose(0), cancel(1));
    expect(diagnostics(h.run(cancel(2, 2, { event_id: 'c-late' })))).toEqual([
      { kind: 'diagnostic', code: 'late_event_dropped', detail: `cancel for Closed turn ${TURN}: the lifecycle never reopens`, turn_id: TURN, event_id: 'c-late' },
    ]);
    expect(names(h.run(control(3, signal('barge_in', 'RK-06', { turn_id: TURN }))))).toEqual(['diagnostic:late_event_dropped']);
    expect(diagnostics(h.run(control(4, signal('stop', 'RK-06', { turn_id: 'T-unknown', event_id: 's-1' }))))).toEqual([
      { kind: 'diagnostic', code: 'no_active_turn', detail: 'stop with no matching active turn', turn_id: 'T-unknown', event_id: 's-1' },
    ]);
  });

  test('a cancel naming another turn than the active one does not touch the active turn', () => {
    const h = new Harness();
    h.run(propose(0));
    expect(names(h.run(cancel(1, 1, { turn_id: 'T-other' })))).toEqual(['diagnostic:no_active_turn']);
    expect(lifecycleSignals(h.run(cancel(2)))).toEqual(['abort(cancelled)', 'close']);
  });

  test('output_accepted for a cancelled turn → playback_cancelled (late_after_cancel) and a diagnostic; for a turn not cancelled it passes', () => {
    const h = new Harness();
    h.run(propose(0), cancel(1));
    const out = h.run(control(2, signal('output_accepted', 'RK-22', { turn_id: TURN, event_id: 'oa-1' })));
    expect(signalsNamed(out, 'playback_cancelled')).toEqual([
      expect.objectContaining({ turn_id: TURN, reason: 'cancel_fence_applied', late_after_cancel: true, causal_parent_id: 'oa-1' }),
    ]);
    expect(diagnostics(out)).toEqual([
      { kind: 'diagnostic', code: 'late_after_cancel_dropped', detail: `output_accepted for cancelled turn ${TURN} rejected`, turn_id: TURN, event_id: 'oa-1' },
    ]);
    expect(names(h.run(control(3, signal('playback_started', 'RK-22', { turn_id: 'T-never' }))))).toEqual(['signal:playback_started']);
  });

  test('lifecycle signals and engine decisions from outside are refused with their own diagnostics', () => {
    const h = new Harness();
    expect(diagnostics(h.run(control(1, signal('commit', 'RK-03', { turn_id: TURN, event_id: 'x-1' }))))).toEqual([
      { kind: 'diagnostic', code: 'illegal_transition', detail: 'commit from outside while Idle: the engine alone drives the lifecycle', turn_id: TURN, event_id: 'x-1' },
    ]);
    expect(diagnostics(h.run(control(2, signal('shed', 'RK-25', { event_id: 'x-2', reason: 'scheduling_shed' }))))).toEqual([
      { kind: 'diagnostic', code: 'invalid_input', detail: 'shed is a decision the engine makes, not an input', event_id: 'x-2' },
    ]);
  });
});

describe('other control signals', () => {
  test('an invalid control signal is refused with the contract path, message and rule', () => {
    const h = new Harness();
    expect(diagnostics(h.run(control(1, signal('shed', 'RK-25', { event_id: 'x-3' }))))).toEqual([
      { kind: 'diagnostic', code: 'invalid_input', detail: 'control signal $.reason: shed requires reason [control_signal.registry]', event_id: 'x-3' },
    ]);
  });

  test('a stall ends the turn only after a disconnected in the same turn; before it, or with no turn, it is echoed', () => {
    const h = new Harness();
    expect(names(h.run(control(1, signal('stall', 'RK-23'))))).toEqual(['signal:stall']);
    h.run(propose(2));
    expect(names(h.run(control(3, signal('stall', 'RK-23'))))).toEqual(['signal:stall']);
    expect(names(h.run(control(4, signal('disconnected', 'RK-23'))))).toEqual(['signal:disconnected']);
    expect(lifecycleSignals(h.run(control(5, signal('stall', 'RK-23'))))).toEqual(['abort(transport_disconnect_or_stall)', 'close']);
  });

  test('timeline markers are echoed unchanged', () => {
    const h = new Harness();
    const s = signal('connected', 'RK-23');
    expect(h.run(control(1, s))).toEqual([{ kind: 'signal', signal: s }]);
  });
});

describe('egress of a turn', () => {
  test('output_accepted goes out once per edge and turn, before the first item', () => {
    const h = new Harness();
    const out = h.run(propose(0), data(1, 1), data(2, 2));
    const n = names(out);
    expect(n.filter((x) => x === 'signal:output_accepted')).toHaveLength(1);
    expect(n.indexOf('signal:output_accepted')).toBeLessThan(n.indexOf('data:evt-1'));
    expect(signalsNamed(out, 'output_accepted')[0]).toMatchObject({ turn_id: TURN, edge_id: 'default', emitted_by: 'RK-22' });
  });
});
