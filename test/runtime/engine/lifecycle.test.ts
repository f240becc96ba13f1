import type { EngineInput } from '../../../runtime/engine';
import {
  cancel,
  config,
  control,
  data,
  decisions,
  EPOCH,
  evidence,
  Harness,
  lifecycleSignals,
  names,
  propose,
  signal,
  signalsNamed,
  TURN,
} from './support/engine-fixtures';

const step = (at: number, conditions: Extract<EngineInput, { type: 'step' }>['conditions']): EngineInput => ({ type: 'step', at_ms: at, conditions });
const transitions = (h: Harness) =>
  h.outputs.flatMap((o) => (o.kind === 'transition' ? [`${o.transition.from_state}>${o.transition.to_state}`] : []));

function active(cfg = config()): Harness {
  const h = new Harness(cfg);
  h.run(propose(0));
  expect(h.engine.state).toBe('Active');
  return h;
}

describe('lifecycle truth table (turn-engine.md §3)', () => {
  test('LC-T6 success ready → commit, close; Active→Terminal→Closed; evidence terminal_outcome=commit', () => {
    const h = active();
    h.run(data(1, 1), step(2, { success_ready: true }));
    expect(lifecycleSignals(h.outputs)).toEqual(['turn_open', 'commit', 'close']);
    expect(transitions(h).slice(-2)).toEqual(['Active>Terminal', 'Terminal>Closed']);
    expect(evidence(h.outputs)[0]).toMatchObject({ terminal_outcome: 'commit', close_emitted: true, first_output_at_ms: 1 });
    expect(h.engine.state).toBe('Closed');
  });

  test('LC-T6b success ready but terminal evidence append fails → abort(recording_evidence_unavailable), no commit', () => {
    const h = active();
    h.run({ type: 'evidence_store', at_ms: 1, available: false }, step(2, { success_ready: true }));
    expect(lifecycleSignals(h.outputs)).toEqual(['turn_open', 'abort(recording_evidence_unavailable)', 'close']);
  });

  test('LC-T9 Stage A cannot keep baseline evidence (capacity) → abort(recording_evidence_unavailable), close', () => {
    // Capacity 4 = 2 baseline entries + 2 reserved for the terminal pair. Plan hash + one marker fill the baseline part.
    const h = active(config({ evidence_capacity: 4 }));
    const lease = (at: number) => control(at, signal('lease_issued', 'CP-07', { authority_epoch: EPOCH }));
    expect(lifecycleSignals(h.run(lease(1)))).toEqual([]);
    expect(lifecycleSignals(h.run(lease(2)))).toEqual(['abort(recording_evidence_unavailable)', 'close']);
    expect(evidence(h.outputs)).toHaveLength(1);
  });

  test('LC-T7 cancel accepted → abort(cancelled), close; evidence has cancel markers', () => {
    const h = active();
    h.run(cancel(10, 8));
    expect(lifecycleSignals(h.outputs)).toEqual(['turn_open', 'abort(cancelled)', 'close']);
    expect(evidence(h.outputs)[0]).toMatchObject({ cancel_sent_at_ms: 8, cancel_accepted_at_ms: 10, cancel_fence_applied_at_ms: 10 });
  });

  test('LC-T8 authority revoked → deauthorized_drain(active_turn), abort(authority_loss), close', () => {
    const h = active();
    const out = h.run({ type: 'authority_revoked', at_ms: 3, reason: 'lease_lost' });
    expect(decisions(out)).toEqual([
      expect.objectContaining({ outcome_kind: 'deauthorized_drain', phase: 'active_turn', scope: 'turn', turn_id: TURN, reason: 'authority_revoked_in_turn' }),
    ]);
    expect(names(out).filter((n) => n.startsWith('decision') || n.startsWith('signal:abort') || n === 'signal:close')).toEqual([
      'decision:deauthorized_drain',
      'signal:abort(authority_loss)',
      'signal:close',
    ]);
  });

  test('LC-T8b revoke and cancel in the same step → same as LC-T8, never cancelled', () => {
    const h = active();
    h.run(step(3, { authority_revoked: true, cancel: { scope: 'turn', sent_at_ms: 2, event_id: 'c1' } }));
    expect(lifecycleSignals(h.outputs)).toEqual(['turn_open', 'abort(authority_loss)', 'close']);
    expect(decisions(h.outputs).map((d) => d.outcome_kind)).toContain('deauthorized_drain');
  });

  test('LC-T9 baseline evidence append fails → abort(recording_evidence_unavailable), close', () => {
    const h = active();
    h.run({ type: 'evidence_store', at_ms: 1, available: false }, step(2, {}));
    expect(lifecycleSignals(h.outputs)).toEqual(['turn_open', 'abort(recording_evidence_unavailable)', 'close']);
    expect(evidence(h.outputs)[0].terminal_reason).toBe('recording_evidence_unavailable');
  });

  test.each([
    ['provider', [{ class: 'provider_failure' as const }], 'provider_failure', []],
    ['node', [{ class: 'node_timeout_or_failure' as const }], 'node_timeout_or_failure', []],
    ['transport', [{ class: 'transport_disconnect_or_stall' as const }], 'transport_disconnect_or_stall', ['disconnected', 'stall']],
    [
      'all together',
      [{ class: 'transport_disconnect_or_stall' as const }, { class: 'node_timeout_or_failure' as const }, { class: 'provider_failure' as const }],
      'provider_failure',
      ['disconnected', 'stall'],
    ],
  ])('LC-T10 %s failure, no legal path → abort(<reason>), close', (_n, failures, reason, transportSignals) => {
    const h = active();
    const out = h.run(step(3, { failures }));
    expect(lifecycleSignals(out)).toEqual([`abort(${reason})`, 'close']);
    const seen = names(out).filter((n) => n === 'signal:disconnected' || n === 'signal:stall').map((n) => n.slice(7));
    expect(seen).toEqual(transportSignals);
    if (reason === 'transport_disconnect_or_stall') {
      const order = names(out);
      expect(order.indexOf('signal:stall')).toBeLessThan(order.indexOf(`signal:abort(${reason})`));
    }
  });

  test('LC-T10 generic terminal failure uses its stable reason', () => {
    const h = active();
    expect(lifecycleSignals(h.run(step(3, { failures: [{ class: 'generic', reason: 'budget_turn_exhausted' }] })))).toEqual([
      'abort(budget_turn_exhausted)',
      'close',
    ]);
  });

  test('LC-T10b cancel plus provider failure in one step → abort(cancelled)', () => {
    const h = active();
    h.run(step(3, { cancel: { scope: 'turn', sent_at_ms: 3, event_id: 'c' }, failures: [{ class: 'provider_failure' }] }));
    expect(lifecycleSignals(h.outputs)).toEqual(['turn_open', 'abort(cancelled)', 'close']);
  });

  describe('LC-T11 late events for a Closed turn (current epoch)', () => {
    const closed = (late: 'drop' | 'remap' | 'diagnostics_only') => {
      const h = active(config({ late_event_policy: late }));
      h.run(step(1, { success_ready: true }));
      return h;
    };
    test('drop: policy action only, state stays Closed, no second terminal', () => {
      const h = closed('drop');
      const out = h.run(data(5, 9), cancel(6));
      expect(names(out)).toEqual(['diagnostic:late_event_dropped', 'diagnostic:late_event_dropped']);
      expect(h.engine.state).toBe('Closed');
      expect(lifecycleSignals(h.outputs)).toEqual(['turn_open', 'commit', 'close']);
    });
    test('diagnostics only', () => {
      expect(names(closed('diagnostics_only').run(data(5, 9)))).toEqual(['diagnostic:late_event_diagnosed']);
    });
    test('remap yields a new turn_open_proposed for a new lifecycle; the original stays Closed', () => {
      const h = closed('remap');
      const out = h.run(data(5, 9));
      const intent = out.find((o) => o.kind === 'intent');
      expect(intent?.kind === 'intent' && intent.signal.signal).toBe('turn_open_proposed');
      expect(intent?.kind === 'intent' && intent.signal.turn_id).not.toBe(TURN);
      expect(h.engine.state).toBe('Closed');
    });
    test('a Closed lifecycle never reopens under its own id', () => {
      const h = closed('drop');
      expect(names(h.run(propose(9)))).toEqual(['diagnostic:invalid_input']);
    });
  });

  test.each(['Active', 'Closed'] as const)('LC-T12 event/output with epoch E-1 while %s → stale_epoch_reject (scheduling_point), no transition', (state) => {
    const h = active();
    if (state === 'Closed') h.run(step(1, { success_ready: true }));
    const before = h.engine.state;
    const out = h.run(data(5, 9, { authority_epoch: EPOCH - 1 }), control(6, signal('cancel', 'RK-06', { turn_id: TURN, scope: 'turn', authority_epoch: EPOCH - 1 })));
    expect(decisions(out).map((d) => [d.outcome_kind, d.phase])).toEqual([
      ['stale_epoch_reject', 'scheduling_point'],
      ['stale_epoch_reject', 'scheduling_point'],
    ]);
    expect(out.some((o) => o.kind === 'transition')).toBe(false);
    expect(h.engine.state).toBe(before);
  });

  test('LC-T12b late event with epoch E-1 for a Closed turn → handled as T12 (stale), not T11', () => {
    const h = active(config({ late_event_policy: 'remap' }));
    h.run(step(1, { success_ready: true }));
    const out = h.run(data(5, 9, { authority_epoch: EPOCH - 1 }));
    expect(names(out)).toEqual(['decision:stale_epoch_reject']);
  });

  test('LC-X second commit, turn_open from Active, close from Active → rejected as illegal', () => {
    const h = active();
    for (const name of ['turn_open', 'close', 'commit'] as const) {
      const out = h.run(control(2, signal(name, 'RK-03', { turn_id: TURN })));
      expect(names(out)).toEqual(['diagnostic:illegal_transition']);
      expect(h.engine.state).toBe('Active');
    }
    h.run(step(3, { success_ready: true }));
    expect(names(h.run(control(4, signal('commit', 'RK-03', { turn_id: TURN }))))).toEqual(['diagnostic:illegal_transition']);
    expect(lifecycleSignals(h.outputs)).toEqual(['turn_open', 'commit', 'close']);
  });

  test('plan freeze: a mid-turn plan change is refused; between turns it applies to the next plan', () => {
    const h = active();
    const frozen = h.engine.plan!;
    const policy = { ...frozen.edge_buffer_policies.default, max_queue_items: 8, watermarks: { queue_items: { high: 6, low: 2 } } };
    expect(names(h.run({ type: 'plan_change', at_ms: 1, edge_id: 'default', policy }))).toEqual(['diagnostic:plan_frozen_mid_turn']);
    expect(h.engine.plan).toBe(frozen);
    expect(() => {
      (frozen.edge_buffer_policies.default as { max_queue_items: number }).max_queue_items = 1;
    }).toThrow(TypeError);
    h.run(step(2, { success_ready: true }), { type: 'plan_change', at_ms: 3, edge_id: 'default', policy }, propose(4, 'T2'));
    expect(h.engine.plan?.edge_buffer_policies.default.max_queue_items).toBe(8);
    expect(h.engine.plan?.plan_hash).not.toBe(frozen.plan_hash);
  });

  test('signalsNamed helper sanity: turn_open carries turn scope and epoch', () => {
    const h = active();
    expect(signalsNamed(h.outputs, 'turn_open')[0]).toMatchObject({ event_scope: 'turn', turn_id: TURN, authority_epoch: EPOCH, emitted_by: 'RK-03' });
  });
});
