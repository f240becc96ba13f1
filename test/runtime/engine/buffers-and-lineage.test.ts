import { validateContract } from '../../../runtime/contracts/v1';
import { mergeEvents } from '../../../runtime/engine/merge-lineage';
import { queueOverrideProblems, resolveQueueKey, type EngineInput, type ExecutionProfile } from '../../../runtime/engine';
import {
  cancel,
  config,
  data,
  dataEvent,
  decisions,
  edgePolicy,
  Harness,
  lifecycleSignals,
  names,
  profileWithEdges,
  propose,
  signal,
  signalsNamed,
} from './support/engine-fixtures';

const pause = (at: number, edge = 'default'): EngineInput => ({ type: 'downstream', at_ms: at, edge_id: edge, ready: false });
const resume = (at: number, edge = 'default'): EngineInput => ({ type: 'downstream', at_ms: at, edge_id: edge, ready: true });

function withProfile(profile: ExecutionProfile): Harness {
  const h = new Harness(config({ profiles: { 'simple/v1': profile } }));
  h.run(propose(0));
  return h;
}

const small = (o: Parameters<typeof edgePolicy>[0] = {}) =>
  profileWithEdges({ default: edgePolicy({ max_queue_items: 4, watermarks: { queue_items: { high: 3, low: 1 } }, ...o }) });

