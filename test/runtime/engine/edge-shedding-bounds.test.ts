/**
 * Edge shedding under a slow reader: coalesced `drop_notice` runs (ML-001 / BF-004), pressure
 * asserted by the bytes bound, and `max_latency_contribution_ms` enforced on dequeue.
 */
import fc from 'fast-check';
import { DROP_NOTICE_MAX_HOLD_MS, MAX_DROP_NOTICE_RUN } from '../../../runtime/engine/edge-buffer';
import type { EngineInput, ExecutionProfile } from '../../../runtime/engine';
import { cancel, config, data, dataEvent, edgePolicy, Harness, names, profileWithEdges, propose, signalsNamed } from './support/engine-fixtures';

const pause = (at: number): EngineInput => ({ type: 'downstream', at_ms: at, edge_id: 'default', ready: false });
const resume = (at: number): EngineInput => ({ type: 'downstream', at_ms: at, edge_id: 'default', ready: true });
const tick = (at: number): EngineInput => ({ type: 'tick', at_ms: at });
const PRESSURE = /signal:(watermark|flow_xoff|flow_xon|drop_notice)/;

function withProfile(profile: ExecutionProfile): Harness {
  const h = new Harness(config({ profiles: { 'simple/v1': profile } }));
  h.run(propose(0));
  return h;
}
const small = (o: Parameters<typeof edgePolicy>[0] = {}) =>
  withProfile(profileWithEdges({ default: edgePolicy({ max_queue_items: 4, watermarks: { queue_items: { high: 3, low: 1 } }, ...o }) }));

/** Hot-path ingest of seq from..to at one engine time (what the server does per frame). */
function ingest(h: Harness, from: number, to: number, at: number, bytes = 10): void {
  for (let s = from; s <= to; s++) h.engine.ingestData(dataEvent(s), undefined, bytes, at);
}

describe('drop_notice coalescing (ML-001, BF-004)', () => {
  test('BF-004 slow reader: a contiguous run of drops is one notice per MAX_DROP_NOTICE_RUN items, after watermark and flow_xoff', () => {
    const h = small();
    h.run(pause(0));
    const n = 2 * MAX_DROP_NOTICE_RUN + 10;
    ingest(h, 1, n, 1);
    h.run(tick(1));
    const dropped = n - 4;
    const notices = signalsNamed(h.outputs, 'drop_notice');
    expect(notices.map((s) => s.seq_range)).toEqual([
      { start: 1, end: MAX_DROP_NOTICE_RUN },
      { start: MAX_DROP_NOTICE_RUN + 1, end: 2 * MAX_DROP_NOTICE_RUN },
      { start: 2 * MAX_DROP_NOTICE_RUN + 1, end: dropped },
    ]);
    expect(notices.every((s) => s.reason === 'queue_pressure_drop' && s.edge_id === 'default' && s.target_lane === 'DataLane')).toBe(true);
    expect(h.engine.counters().data_dropped).toBe(dropped);
    expect(names(h.outputs).filter((x) => PRESSURE.test(x)).slice(0, 3)).toEqual(['signal:watermark', 'signal:flow_xoff', 'signal:drop_notice']);
    // Recovery: the remaining items egress and flow_xon comes after every notice.
    const rec = names(h.run(resume(2)));
    expect(rec.filter((x) => x.startsWith('data:'))).toEqual([`data:evt-${n - 3}`, `data:evt-${n - 2}`, `data:evt-${n - 1}`, `data:evt-${n}`]);
    expect(rec.filter((x) => PRESSURE.test(x))).toEqual(['signal:flow_xon']);
  });

  test('ML-001 the run breaks on egress: the pending notice precedes the next delivered item', () => {
    const h = small();
    h.run(pause(0));
    ingest(h, 1, 6, 1); // drops 1, 2
    ingest(h, 7, 7, 1); // drops 3 (same run)
    expect(signalsNamed(h.outputs, 'drop_notice')).toEqual([]);
    const out = names(h.run(resume(2)));
    expect(out.indexOf('signal:drop_notice')).toBeLessThan(out.indexOf('data:evt-4'));
    expect(signalsNamed(h.outputs, 'drop_notice').map((s) => s.seq_range)).toEqual([{ start: 1, end: 3 }]);
    h.run(pause(3));
    ingest(h, 8, 14, 3); // a new episode: drops 8..10
    h.run(tick(3));
    expect(signalsNamed(h.outputs, 'drop_notice').map((s) => s.seq_range)).toEqual([{ start: 1, end: 3 }, { start: 8, end: 10 }]);
  });

  test('ML-001 a run is not held longer than DROP_NOTICE_MAX_HOLD_MS, and reasons never mix', () => {
    const h = small({ max_queue_ms: 10_000, max_latency_contribution_ms: 10_000 });
    h.run(pause(0));
    ingest(h, 1, 5, 1); // drop 1 at t=1
    ingest(h, 6, 6, 1 + DROP_NOTICE_MAX_HOLD_MS - 1); // drop 2, same run
    ingest(h, 7, 7, 1 + DROP_NOTICE_MAX_HOLD_MS); // drop 3: run too old → {1,2} emitted, new run
    expect(signalsNamed(h.outputs, 'drop_notice').map((s) => s.seq_range)).toEqual([{ start: 1, end: 2 }]);
    // The fence flushes the pending run first, then announces its own range.
    const out = signalsNamed(h.run(cancel(100)), 'drop_notice');
    expect(out.map((s) => [s.reason, s.seq_range])).toEqual([
      ['queue_pressure_drop', { start: 3, end: 3 }],
      ['cancel_fence_applied', { start: 4, end: 7 }],
    ]);
  });

  test('ML-001 coalesced ranges are deterministic: the same input twice gives identical outputs', () => {
    const run = () => {
      const h = small();
      h.run(pause(0));
      for (let s = 1; s <= 400; s++) h.run(data(1 + Math.floor(s / 7), s));
      h.run(tick(200), resume(201));
      return JSON.stringify(h.outputs);
    };
    expect(run()).toBe(run());
  });
});

