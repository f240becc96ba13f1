import type { InvocationOutcome } from '../../../runtime/contracts/v1';
import type { EngineInput } from '../../../runtime/engine';
import { budgetWarningAt, BUDGET_WARNING_FRACTION } from '../../../runtime/engine/turn-engine';
import {
  config,
  control,
  data,
  dataEvent,
  decisions,
  edgePolicy,
  evidence,
  Harness,
  healthyStart,
  lifecycleSignals,
  names,
  profileWithEdges,
  propose,
  signal,
  signalsNamed,
  TURN,
} from './support/engine-fixtures';

const step = (at: number, conditions: Extract<EngineInput, { type: 'step' }>['conditions']): EngineInput => ({ type: 'step', at_ms: at, conditions });

const invocation = (o: Partial<InvocationOutcome> = {}): InvocationOutcome => ({
  provider_invocation_id: 'inv-1',
  modality: 'llm',
  provider_id: 'llm-default',
  outcome_class: 'timeout',
  retryable: true,
  retry_decision: 'none',
  attempt_count: 1,
  final_attempt_latency_ms: 900,
  total_invocation_latency_ms: 900,
  ...o,
});

describe('failure injection (turn-engine.md §10) — one primary fault per run', () => {
  describe('FI-F1 admission overload', () => {
    test.each(['reject', 'defer'] as const)('pre-turn quota exhausted → %s only', (capacity) => {
      const h = new Harness();
      h.run(propose(0, TURN, healthyStart({ capacity })));
      expect(decisions(h.outputs).map((d) => d.outcome_kind)).toEqual([capacity]);
      expect(lifecycleSignals(h.outputs)).toEqual([]);
    });
    test.each(['edge_enqueue', 'edge_dequeue', 'node_dispatch'] as const)('post-accept shed at %s; if the turn ends, one terminal then close; evidence has point + fairness key', (point) => {
      const h = new Harness();
      h.run(propose(0));
      const out = h.run({ type: 'scheduling_shed', at_ms: 1, point, fairness_key: 'tenant-a', terminate_turn: true });
      expect(decisions(out)[0]).toMatchObject({ outcome_kind: 'shed', scope: point, phase: 'scheduling_point', turn_id: TURN });
      const detail = out.find((o) => o.kind === 'diagnostic' && o.code === 'scheduling_shed_detail');
      expect(detail?.kind === 'diagnostic' && detail.detail).toContain(`shed at ${point}, fairness_key=tenant-a`);
      expect(lifecycleSignals(h.outputs)).toEqual(['turn_open', 'abort(scheduling_point_shed)', 'close']);
      expect(evidence(h.outputs)[0].decision_outcomes.map((d) => d.outcome_kind)).toContain('shed');
    });
  });

  describe('FI-F2 node timeout', () => {
    test('node_elapsed past ⌈80 %⌉ of node_budget_ms_default → one budget_warning per node; the timeout later adds only budget_exhausted', () => {
      const h = new Harness();
      h.run(propose(0));
      const nodeBudget = h.engine.plan!.budgets.node_budget_ms_default;
      const warnAt = budgetWarningAt(nodeBudget);
      expect(warnAt).toBe(Math.ceil(nodeBudget * BUDGET_WARNING_FRACTION));
      expect(names(h.run(step(1, { node_elapsed: [{ node_id: 'stt-1', elapsed_ms: warnAt - 1 }] })))).toEqual([]);
      const warned = h.run(step(2, { node_elapsed: [{ node_id: 'stt-1', elapsed_ms: warnAt }, { node_id: 'tts-1', elapsed_ms: 1 }] }));
      expect(signalsNamed(warned, 'budget_warning')).toEqual([expect.objectContaining({ node_id: 'stt-1', reason: 'node_budget_warning', emitted_by: 'RK-17' })]);
      expect(names(h.run(step(3, { node_elapsed: [{ node_id: 'stt-1', elapsed_ms: nodeBudget - 1 }] })))).toEqual([]);
      const out = h.run(step(4, { failures: [{ class: 'node_timeout_or_failure', node_id: 'stt-1' }] }));
      expect(names(out).slice(0, 1)).toEqual(['signal:budget_exhausted']);
      expect(lifecycleSignals(out)).toEqual(['abort(node_timeout_or_failure)', 'close']);
    });
    test('turn budget on the engine clock → budget_warning at ⌈80 %⌉, budget_exhausted at 100 %, once each, non-terminal', () => {
      const h = new Harness();
      h.run(propose(10));
      const budget = h.engine.plan!.budgets.turn_budget_ms;
      const warnAt = 10 + budgetWarningAt(budget);
      h.run({ type: 'tick', at_ms: warnAt - 1 });
      expect(signalsNamed(h.outputs, 'budget_warning')).toEqual([]);
      h.engine.ingestData(dataEvent(1), undefined, 10, warnAt); // the hot path sees the clock too
      h.run({ type: 'tick', at_ms: warnAt + 1 }, { type: 'tick', at_ms: 10 + budget - 1 });
      expect(signalsNamed(h.outputs, 'budget_warning')).toEqual([expect.objectContaining({ reason: 'turn_budget_warning', turn_id: TURN, runtime_timestamp_ms: warnAt })]);
      expect(signalsNamed(h.outputs, 'budget_exhausted')).toEqual([]);
      h.run({ type: 'tick', at_ms: 10 + budget }, { type: 'tick', at_ms: 10 + 2 * budget });
      expect(signalsNamed(h.outputs, 'budget_exhausted')).toEqual([expect.objectContaining({ reason: 'turn_budget_exhausted', runtime_timestamp_ms: 10 + budget })]);
      expect(h.engine.state).toBe('Active');
    });
    test('a clock jump past the whole turn budget → budget_warning then budget_exhausted in one step', () => {
      const h = new Harness();
      h.run(propose(0));
      const out = h.run({ type: 'tick', at_ms: 100_000 });
      expect(names(out)).toEqual(['signal:budget_warning', 'signal:budget_exhausted']);
    });
    test('malformed node_elapsed is an invalid_input diagnostic, not a throw', () => {
      const h = new Harness();
      h.run(propose(0));
      const bad = { type: 'step', at_ms: 1, conditions: { node_elapsed: [{ node_id: '', elapsed_ms: -1 }] } } as unknown as EngineInput;
      expect(names(h.run(bad))).toEqual(['diagnostic:invalid_input']);
    });
    test('with a legal degrade → budget_warning, budget_exhausted then degrade, turn continues', () => {
      const h = new Harness();
      h.run(propose(0, TURN, healthyStart({ bundle: { ...healthyStart().bundle!, allowed_adaptive_actions: ['degrade'] } })));
      const out = h.run(step(1, { failures: [{ class: 'node_timeout_or_failure', node_id: 'stt-1', legal_paths: ['degrade'] }] }));
      expect(names(out)).toEqual(['signal:budget_warning', 'signal:budget_exhausted', 'signal:degrade']);
      expect(signalsNamed(out, 'budget_warning')[0]).toMatchObject({ node_id: 'stt-1', reason: 'node_budget_warning', emitted_by: 'RK-17' });
      expect(h.engine.state).toBe('Active');
    });
    test('with a legal fallback → budget_warning, budget_exhausted then fallback, turn continues', () => {
      const h = new Harness();
      h.run(propose(0));
      expect(names(h.run(step(1, { failures: [{ class: 'node_timeout_or_failure', node_id: 'n', legal_paths: ['fallback'] }] })))).toEqual([
        'signal:budget_warning',
        'signal:budget_exhausted',
        'signal:fallback',
      ]);
    });
    test('without a legal path (or one the plan does not allow) → abort(node_timeout_or_failure), close', () => {
      const h = new Harness();
      h.run(propose(0));
      const out = h.run(step(1, { failures: [{ class: 'node_timeout_or_failure', node_id: 'n', legal_paths: ['degrade'] }] }));
      expect(names(out).slice(0, 2)).toEqual(['signal:budget_warning', 'signal:budget_exhausted']);
      expect(lifecycleSignals(out)).toEqual(['abort(node_timeout_or_failure)', 'close']);
    });
  });

  describe('FI-F3 provider failure', () => {
    test.each(['timeout', 'overload', 'infrastructure_failure'] as const)('%s with switch allowed → provider_error, provider_switch; outcome recorded', (cls) => {
      const h = new Harness();
      h.run(propose(0));
      const out = h.run(step(1, { failures: [{ class: 'provider_failure', invocation: invocation({ outcome_class: cls }), legal_paths: ['provider_switch'] }] }));
      expect(names(out)).toEqual(['signal:provider_error', 'signal:provider_switch']);
      expect(signalsNamed(out, 'provider_error')[0]).toMatchObject({ reason: `provider_${cls}`, provider_invocation_id: 'inv-1' });
      h.run(step(2, { success_ready: true }));
      expect(evidence(h.outputs)[0].invocation_outcomes).toEqual([invocation({ outcome_class: cls })]);
    });
    test('no switch/fallback → abort(provider_failure), close, invocation outcome recorded', () => {
      const h = new Harness();
      h.run(propose(0));
      const out = h.run(step(1, { failures: [{ class: 'provider_failure', invocation: invocation() }] }));
      expect(lifecycleSignals(out)).toEqual(['abort(provider_failure)', 'close']);
      expect(evidence(out)[0].invocation_outcomes).toHaveLength(1);
    });
  });

  test('FI-F4 queue depth variant and queue time variant → BF-004 sequence; turn not terminated', () => {
    const profile = profileWithEdges({
      default: edgePolicy({ max_queue_items: 4, max_queue_ms: 1000, watermarks: { queue_items: { high: 3, low: 1 }, queue_ms: { high: 200, low: 50 } } }),
    });
    const depth = new Harness(config({ profiles: { 'simple/v1': profile } }));
    depth.run(propose(0), { type: 'downstream', at_ms: 0, edge_id: 'default', ready: false });
    for (let i = 1; i <= 5; i++) depth.run(data(1, i));
    depth.run({ type: 'tick', at_ms: 1 });
    expect(names(depth.outputs).filter((n) => /watermark|flow_x|drop_notice/.test(n))).toEqual(['signal:watermark', 'signal:flow_xoff', 'signal:drop_notice']);
    expect(depth.engine.state).toBe('Active');

    const time = new Harness(config({ profiles: { 'simple/v1': profile } }));
    time.run(propose(0), { type: 'downstream', at_ms: 0, edge_id: 'default', ready: false }, data(0, 1), { type: 'tick', at_ms: 250 });
    expect(names(time.outputs).filter((n) => /watermark|flow_x/.test(n))).toEqual(['signal:watermark', 'signal:flow_xoff']);
    time.run({ type: 'downstream', at_ms: 260, edge_id: 'default', ready: true });
    expect(names(time.outputs).filter((n) => /flow_xon/.test(n))).toEqual(['signal:flow_xon']);
    expect(time.engine.state).toBe('Active');
  });

  test('FI-F5 drop one stream of a sync domain → discontinuity; recovery continues deterministically', () => {
    const profile = profileWithEdges({
      default: edgePolicy({ max_queue_items: 2, watermarks: { queue_items: { high: 2, low: 0 } }, sync_drop_policy: { policy: 'drop_with_discontinuity', scope: 'edge_local', group_by: 'sync_id', sync_domain: 'av' } }),
    });
    const h = new Harness(config({ profiles: { 'simple/v1': profile } }));
    h.run(propose(0), { type: 'downstream', at_ms: 0, edge_id: 'default', ready: false }, data(1, 1, { sync_id: 'a1', sync_domain: 'av' }), data(1, 2, { sync_id: 'a2', sync_domain: 'av' }), data(1, 3, { sync_id: 'a3', sync_domain: 'av' }));
    const order = names(h.outputs).filter((n) => /drop_notice|discontinuity/.test(n));
    expect(order).toEqual(['signal:drop_notice', 'signal:discontinuity']);
    expect(h.engine.state).toBe('Active');
    h.run({ type: 'downstream', at_ms: 2, edge_id: 'default', ready: true });
    expect(h.outputs.filter((o) => o.kind === 'data').map((o) => (o.kind === 'data' ? o.event.event_id : ''))).toEqual(['evt-2', 'evt-3']);
  });

  test('FI-F6 transport disconnect mid-turn → disconnected, stall, abort(transport_disconnect_or_stall), close; fence evidence present', () => {
    const h = new Harness();
    h.run(propose(0), { type: 'downstream', at_ms: 0, edge_id: 'default', ready: false }, data(1, 1));
    h.run(control(2, signal('disconnected', 'RK-23')), control(3, signal('stall', 'RK-23')));
    const seq = names(h.outputs).filter((n) => /disconnected|stall|abort|close|drop_notice/.test(n));
    expect(seq).toEqual(['signal:disconnected', 'signal:stall', 'signal:drop_notice', 'signal:abort(transport_disconnect_or_stall)', 'signal:close']);
    expect(signalsNamed(h.outputs, 'drop_notice')[0].reason).toBe('cancel_fence_applied');
    expect(evidence(h.outputs)[0].terminal_reason).toBe('transport_disconnect_or_stall');
  });
});