describe('lanes, buffers and flow control (turn-engine.md §5-§6)', () => {
  test('BF-001 DataLane saturated and telemetry flooded → cancel delivered without waiting', () => {
    const h = withProfile(small());
    h.run(pause(1));
    for (let i = 1; i <= 50; i++) h.run(data(1, i));
    for (let i = 0; i < 1000; i++) h.engine.emitTelemetry(dataEvent(10_000 + i, { lane: 'TelemetryLane', payload_class: 'metadata' }));
    const out = h.run(cancel(2));
    expect(lifecycleSignals(out)).toEqual(['abort(cancelled)', 'close']);
    // Nothing from the data or telemetry queues was delivered ahead of the cancel.
    expect(out.filter((o) => o.kind === 'data')).toEqual([]);
    expect(names(out)[0]).toBe('signal:drop_notice');
  });

  test('BF-002 telemetry over bound → dropped/sampled, emitter never blocks, data unaffected', () => {
    const h = withProfile(small());
    const verdicts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const v = h.engine.emitTelemetry(dataEvent(i, { lane: 'TelemetryLane', payload_class: 'metadata' }));
      verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
    }
    expect(verdicts.get('accepted')).toBe(200);
    expect(verdicts.get('sampled')).toBeGreaterThan(0);
    expect(verdicts.get('dropped')).toBeGreaterThan(1000);
    expect(h.engine.takeTelemetry(10_000).length).toBeLessThanOrEqual(256);
    expect(names(h.run(data(1, 1)))).toEqual(['signal:output_accepted', 'data:evt-1']);
  });

  test.each(['drop', 'merge'] as const)('BF-003 block edge, max_block_time N → deterministic %s shed at N, never longer', (shed) => {
    const h = withProfile(small({ strategy: 'block', max_block_time_ms: 50, lane_handling: { ...edgePolicy().lane_handling, DataLane: shed } }));
    h.run(pause(0));
    for (let i = 1; i <= 6; i++) h.run(data(10, i));
    expect(h.engine.edgeStates()[0]).toMatchObject({ queued: 4, depth: 6 });
    expect(names(h.run({ type: 'tick', at_ms: 59 })).filter((n) => n === 'signal:drop_notice')).toEqual([]);
    const out = h.run({ type: 'tick', at_ms: 60 });
    expect(h.engine.edgeStates()[0].depth).toBeLessThanOrEqual(4);
    if (shed === 'drop') {
      // The two shed items are one contiguous run: one coalesced notice for seq 1..2.
      expect(signalsNamed(out, 'drop_notice').map((s) => s.seq_range)).toEqual([{ start: 1, end: 2 }]);
    } else {
      const delivered = h.run(resume(61)).filter((o) => o.kind === 'data');
      expect(delivered[0].kind === 'data' && delivered[0].event.merged_from_event_ids).toEqual(['evt-1', 'evt-2', 'evt-3', 'evt-4']);
    }
  });

  test('BF-004 over high watermark in signal mode → watermark, flow_xoff, drop_notice in order; recovery → flow_xon', () => {
    const h = withProfile(small());
    h.run(pause(0));
    // The drop of a data ingest is announced (coalesced) no later than the end of the next step.
    const out = h.run(data(1, 1), data(1, 2), data(1, 3), data(1, 4), data(1, 5), { type: 'tick', at_ms: 1 });
    const seq = names(out).filter((n) => ['signal:watermark', 'signal:flow_xoff', 'signal:drop_notice', 'signal:flow_xon'].includes(n));
    expect(seq).toEqual(['signal:watermark', 'signal:flow_xoff', 'signal:drop_notice']);
    expect(signalsNamed(out, 'watermark')[0]).toMatchObject({ reason: 'edge_watermark_high', edge_id: 'default', target_lane: 'DataLane', emitted_by: 'RK-13' });
    expect(signalsNamed(out, 'flow_xoff')[0]).toMatchObject({ reason: 'backpressure_asserted', emitted_by: 'RK-14' });
    expect(signalsNamed(out, 'drop_notice')[0]).toMatchObject({ reason: 'queue_pressure_drop', seq_range: { start: 1, end: 1 } });
    const recovery = h.run(resume(2));
    expect(names(recovery).filter((n) => n === 'signal:flow_xon')).toHaveLength(1);
    expect(names(recovery).indexOf('signal:flow_xon')).toBeGreaterThan(names(recovery).lastIndexOf('data:evt-5'));
  });

  test('BF-005 credit mode → recovery emits credit_grant with amount ≥ 1 instead of flow_xon', () => {
    const profile = small();
    const credit = { ...profile, flow_control: { ...profile.flow_control, mode_by_lane: { ...profile.flow_control.mode_by_lane, DataLane: 'credit' as const } } };
    const h = withProfile(credit);
    h.run(pause(0), data(1, 1), data(1, 2), data(1, 3));
    const recovery = h.run(resume(2));
    expect(signalsNamed(recovery, 'flow_xon')).toEqual([]);
    expect(signalsNamed(recovery, 'credit_grant')[0].amount).toBeGreaterThanOrEqual(1);
  });

  test('BF-006 latest_only with 3 queued → dequeue keeps only the newest; drop lineage for the others', () => {
    const h = withProfile(small({ strategy: 'latest_only', watermarks: { queue_items: { high: 4, low: 1 } } }));
    h.run(pause(0), data(1, 1), data(1, 2), data(1, 3));
    const out = h.run(resume(2));
    expect(out.filter((o) => o.kind === 'data').map((o) => o.kind === 'data' && o.event.event_id)).toEqual(['evt-3']);
    expect(signalsNamed(out, 'drop_notice')).toEqual([expect.objectContaining({ reason: 'latest_only_superseded', seq_range: { start: 1, end: 2 } })]);
  });

  test('BF-007 one edge, events seq 1..n → recorded strictly by runtime_sequence; regressions refused', () => {
    const h = withProfile(small({ max_queue_items: 64, watermarks: { queue_items: { high: 60, low: 10 } } }));
    const n = 40;
    for (let i = 1; i <= n; i++) h.run(data(i, i));
    const seqs = h.outputs.filter((o) => o.kind === 'data').map((o) => (o.kind === 'data' ? o.event.runtime_sequence : -1));
    expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(names(h.run(data(50, 7)))).toEqual(['diagnostic:sequence_regression']);
    const control = h.outputs.flatMap((o) => (o.kind === 'signal' && o.signal.edge_id === undefined ? [o.signal.runtime_sequence] : []));
    expect(control).toEqual([...control].sort((a, b) => a - b));
  });

  test('ML-001 drop of seq 10-20 → drop_notice with edge, lane, reason, seq_range {10,20}; end < start rejected', () => {
    const notice = signal('drop_notice', 'RK-12', { turn_id: 'T', edge_id: 'e', target_lane: 'DataLane', reason: 'queue_pressure_drop', seq_range: { start: 10, end: 20 } });
    expect(validateContract('ControlSignal', notice)).toBeUndefined();
    expect(validateContract('ControlSignal', { ...notice, seq_range: { start: 20, end: 10 } })).toMatchObject({ path: '$.seq_range.end' });
    // And the engine builds exactly such notices for a range it flushes.
    const h = withProfile(small({ max_queue_items: 16, watermarks: { queue_items: { high: 16, low: 1 } } }));
    h.run(pause(0));
    for (let s = 10; s <= 20; s++) h.run(data(1, s));
    expect(signalsNamed(h.run(cancel(2)), 'drop_notice')[0]).toMatchObject({ edge_id: 'default', target_lane: 'DataLane', seq_range: { start: 10, end: 20 } });
  });

  test('ML-002 merge of seq 30, 10, 20 → ids ordered evt-1, evt-2, evt-3; span {10, 30}; group id kept; < 2 sources rejected', () => {
    const merged = mergeEvents(
      [dataEvent(30, { event_id: 'evt-3' }), dataEvent(10, { event_id: 'evt-1' }), dataEvent(20, { event_id: 'evt-2' })],
      'grp-1',
    );
    expect(merged.event.merged_from_event_ids).toEqual(['evt-1', 'evt-2', 'evt-3']);
    expect(merged.span).toEqual({ start: 10, end: 30 });
    expect(merged.event.merge_group_id).toBe('grp-1');
    expect(validateContract('EventRecord', merged.event)).toBeUndefined();
    expect(() => mergeEvents([dataEvent(1)], 'g')).toThrow(/at least 2/);
  });

  test('merge edge under pressure coalesces queued items with lineage', () => {
    const h = withProfile(small({ strategy: 'merge', watermarks: { queue_items: { high: 4, low: 1 } } }));
    h.run(pause(0));
    for (let i = 1; i <= 5; i++) h.run(data(1, i));
    const out = h.run(resume(2)).filter((o) => o.kind === 'data');
    expect(out.map((o) => (o.kind === 'data' ? o.event.merged_from_event_ids ?? [o.event.event_id] : []))).toEqual([['evt-1', 'evt-2', 'evt-3', 'evt-4'], ['evt-5']]);
  });

  test('ML-004 sync-domain loss twice → identical discontinuity; atomic variant → drop_notice sync_atomic_drop', () => {
    const run = () => {
      const h = withProfile(small({ sync_drop_policy: { policy: 'drop_with_discontinuity', scope: 'edge_local', group_by: 'sync_id', sync_domain: 'av-1' } }));
      h.run(pause(0));
      for (let i = 1; i <= 5; i++) h.run(data(1, i, { sync_id: `frame-${i}`, sync_domain: 'av-1' }));
      return signalsNamed(h.outputs, 'discontinuity');
    };
    const first = run();
    expect(first).toEqual([expect.objectContaining({ sync_domain: 'av-1', reason: 'sync_domain_partial_loss', emitted_by: 'RK-15' })]);
    expect(first[0].discontinuity_id).toBeDefined();
    expect(run()).toEqual(first);

    const atomic = withProfile(small({ sync_drop_policy: { policy: 'atomic_drop', scope: 'edge_local', group_by: 'sync_id' } }));
    atomic.run(pause(0));
    // Audio and text of the same utterance share sync_id "u1"; dropping one drops both.
    atomic.run(data(1, 1, { sync_id: 'u1' }), data(1, 2, { sync_id: 'u2' }), data(1, 3, { sync_id: 'u1' }), data(1, 4, { sync_id: 'u3' }), data(1, 5, { sync_id: 'u4' }));
    expect(signalsNamed(atomic.outputs, 'drop_notice')).toEqual([expect.objectContaining({ reason: 'sync_atomic_drop', seq_range: { start: 1, end: 3 } })]);
    expect(atomic.engine.edgeStates()[0].queued).toBe(3);
  });

  test('ML-005 shed at enqueue → shed, RK-25, scheduling_point, edge_enqueue, scheduling_point_shed', () => {
    const h = withProfile(small());
    const out = h.run({ type: 'scheduling_shed', at_ms: 1, point: 'edge_enqueue', fairness_key: 'tenant-a' });
    expect(decisions(out)).toEqual([
      expect.objectContaining({ outcome_kind: 'shed', emitted_by: 'RK-25', phase: 'scheduling_point', scope: 'edge_enqueue', reason: 'scheduling_point_shed' }),
    ]);
  });

  test('time variant: items older than max_queue_ms are shed; queue_ms watermark crosses', () => {
    const h = withProfile(small({ max_queue_ms: 100, watermarks: { queue_ms: { high: 50, low: 10 } } }));
    h.run(pause(0), data(0, 1));
    expect(signalsNamed(h.run({ type: 'tick', at_ms: 50 }), 'watermark')).toHaveLength(1);
    const out = h.run({ type: 'tick', at_ms: 101 });
    expect(signalsNamed(out, 'drop_notice')[0]).toMatchObject({ reason: 'queue_time_exceeded', seq_range: { start: 1, end: 1 } });
    expect(signalsNamed(out, 'flow_xon')).toHaveLength(1);
  });

  test('bytes bound is enforced', () => {
    const h = withProfile(small({ max_queue_bytes: 100, max_queue_items: 10, watermarks: { queue_items: { high: 10, low: 1 } } }));
    h.run(pause(0), data(1, 1, {}, 60), data(1, 2, {}, 60));
    expect(h.engine.edgeStates()[0]).toMatchObject({ queued: 1, bytes: 60 });
  });
});

