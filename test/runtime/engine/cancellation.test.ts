import { checkBaselineCompleteness } from '../../../runtime/contracts/v1';
import {
  cancel,
  config,
  control,
  data,
  evidence,
  Harness,
  lifecycleSignals,
  names,
  propose,
  signal,
  signalsNamed,
  TURN,
} from './support/engine-fixtures';

describe('cancellation and the egress fence (turn-engine.md §7)', () => {
  test('CF-001 cancel while DataLane output streams → no DataLane egress after acceptance, then abort(cancelled), close', () => {
    const h = new Harness();
    h.run(propose(0), data(1, 1), data(2, 2), { type: 'downstream', at_ms: 3, edge_id: 'default', ready: false }, data(3, 3), data(4, 4));
    expect(h.engine.queueDepth('default')).toBe(2);
    h.run(cancel(5), data(6, 5), data(7, 6));
    const order = names(h.outputs);
    const cancelAt = order.indexOf('signal:cancel');
    expect(order.slice(cancelAt).filter((n) => n.startsWith('data:'))).toEqual([]);
    expect(lifecycleSignals(h.outputs)).toEqual(['turn_open', 'abort(cancelled)', 'close']);
    // The queued items were flushed with lineage, not delivered.
    expect(signalsNamed(h.outputs, 'drop_notice')).toEqual([expect.objectContaining({ reason: 'cancel_fence_applied', seq_range: { start: 3, end: 4 } })]);
    expect(h.engine.counters().post_fence_egress).toBe(0);
  });

  test('CF-002 late provider output for a cancelled turn → playback_cancelled, late_after_cancel, counted; another turn still output_accepted', () => {
    const h = new Harness();
    h.run(propose(0), cancel(1));
    const late = h.run(data(2, 7, { provider_invocation_id: 'inv-1' }));
    expect(late).toHaveLength(1);
    expect(signalsNamed(late, 'playback_cancelled')[0]).toMatchObject({ turn_id: TURN, reason: 'cancel_fence_applied', late_after_cancel: true, event_scope: 'turn' });
    expect(h.engine.counters().late_provider_output_dropped_count).toBe(1);
    const other = h.run(propose(3, 'T2'), data(4, 1, { turn_id: 'T2' }));
    expect(signalsNamed(other, 'output_accepted')).toEqual([expect.objectContaining({ turn_id: 'T2' })]);
    expect(names(other)).toContain('data:evt-1');
  });

  test('CF-003 cancel → exactly two lifecycle events: abort(cancelled), close', () => {
    const h = new Harness();
    h.run(propose(0));
    expect(lifecycleSignals(h.run(cancel(1)))).toEqual(['abort(cancelled)', 'close']);
  });

  test('CF-004 cancel sent t=100, accepted t=105 → evidence holds sent/accepted/fence; missing fence or sent → incomplete', () => {
    const h = new Harness();
    h.run(propose(90), cancel(105, 100));
    const [record] = evidence(h.outputs);
    expect(record).toMatchObject({ cancel_sent_at_ms: 100, cancel_accepted_at_ms: 105, cancel_fence_applied_at_ms: 105 });
    expect(checkBaselineCompleteness(record).complete).toBe(true);
    const withFence118 = { ...record, cancel_fence_applied_at_ms: 118 };
    expect(checkBaselineCompleteness(withFence118).complete).toBe(true);
    const noFence = { ...record } as Record<string, unknown>;
    delete noFence.cancel_fence_applied_at_ms;
    expect(checkBaselineCompleteness(noFence)).toMatchObject({ complete: false, problems: [expect.stringContaining('cancel_fence_applied_at_ms')] });
    const noSent = { ...record } as Record<string, unknown>;
    delete noSent.cancel_sent_at_ms;
    expect(checkBaselineCompleteness(noSent).problems[0]).toContain('cancel_sent_at_ms');
  });

  test('CF-005 output_accepted / playback_started for a cancelled scope → rejected; the cancel precedes any later accepted output', () => {
    const h = new Harness();
    h.run(propose(0), data(1, 1), cancel(2));
    for (const name of ['output_accepted', 'playback_started'] as const) {
      const out = h.run(control(3, signal(name, 'RK-22', { turn_id: TURN })));
      expect(names(out)).toEqual(['signal:playback_cancelled', 'diagnostic:late_after_cancel_dropped']);
    }
    const order = names(h.outputs);
    const cancelIdx = order.indexOf('signal:cancel');
    const acceptedAfter = h.outputs.slice(cancelIdx).filter((o) => (o.kind === 'data' && o.event.turn_id === TURN) || (o.kind === 'signal' && o.signal.signal === 'output_accepted' && o.signal.turn_id === TURN));
    expect(acceptedAfter).toEqual([]);
  });

  test('barge_in cancels the turn; stop cancels at session scope', () => {
    const a = new Harness();
    a.run(propose(0), control(1, signal('barge_in', 'RK-06', { turn_id: TURN })));
    expect(lifecycleSignals(a.outputs)).toEqual(['turn_open', 'abort(cancelled)', 'close']);
    const b = new Harness();
    b.run(propose(0), control(1, signal('stop', 'RK-06')));
    expect(signalsNamed(b.outputs, 'cancel')[0].scope).toBe('session');
    expect(lifecycleSignals(b.outputs)).toEqual(['turn_open', 'abort(cancelled)', 'close']);
  });

  test('Tier 2: cancel for one provider invocation fences its outputs; the turn continues', () => {
    const h = new Harness(config());
    h.run(propose(0), control(1, signal('cancel', 'RK-06', { turn_id: TURN, scope: 'provider_invocation', provider_invocation_id: 'inv-9' })));
    expect(signalsNamed(h.outputs, 'cancel')).toEqual([expect.objectContaining({ emitted_by: 'RK-16', scope: 'provider_invocation', provider_invocation_id: 'inv-9' })]);
    const out = h.run(data(2, 1, { provider_invocation_id: 'inv-9' }), data(3, 2, { provider_invocation_id: 'inv-10' }));
    expect(names(out)).toEqual(['signal:playback_cancelled', 'signal:output_accepted', 'data:evt-2']);
    expect(h.engine.state).toBe('Active');
  });
});