describe('bytes-bound pressure (max_queue_bytes)', () => {
  test('BF-004 a shed forced by max_queue_bytes asserts watermark, flow_xoff before drop_notice; xon only once bytes ≤ half the bound', () => {
    const h = small({ max_queue_bytes: 100, max_queue_items: 10, watermarks: { queue_items: { high: 10, low: 1 } } });
    h.run(pause(0), data(1, 1, {}, 60), data(1, 2, {}, 60));
    h.run(tick(1));
    expect(names(h.outputs).filter((x) => PRESSURE.test(x))).toEqual(['signal:watermark', 'signal:flow_xoff', 'signal:drop_notice']);
    expect(signalsNamed(h.outputs, 'watermark')[0]).toMatchObject({ reason: 'edge_watermark_high', edge_id: 'default' });
    expect(signalsNamed(h.outputs, 'drop_notice')[0]).toMatchObject({ reason: 'queue_pressure_drop', seq_range: { start: 1, end: 1 } });
    expect(h.engine.edgeStates()[0]).toMatchObject({ queued: 1, bytes: 60 });
    // 1 item (≤ low) but 60 bytes > 50: still under pressure.
    expect(signalsNamed(h.run(tick(2)), 'flow_xon')).toEqual([]);
    const rec = names(h.run(resume(3)));
    expect(rec.filter((x) => PRESSURE.test(x) || x.startsWith('data:'))).toEqual(['data:evt-2', 'signal:flow_xon']);
  });

  test('a bytes-bound queue without a shed stays out of pressure', () => {
    const h = small({ max_queue_bytes: 100, max_queue_items: 10, watermarks: { queue_items: { high: 10, low: 1 } } });
    h.run(pause(0), data(1, 1, {}, 40), data(1, 2, {}, 40), tick(2));
    expect(names(h.outputs).filter((x) => PRESSURE.test(x))).toEqual([]);
  });
});

describe('max_latency_contribution_ms on dequeue', () => {
  test('an item queued longer than max_latency_contribution_ms is shed at dequeue (latency_contribution_exceeded); exactly the bound is delivered', () => {
    const h = small({ max_queue_ms: 1000, max_latency_contribution_ms: 100, watermarks: { queue_items: { high: 4, low: 1 } } });
    h.run(pause(0), data(0, 1), data(49, 2), data(50, 3));
    const out = h.run(resume(150));
    expect(names(out).filter((x) => x.startsWith('data:'))).toEqual(['data:evt-3']);
    expect(signalsNamed(out, 'drop_notice')).toEqual([
      expect.objectContaining({ reason: 'latency_contribution_exceeded', seq_range: { start: 1, end: 2 }, edge_id: 'default' }),
    ]);
    expect(names(out).indexOf('signal:drop_notice')).toBeLessThan(names(out).indexOf('data:evt-3'));
    expect(h.engine.counters().data_dropped).toBe(2);
  });

  test('max_queue_ms still bounds time in queue on the clock; latency is judged only when an item leaves', () => {
    const h = small({ max_queue_ms: 1000, max_latency_contribution_ms: 100, watermarks: { queue_items: { high: 4, low: 1 } } });
    h.run(pause(0), data(0, 1), tick(500));
    expect(signalsNamed(h.outputs, 'drop_notice')).toEqual([]);
    expect(h.engine.edgeStates()[0].queued).toBe(1);
  });
});