describe('lane routing (turn-engine.md §5)', () => {
  test('default queue key runtime/<lane>/<node_type lowercased>; overrides keyed <node_type>|<Lane>', () => {
    expect(resolveQueueKey('STT', 'DataLane')).toBe('runtime/data/stt');
    expect(resolveQueueKey('Tts', 'ControlLane')).toBe('runtime/control/tts');
    expect(resolveQueueKey('llm', 'TelemetryLane')).toBe('runtime/telemetry/llm');
    expect(resolveQueueKey('LLM', 'DataLane', { 'llm|DataLane': 'gpu-queue' })).toBe('gpu-queue');
    expect(resolveQueueKey('LLM', 'ControlLane', { 'llm|DataLane': 'gpu-queue' })).toBe('runtime/control/llm');
  });
  test('overrides must name a valid lane and a non-empty queue', () => {
    expect(queueOverrideProblems({ 'llm|DataLane': 'q' })).toEqual([]);
    expect(queueOverrideProblems({ 'llm|FastLane': 'q' })[0]).toContain('not a Lane');
    expect(queueOverrideProblems({ 'llm|DataLane': '' })[0]).toContain('non-empty');
    expect(queueOverrideProblems({ 'LLM|DataLane': 'q' })[0]).toContain('lowercased');
  });
});
