/**
 * More of one edge's promises (`turn-engine.md` §6, conformance ML-001, BF-003), driven directly:
 * a dropped merged item announces its whole source span, exact bound and watermark boundaries, the
 * block clock, and the time checks an `offer` runs. Each test names what a consumer or the
 * ControlLane would see differently if the edge got it wrong.
 */
import type { EventRecord } from '../../../runtime/contracts/v1';
import { dataEvent } from './support/engine-fixtures';
import { edge } from './support/edge-timeline';

const ev = (seq: number, o: Partial<EventRecord> = {}) => dataEvent(seq, o);
const notices = (out: readonly string[]) => out.filter((x) => x.startsWith('drop_notice'));
const egressed = (out: readonly string[]) => out.filter((x) => x.startsWith('egress'));

describe('a dropped merged item names its whole source span (ML-001 lineage)', () => {
  test('queue-time drop of merge {1,2}: the notice covers 1..2, so sequence 1 is not lost silently', () => {
    const { host, edge: e } = edge({ strategy: 'merge', max_queue_items: 2, max_queue_ms: 100, watermarks: { queue_items: { high: 3, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 50);
    e.offer(ev(3), undefined, 10, 60); // merge {1,2}
    e.expire(101);
    e.flushDropNotice(101);
    expect(notices(host.out)).toEqual(['drop_notice(queue_time_exceeded 1..2)']);
  });

  test('a cancel fence flushing a merged item covers its sources too', () => {
    const { host, edge: e } = edge({ strategy: 'merge', max_queue_items: 2, watermarks: { queue_items: { high: 3, low: 1 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 4; s <= 6; s++) e.offer(ev(s), undefined, 10, 0); // merge {4,5}, then 6
    expect(e.flush(1, 'cancel_fence')).toBe(2);
    expect(notices(host.out)).toEqual(['drop_notice(cancel_fence 4..6)']);
  });

  test('a merge of a merged item keeps the first source: dropping it covers 1..3', () => {
    const { host, edge: e } = edge({ strategy: 'merge', max_queue_items: 2, max_queue_ms: 100, watermarks: { queue_items: { high: 3, low: 1 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 4; s++) e.offer(ev(s), undefined, 10, s); // merge {1,2} then merge {m1,3}, then 4
    expect(e.queuedItems).toBe(2);
    e.expire(102);
    e.flushDropNotice(102);
    expect(notices(host.out)).toEqual(['drop_notice(queue_time_exceeded 1..3)']);
  });

  test('atomic_drop of a group whose merged item heads the queue names the merged span', () => {
    const { host, edge: e } = edge({
      strategy: 'merge',
      max_queue_items: 2,
      max_queue_ms: 100,
      watermarks: { queue_items: { high: 3, low: 1 } },
      sync_drop_policy: { policy: 'atomic_drop', scope: 'edge_local' },
    } as never);
    e.setDownstreamReady(false, 0);
    e.offer(ev(1, { sync_id: 'g' }), undefined, 10, 0);
    e.offer(ev(2, { sync_id: 'g' }), undefined, 10, 0);
    e.offer(ev(3, { sync_id: 'h' }), undefined, 10, 50); // merge {1,2} (group g, newest envelope)
    e.expire(101);
    expect(notices(host.out)).toEqual(['drop_notice(sync_atomic_drop 1..2)']);
    expect(e.queuedItems).toBe(1);
  });

  test('a merge of more than 64 queued items merges the oldest 64 and keeps the rest in order', () => {
    const { host, edge: e } = edge({ strategy: 'merge', max_queue_items: 66, max_queue_bytes: 1_000_000, watermarks: { queue_items: { high: 67, low: 1 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 67; s++) e.offer(ev(s), undefined, 10, 0);
    expect([e.queuedItems, e.bytesQueued]).toEqual([4, 670]);
    e.setDownstreamReady(true, 1);
    expect(host.delivered.map((d) => d.event.merged_from_event_ids?.length ?? d.event.event_id)).toEqual([64, 'evt-65', 'evt-66', 'evt-67']);
    expect(e.bytesQueued).toBe(0);
  });

  test('a merge edge holding one item drops it instead of merging (a merge needs two sources)', () => {
    const { host, edge: e } = edge({ strategy: 'merge', max_queue_items: 1, watermarks: { queue_items: { high: 2, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 0);
    e.flushDropNotice(0);
    expect(notices(host.out)).toEqual(['drop_notice(queue_pressure_drop 1..1)']);
  });

  test('the merged item keeps the enqueue time of its oldest source, not time 0', () => {
    const { host, edge: e } = edge({ strategy: 'merge', max_queue_items: 2, max_queue_ms: 100, watermarks: { queue_items: { high: 3, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 1000);
    e.offer(ev(2), undefined, 10, 1010);
    e.offer(ev(3), undefined, 10, 1020);
    e.expire(1100);
    expect(host.dropped).toBe(0);
    e.expire(1101);
    expect(host.dropped).toBe(1);
  });
});

describe('bounds and watermark boundaries', () => {
  test('items that fill max_queue_bytes exactly are all kept', () => {
    const { host, edge: e } = edge({ max_queue_items: 5, max_queue_bytes: 30, watermarks: { queue_items: { high: 6, low: 1 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 3; s++) e.offer(ev(s), undefined, 10, 0);
    expect([e.queuedItems, host.dropped, host.out]).toEqual([3, 0, []]);
  });

  test('one item larger than max_queue_bytes into an empty edge is queued without a pressure episode', () => {
    const { host, edge: e } = edge({ max_queue_bytes: 30 });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 50, 0);
    expect([e.queuedItems, e.underPressure, host.out]).toEqual([1, false, []]);
  });

  test('pressure ends when queued bytes fall to exactly half of max_queue_bytes', () => {
    const { host, edge: e } = edge({ max_queue_items: 8, max_queue_bytes: 40, watermarks: { queue_items: { high: 9, low: 8 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 5; s++) e.offer(ev(s), undefined, 10, 0); // 5th overflows the bytes: pressure, 1 dropped
    expect(e.underPressure).toBe(true);
    host.take = 2;
    e.setDownstreamReady(true, 1); // 2 leave: 20 bytes queued = 40 × 0.5
    expect(host.out.slice(-1)).toEqual(['flow_xon']);
  });

  test('the time watermark counts the head item age from its own enqueue time', () => {
    const { host, edge: e } = edge({ max_queue_ms: 1000, watermarks: { queue_ms: { high: 100, low: 50 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 1000);
    e.expire(1099);
    expect(e.underPressure).toBe(false);
    e.expire(1100);
    expect(host.out).toEqual(['watermark(edge_watermark_high)', 'flow_xoff(backpressure_asserted)']);
  });

  test('time pressure ends when the head age is exactly at the low watermark', () => {
    const { host, edge: e } = edge({ max_queue_ms: 1000, watermarks: { queue_ms: { high: 100, low: 50 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 100);
    e.expire(100); // head age 100: pressure
    host.take = 1;
    e.setDownstreamReady(true, 150); // 1 leaves; head 2 is 50 ms old = low
    expect(host.out).toEqual(['watermark(edge_watermark_high)', 'flow_xoff(backpressure_asserted)', 'egress:1', 'flow_xon']);
  });

  test('a blocked producer beyond the high watermark gives one watermark and one flow_xoff, not one per item', () => {
    const { host, edge: e } = edge({ strategy: 'block', max_block_time_ms: 1000, max_queue_items: 2, watermarks: { queue_items: { high: 3, low: 1 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 4; s++) e.offer(ev(s), undefined, 10, 0);
    expect(e.blockedItems).toBe(2);
    expect(host.out).toEqual(['watermark(edge_watermark_high)', 'flow_xoff(backpressure_asserted)']);
  });

  test('marking the consumer not ready never ends a pressure episode by itself', () => {
    const { host, edge: e } = edge({ max_queue_items: 2, watermarks: { queue_items: { high: 2, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 0);
    e.flush(1, 'cancel_fence');
    const before = host.out.length;
    e.setDownstreamReady(false, 2);
    expect(host.out.slice(before)).toEqual([]);
    expect(e.underPressure).toBe(true);
  });
});

describe('time checks on offer and the block clock', () => {
  test('an offer first sheds queued items past max_queue_ms', () => {
    const { host, edge: e } = edge({ max_queue_ms: 100 });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 101);
    expect([e.queuedItems, host.dropped]).toEqual([1, 1]);
    e.flushDropNotice(101);
    expect(notices(host.out)).toEqual(['drop_notice(queue_time_exceeded 1..1)']);
  });

  test('the block clock starts at the first blocked item (t=0), later blocked items do not restart it', () => {
    const { edge: e } = edge({ strategy: 'block', max_block_time_ms: 100, max_queue_items: 2, watermarks: { queue_items: { high: 5, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 0);
    e.offer(ev(3), undefined, 10, 0); // blocked since 0
    e.offer(ev(4), undefined, 10, 50);
    expect(e.blockedItems).toBe(2);
    e.expire(100);
    expect(e.blockedItems).toBe(0);
  });

  test('items still blocked after a partial admit keep the block clock running', () => {
    const { edge: e, host } = edge({ strategy: 'block', max_block_time_ms: 100, max_queue_items: 2, watermarks: { queue_items: { high: 5, low: 1 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 4; s++) e.offer(ev(s), undefined, 10, 0); // 3, 4 blocked since 0
    host.take = 1;
    e.setDownstreamReady(true, 50); // 1 leaves, 3 admitted, 4 still blocked
    expect(e.blockedItems).toBe(1);
    e.expire(100);
    expect(e.blockedItems).toBe(0);
  });

  test('after a cancel fence the block clock starts afresh with the next blocked item', () => {
    const { edge: e } = edge({ strategy: 'block', max_block_time_ms: 100, max_queue_items: 1, watermarks: { queue_items: { high: 3, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 10);
    e.offer(ev(2), undefined, 10, 10);
    e.flush(20, 'cancel_fence');
    e.offer(ev(3), undefined, 10, 30);
    e.offer(ev(4), undefined, 10, 40); // blocked since 40
    e.expire(105);
    expect(e.blockedItems).toBe(1);
    e.expire(140);
    expect(e.blockedItems).toBe(0);
  });

  test('after a block timeout the next blocked item gets its own full max_block_time_ms', () => {
    const { edge: e } = edge({ strategy: 'block', max_block_time_ms: 100, max_queue_items: 1, watermarks: { queue_items: { high: 3, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 0);
    e.expire(100); // shed: 2 replaces 1
    expect(e.blockedItems).toBe(0);
    e.offer(ev(3), undefined, 10, 150); // blocked since 150
    e.expire(160);
    expect(e.blockedItems).toBe(1);
    e.expire(250);
    expect(e.blockedItems).toBe(0);
  });
});

describe('drop notices: ranges and fields', () => {
  test('no run is pending on a fresh edge nor after it is announced', () => {
    const { edge: e } = edge({ max_queue_items: 1, watermarks: { queue_items: { high: 2, low: 1 } } });
    expect(e.hasPendingDrops).toBe(false);
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 0);
    expect(e.hasPendingDrops).toBe(true);
    e.flushDropNotice(0);
    expect(e.hasPendingDrops).toBe(false);
  });

  test('sequence 0 is announced as 0..0 by a fence flush and by latest_only', () => {
    const a = edge();
    a.edge.setDownstreamReady(false, 0);
    a.edge.offer(ev(0), undefined, 10, 0);
    a.edge.flush(1, 'cancel_fence');
    expect(notices(a.host.out)).toEqual(['drop_notice(cancel_fence 0..0)']);
    const b = edge({ strategy: 'latest_only' });
    b.edge.setDownstreamReady(false, 0);
    b.edge.offer(ev(0), undefined, 10, 0);
    b.edge.offer(ev(1), undefined, 10, 0);
    b.edge.setDownstreamReady(true, 1);
    expect(b.host.out).toEqual(['drop_notice(latest_only_superseded 0..0)', 'egress:1']);
  });

  test('a drop that does not follow the run (lower sequence) starts a new notice: no notice with end < start', () => {
    const { host, edge: e } = edge({ max_queue_items: 1, watermarks: { queue_items: { high: 2, low: 0 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(5), undefined, 10, 0);
    e.offer(ev(3), undefined, 10, 0); // 5 dropped
    e.offer(ev(4), undefined, 10, 0); // 3 dropped
    e.flushDropNotice(0);
    expect(notices(host.out)).toEqual(['drop_notice(queue_pressure_drop 5..5)', 'drop_notice(queue_pressure_drop 3..3)']);
  });

  test('a repeated sequence number is not folded into the previous run: each drop gets its own notice', () => {
    const { host, edge: e } = edge({ max_queue_items: 1, watermarks: { queue_items: { high: 2, low: 0 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(5), undefined, 10, 0);
    e.offer(ev(5, { event_id: 'evt-5b' }), undefined, 10, 0); // first 5 dropped
    e.offer(ev(6), undefined, 10, 0); // second 5 dropped
    e.flushDropNotice(0);
    expect(notices(host.out)).toEqual(['drop_notice(queue_pressure_drop 5..5)', 'drop_notice(queue_pressure_drop 5..5)']);
  });

  test('an atomic drop of an event without sync_domain carries no sync_domain field', () => {
    const { host, edge: e } = edge({ max_queue_items: 1, watermarks: { queue_items: { high: 2, low: 1 } }, sync_drop_policy: { policy: 'atomic_drop', scope: 'edge_local' } } as never);
    e.setDownstreamReady(false, 0);
    e.offer(ev(1, { sync_id: 'g' }), undefined, 10, 0);
    e.offer(ev(2, { sync_id: 'h' }), undefined, 10, 0);
    const drop = host.fields.find((f) => f.name === 'drop_notice')!;
    expect(Object.keys(drop.fields).sort()).toEqual(['reason', 'seq_range']);
  });

  test('atomic_drop keeps the other groups in their order', () => {
    const { host, edge: e } = edge({ max_queue_items: 4, watermarks: { queue_items: { high: 5, low: 1 } }, sync_drop_policy: { policy: 'atomic_drop', scope: 'edge_local' } } as never);
    e.setDownstreamReady(false, 0);
    e.offer(ev(1, { sync_id: 'g' }), undefined, 10, 0);
    e.offer(ev(2, { sync_id: 'h' }), undefined, 10, 0);
    e.offer(ev(3, { sync_id: 'g' }), undefined, 10, 0);
    e.offer(ev(4, { sync_id: 'i' }), undefined, 10, 0);
    e.offer(ev(5, { sync_id: 'j' }), undefined, 10, 0); // 1 and 3 dropped
    e.setDownstreamReady(true, 1);
    expect(egressed(host.out)).toEqual(['egress:2', 'egress:4', 'egress:5']);
  });
});