describe('block edge order (BF-007)', () => {
  test('BF-007 an item that would fit never overtakes one parked by the bytes bound', () => {
    const h = small({ strategy: 'block', max_block_time_ms: 40, max_queue_bytes: 120, watermarks: { queue_items: { high: 3, low: 1 } } });
    h.run(pause(0), data(0, 1, {}, 51), data(0, 2, {}, 70), data(1, 3, {}, 0), data(2, 4, {}, 0));
    expect(h.engine.edgeStates()[0]).toMatchObject({ queued: 1, depth: 4 });
    const seqs = h.run(resume(3)).flatMap((o) => (o.kind === 'data' ? [o.event.runtime_sequence] : []));
    expect(seqs).toEqual([1, 2, 3, 4]);
  });
});

describe('coalescing property (ML-001 lineage stays exact)', () => {
  type Cmd = { readonly k: 'ingest'; readonly dt: number; readonly bytes: number } | { readonly k: 'pause' } | { readonly k: 'resume' } | { readonly k: 'tick'; readonly dt: number };
  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    { weight: 12, arbitrary: fc.record({ k: fc.constant('ingest' as const), dt: fc.integer({ min: 0, max: 30 }), bytes: fc.integer({ min: 0, max: 70 }) }) },
    { weight: 2, arbitrary: fc.constant({ k: 'pause' as const }) },
    { weight: 1, arbitrary: fc.constant({ k: 'resume' as const }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 200 }) }) },
  );

  test('every ingested item is delivered once or inside exactly one drop_notice range; notices never exceed drops', () => {
    fc.assert(
      fc.property(fc.constantFrom('drop' as const, 'latest_only' as const, 'block' as const), fc.array(cmd, { minLength: 1, maxLength: 400 }), fc.boolean(), (strategy, cmds, endWithCancel) => {
        const h = small({ strategy, max_block_time_ms: 40, max_queue_bytes: 120, max_queue_ms: 150, max_latency_contribution_ms: 60, watermarks: { queue_items: { high: 3, low: 1 } } });
        let t = 0;
        let seq = 0;
        for (const c of cmds) {
          if (c.k === 'ingest') {
            t += c.dt;
            h.engine.ingestData(dataEvent(++seq), undefined, c.bytes, t);
          } else if (c.k === 'tick') h.run(tick((t += c.dt)));
          else h.run(c.k === 'pause' ? pause(t) : resume(t));
        }
        h.run(endWithCancel ? cancel(t + 1) : tick(t + 1));
        const seen = new Map<number, number>();
        const mark = (s: number) => seen.set(s, (seen.get(s) ?? 0) + 1);
        const delivered = h.outputs.flatMap((o) => (o.kind === 'data' ? [o.event.runtime_sequence] : []));
        expect(delivered).toEqual([...delivered].sort((x, y) => x - y)); // BF-007
        delivered.forEach(mark);
        const notices = signalsNamed(h.outputs, 'drop_notice');
        for (const n of notices) {
          expect(n.seq_range!.start).toBeLessThanOrEqual(n.seq_range!.end);
          for (let s = n.seq_range!.start; s <= n.seq_range!.end; s++) mark(s);
        }
        const queued = endWithCancel ? 0 : h.engine.edgeStates()[0].depth;
        // Still-queued items are the newest ones; everything else is accounted for exactly once.
        for (let s = 1; s <= seq - queued; s++) expect(seen.get(s)).toBe(1);
        for (let s = seq - queued + 1; s <= seq; s++) expect(seen.get(s)).toBeUndefined();
        expect(h.engine.counters().data_dropped).toBe(seq - queued - h.engine.counters().data_egressed);
        expect(notices.length).toBeLessThanOrEqual(Math.max(1, h.engine.counters().data_dropped));
      }),
      { numRuns: 200 },
    );
  });
});
