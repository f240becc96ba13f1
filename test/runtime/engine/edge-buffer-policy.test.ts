/**
 * One edge's buffer against the promises of `turn-engine.md` §6, driven directly (no engine): what
 * reaches the consumer, which ControlLane signals go out and in what order, and how many items are
 * counted as shed (the recording host is `support/edge-timeline.ts`).
 */
import type { EventRecord } from '../../../runtime/contracts/v1';
import { dataEvent } from './support/engine-fixtures';
import { edge } from './support/edge-timeline';

const ev = (seq: number, o: Partial<EventRecord> = {}) => dataEvent(seq, o);

describe('cut-through and the high watermark', () => {
  test('an empty edge with a ready consumer hands items straight through: no signal, nothing queued', () => {
    const { host, edge: e } = edge();
    for (let s = 1; s <= 5; s++) e.offer(ev(s), `p${s}`, 10, s);
    expect(host.out).toEqual(['egress:1', 'egress:2', 'egress:3', 'egress:4', 'egress:5']);
    expect(host.delivered.map((d) => d.payload)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect([e.depth, e.bytesQueued, e.underPressure]).toEqual([0, 0, false]);
  });

  test('a high watermark of 1 is crossed by a single item even with a ready consumer (watermark, flow_xoff, item, flow_xon)', () => {
    const { host, edge: e } = edge({ watermarks: { queue_items: { high: 1, low: 0 } } });
    e.offer(ev(1), undefined, 10, 0);
    expect(host.out).toEqual(['watermark(edge_watermark_high)', 'flow_xoff(backpressure_asserted)', 'egress:1', 'flow_xon']);
  });

  test('a queue_ms high watermark of 0 ms: every item starts a pressure episode', () => {
    const { host, edge: e } = edge({ watermarks: { queue_ms: { high: 0, low: 0 } } } as never);
    e.offer(ev(1), undefined, 10, 0);
    expect(host.out.slice(0, 3)).toEqual(['watermark(edge_watermark_high)', 'flow_xoff(backpressure_asserted)', 'egress:1']);
  });

  test('latest_only never cuts through with older items: the newest of a burst is delivered once the consumer is back', () => {
    const { host, edge: e } = edge({ strategy: 'latest_only', watermarks: { queue_items: { high: 4, low: 1 } } });
    e.offer(ev(1), undefined, 10, 0);
    expect(host.out).toEqual(['egress:1']);
  });

  test('crossing the item high watermark while the consumer is paused: watermark then flow_xoff, once per episode', () => {
    const { host, edge: e } = edge();
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 0);
    expect(host.out).toEqual([]);
    e.offer(ev(3), undefined, 10, 0);
    e.offer(ev(4), undefined, 10, 0);
    expect(host.out).toEqual(['watermark(edge_watermark_high)', 'flow_xoff(backpressure_asserted)']);
    expect(e.underPressure).toBe(true);
  });

  test('the queue_ms high watermark is crossed by the age of the oldest item, checked on the clock', () => {
    const { host, edge: e } = edge({ watermarks: { queue_ms: { high: 50, low: 10 } } } as never);
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.expire(49);
    expect(host.out).toEqual([]);
    e.expire(50);
    expect(host.out).toEqual(['watermark(edge_watermark_high)', 'flow_xoff(backpressure_asserted)']);
  });
});

describe('recovery: the episode ends only at or under the low watermark', () => {
  test('signal mode: flow_xon when depth falls to low, not before', () => {
    const { host, edge: e } = edge({ max_queue_items: 6, watermarks: { queue_items: { high: 4, low: 1 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 5; s++) e.offer(ev(s), undefined, 10, 0);
    host.out.length = 0;
    host.take = 3;
    e.setDownstreamReady(true, 1); // takes 1..3, depth 2 > low
    expect(host.out).toEqual(['egress:1', 'egress:2', 'egress:3']);
    expect(e.underPressure).toBe(true);
    host.take = 1;
    e.setDownstreamReady(true, 2); // takes 4, depth 1 = low
    expect(host.out).toEqual(['egress:1', 'egress:2', 'egress:3', 'egress:4', 'flow_xon']);
    expect(e.underPressure).toBe(false);
  });

  test('credit mode: recovery is a credit_grant of the free slots (max_queue_items - queued), never below 1', () => {
    const { host, edge: e } = edge({ max_queue_items: 6, watermarks: { queue_items: { high: 4, low: 2 } } }, 'credit');
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 5; s++) e.offer(ev(s), undefined, 10, 0);
    host.out.length = 0;
    host.take = 3;
    e.setDownstreamReady(true, 1);
    expect(host.out).toEqual(['egress:1', 'egress:2', 'egress:3', 'credit_grant(amount=4)']);
  });

  test('credit mode with a full queue at the low watermark grants 1, not 0', () => {
    const { host, edge: e } = edge({ max_queue_items: 2, watermarks: { queue_items: { high: 2, low: 2 } } }, 'credit');
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 0);
    host.out.length = 0;
    host.take = 0; // the consumer takes nothing; the time check still runs
    e.expire(1);
    expect(host.out).toEqual(['credit_grant(amount=1)']);
  });

  test('queue_ms low watermark: the episode ends when the oldest item is at most low ms old', () => {
    const { host, edge: e } = edge({ max_queue_items: 10, watermarks: { queue_ms: { high: 50, low: 20 } } } as never);
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 40);
    e.expire(60); // head age 60 ≥ 50
    host.out.length = 0;
    host.take = 1;
    e.setDownstreamReady(true, 61); // head is now seq 2, age 21 > 20
    expect(host.out).toEqual(['egress:1']);
    expect(e.underPressure).toBe(true);
    e.expire(62); // age 22
    expect(e.underPressure).toBe(true);
    e.offer(ev(3), undefined, 10, 62);
    expect(host.out).toEqual(['egress:1']);
    host.take = 5;
    e.setDownstreamReady(true, 63);
    expect(host.out).toEqual(['egress:1', 'egress:2', 'egress:3', 'flow_xon']);
  });

  test('bytes: the episode ends only when queued bytes are at most half of max_queue_bytes', () => {
    const { host, edge: e } = edge({ max_queue_items: 10, max_queue_bytes: 100, watermarks: { queue_items: { high: 10, low: 5 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 30, 0);
    e.offer(ev(2), undefined, 30, 0);
    e.offer(ev(3), undefined, 30, 0);
    e.offer(ev(4), undefined, 30, 0); // 120 > 100: shed 1 under a pressure episode
    expect(e.bytesQueued).toBe(90);
    host.out.length = 0;
    host.take = 1;
    e.setDownstreamReady(true, 1); // 60 bytes > 50
    expect(host.out).toEqual(['drop_notice(queue_pressure_drop 1..1)', 'egress:2']);
    expect(e.underPressure).toBe(true);
    host.take = 1;
    e.setDownstreamReady(true, 2); // 30 bytes ≤ 50
    expect(host.out.slice(2)).toEqual(['egress:3', 'flow_xon']);
    expect(e.bytesQueued).toBe(30);
  });
});

describe('drop_notice runs', () => {
  test('a pending run is announced before the next item cuts through (notice precedes the data)', () => {
    const { host, edge: e } = edge({ max_queue_ms: 20, watermarks: { queue_items: { high: 3, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 0);
    e.expire(21); // both aged out, no pressure episode: the run is pending
    expect(host.out).toEqual([]);
    expect(e.hasPendingDrops).toBe(true);
    e.setDownstreamReady(true, 22);
    e.offer(ev(3), undefined, 10, 23);
    expect(host.out).toEqual(['drop_notice(queue_time_exceeded 1..2)', 'egress:3']);
    expect(host.dropped).toBe(2);
  });

  test('flushDropNotice with nothing pending emits nothing; twice emits once', () => {
    const { host, edge: e } = edge({ max_queue_ms: 20 });
    e.flushDropNotice(0);
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.expire(30);
    e.flushDropNotice(30);
    e.flushDropNotice(31);
    expect(host.out).toEqual(['drop_notice(queue_time_exceeded 1..1)']);
  });

  test('a drop whose sequence does not follow the run starts a new notice', () => {
    const { host, edge: e } = edge({ max_queue_ms: 20, max_queue_items: 10, watermarks: { queue_items: { high: 10, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(5), undefined, 10, 0);
    e.offer(ev(3), undefined, 10, 0);
    e.expire(21);
    e.flushDropNotice(21);
    expect(host.out).toEqual(['drop_notice(queue_time_exceeded 5..5)', 'drop_notice(queue_time_exceeded 3..3)']);
  });

  test('flush (cancel fence) announces the pending run, then one notice for everything queued and blocked', () => {
    const { host, edge: e } = edge({ strategy: 'block', max_block_time_ms: 100, max_queue_ms: 20, watermarks: { queue_items: { high: 10, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.expire(21); // seq 1 aged out: pending
    for (let s = 2; s <= 7; s++) e.offer(ev(s), undefined, 10, 22); // 4 queued, 2 blocked
    expect([e.queuedItems, e.blockedItems]).toEqual([4, 2]);
    expect(e.flush(23, 'cancel_fence_applied')).toBe(6);
    const notices = () => host.out.filter((x) => x.startsWith('drop_notice'));
    expect(notices()).toEqual(['drop_notice(queue_time_exceeded 1..1)', 'drop_notice(cancel_fence_applied 2..7)']);
    expect([e.depth, e.bytesQueued, host.dropped]).toEqual([0, 0, 7]);
    expect(e.flush(24, 'cancel_fence_applied')).toBe(0);
    expect(notices()).toHaveLength(2);
    // The fence with only a pending run: the run is announced, nothing else.
    const f = edge({ max_queue_ms: 20 });
    f.edge.setDownstreamReady(false, 0);
    f.edge.offer(ev(1), undefined, 10, 0);
    f.edge.expire(21);
    expect(f.edge.flush(22, 'cancel_fence_applied')).toBe(0);
    expect(f.host.out).toEqual(['drop_notice(queue_time_exceeded 1..1)']);
  });
});

describe('block strategy (max_block_time_ms)', () => {
  test('a producer blocked at t=0 is shed exactly when max_block_time_ms elapses, not before', () => {
    const { host, edge: e } = edge({ strategy: 'block', max_block_time_ms: 40, max_queue_items: 2, watermarks: { queue_items: { high: 2, low: 1 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 4; s++) e.offer(ev(s), undefined, 10, 0);
    expect([e.queuedItems, e.blockedItems]).toEqual([2, 2]);
    e.expire(39);
    expect(e.blockedItems).toBe(2);
    e.expire(40);
    expect([e.queuedItems, e.blockedItems]).toEqual([2, 0]);
    e.flushDropNotice(40);
    expect(host.out.filter((x) => x.startsWith('drop_notice'))).toEqual(['drop_notice(queue_pressure_drop 1..2)']);
  });

  test('blocked items are admitted as the consumer frees room, in order, and the block clock restarts', () => {
    const { host, edge: e } = edge({ strategy: 'block', max_block_time_ms: 40, max_queue_items: 2, watermarks: { queue_items: { high: 2, low: 1 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 3; s++) e.offer(ev(s), undefined, 10, 0);
    host.take = 1;
    e.setDownstreamReady(true, 10); // 1 leaves, 3 is admitted
    expect([e.queuedItems, e.blockedItems]).toEqual([2, 0]);
    e.offer(ev(4), undefined, 10, 30);
    e.expire(60); // blocked since 30: 30 ms < 40
    expect(e.blockedItems).toBe(1);
    e.expire(70);
    expect(e.blockedItems).toBe(0);
    host.take = Infinity;
    e.setDownstreamReady(true, 71);
    expect(host.out.filter((x) => x.startsWith('egress'))).toEqual(['egress:1', 'egress:3', 'egress:4']);
  });

  test('without max_block_time_ms a blocked producer is shed after 1 ms (no DataLane edge blocks indefinitely)', () => {
    const { edge: e } = edge({ strategy: 'block', max_queue_items: 1, watermarks: { queue_items: { high: 2, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 0);
    expect(e.blockedItems).toBe(1);
    e.expire(1);
    expect(e.blockedItems).toBe(0);
  });

  test('when the blocked slots are full too, the oldest queued item is shed at once', () => {
    const { host, edge: e } = edge({ strategy: 'block', max_block_time_ms: 1000, max_queue_items: 2, watermarks: { queue_items: { high: 3, low: 1 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 5; s++) e.offer(ev(s), undefined, 10, 0);
    expect(e.depth).toBeLessThanOrEqual(4);
    e.flushDropNotice(0);
    expect(host.dropped).toBe(3);
    host.take = Infinity;
    e.setDownstreamReady(true, 1);
    expect(host.out.filter((x) => x.startsWith('egress'))).toEqual(['egress:4', 'egress:5']);
  });

  test('block with lane handling merge: the shed merges queued items instead of dropping them', () => {
    const { host, edge: e } = edge({
      strategy: 'block',
      max_block_time_ms: 10,
      max_queue_items: 2,
      watermarks: { queue_items: { high: 3, low: 1 } },
      lane_handling: { DataLane: 'merge', ControlLane: 'non_blocking_priority', TelemetryLane: 'best_effort_drop' },
    });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 3; s++) e.offer(ev(s), `p${s}`, 10, 0);
    e.expire(10);
    expect(host.dropped).toBe(0);
    e.setDownstreamReady(true, 11);
    expect(host.delivered.map((d) => d.event.merged_from_event_ids ?? d.event.event_id)).toEqual([['evt-1', 'evt-2'], 'evt-3']);
  });
});

describe('merge strategy', () => {
  test('a full merge edge merges the queued items into one at the front, with lineage and a fresh group id per merge', () => {
    const { host, edge: e } = edge({ strategy: 'merge', max_queue_items: 3, watermarks: { queue_items: { high: 4, low: 1 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 4; s++) e.offer(ev(s), `p${s}`, 10, s);
    expect(e.queuedItems).toBe(2);
    expect(e.bytesQueued).toBe(40);
    for (let s = 5; s <= 6; s++) e.offer(ev(s), `p${s}`, 10, s);
    e.setDownstreamReady(true, 7);
    const out = host.delivered.map((d) => [d.event.merge_group_id, d.event.merged_from_event_ids ?? d.event.event_id, d.payload]);
    expect(out).toEqual([
      ['e1/merge/2', ['e1/merge/1', 'evt-4', 'evt-5'], [['p1', 'p2', 'p3'], 'p4', 'p5']],
      [undefined, 'evt-6', 'p6'],
    ]);
    expect(host.dropped).toBe(0);
    expect(host.out.filter((x) => x.startsWith('drop_notice'))).toEqual([]);
  });

  test('the merged item keeps the enqueue time of its oldest source (time bounds still apply to it)', () => {
    const { host, edge: e } = edge({ strategy: 'merge', max_queue_items: 2, max_queue_ms: 100, watermarks: { queue_items: { high: 3, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 50);
    e.offer(ev(3), undefined, 10, 60); // merge {1,2} stamped t=0
    expect([e.queuedItems, e.bytesQueued]).toEqual([2, 30]);
    e.expire(100);
    expect(host.dropped).toBe(0);
    e.expire(101);
    expect([host.dropped, e.queuedItems, e.bytesQueued]).toEqual([1, 1, 10]);
  });
});

describe('latest_only', () => {
  test('only the newest queued item is delivered; the others are one latest_only_superseded notice', () => {
    const { host, edge: e } = edge({ strategy: 'latest_only', max_queue_items: 5, watermarks: { queue_items: { high: 6, low: 1 } } });
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 4; s++) e.offer(ev(s), undefined, 7, 0);
    e.setDownstreamReady(true, 1);
    expect(host.out).toEqual(['drop_notice(latest_only_superseded 1..3)', 'egress:4']);
    expect(host.dropped).toBe(3);
    expect(e.bytesQueued).toBe(0);
  });
});

describe('max_latency_contribution_ms on dequeue', () => {
  test('the bound itself is allowed; one ms more is shed, and a blocked producer moves up', () => {
    const { host, edge: e } = edge({ strategy: 'block', max_block_time_ms: 1000, max_queue_items: 1, max_latency_contribution_ms: 10, watermarks: { queue_items: { high: 3, low: 1 } } });
    e.setDownstreamReady(false, 0);
    e.offer(ev(1), undefined, 10, 0);
    e.offer(ev(2), undefined, 10, 5);
    e.setDownstreamReady(true, 11); // 1 waited 11 > 10: shed; 2 admitted at 11 and delivered
    expect(host.out.filter((x) => /drop_notice|egress/.test(x))).toEqual(['drop_notice(latency_contribution_exceeded 1..1)', 'egress:2']);
  });
});

describe('sync drop policies', () => {
  test('atomic_drop sheds the whole sync group on the edge and names its domain', () => {
    const { host, edge: e } = edge({
      max_queue_items: 3,
      watermarks: { queue_items: { high: 4, low: 1 } },
      sync_drop_policy: { policy: 'atomic_drop', scope: 'edge_local' },
    } as never);
    e.setDownstreamReady(false, 0);
    e.offer(ev(1, { sync_id: 'g1', sync_domain: 'av' }), undefined, 10, 0);
    e.offer(ev(2, { sync_id: 'g2' }), undefined, 10, 0);
    e.offer(ev(3, { sync_id: 'g1', sync_domain: 'av' }), undefined, 10, 0);
    e.offer(ev(4, { sync_id: 'g3' }), undefined, 10, 0);
    expect(host.out).toEqual(['watermark(edge_watermark_high)', 'flow_xoff(backpressure_asserted)', 'drop_notice(sync_atomic_drop 1..3 domain=av)']);
    expect([host.dropped, e.queuedItems, e.bytesQueued]).toEqual([2, 2, 20]);
    e.setDownstreamReady(true, 1);
    expect(host.out.filter((x) => x.startsWith('egress'))).toEqual(['egress:2', 'egress:4']);
  });

  test('atomic_drop grouped by event_id drops just the victim; an event without a group drops alone (coalesced)', () => {
    const { host, edge: e } = edge({ max_queue_items: 2, watermarks: { queue_items: { high: 3, low: 1 } }, sync_drop_policy: { policy: 'atomic_drop', scope: 'edge_local', group_by: 'event_id' } } as never);
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 3; s++) e.offer(ev(s), undefined, 10, 0);
    expect(host.out.filter((x) => x.startsWith('drop_notice'))).toEqual(['drop_notice(sync_atomic_drop 1..1)']);
    const plain = edge({ max_queue_items: 2, watermarks: { queue_items: { high: 3, low: 1 } }, sync_drop_policy: { policy: 'atomic_drop', scope: 'edge_local' } } as never);
    plain.edge.setDownstreamReady(false, 0);
    for (let s = 1; s <= 4; s++) plain.edge.offer(ev(s), undefined, 10, 0);
    plain.edge.flushDropNotice(0);
    expect(plain.host.out.filter((x) => x.startsWith('drop_notice'))).toEqual(['drop_notice(queue_pressure_drop 1..2)']);
  });

  test('drop_with_discontinuity: each loss is announced, then a numbered discontinuity for the domain', () => {
    const { host, edge: e } = edge({ max_queue_items: 2, watermarks: { queue_items: { high: 3, low: 1 } }, sync_drop_policy: { policy: 'drop_with_discontinuity', scope: 'edge_local', sync_domain: 'audio' } } as never);
    e.setDownstreamReady(false, 0);
    for (let s = 1; s <= 4; s++) e.offer(ev(s), undefined, 10, 0);
    expect(host.out.filter((x) => /drop_notice|discontinuity/.test(x))).toEqual([
      'drop_notice(queue_pressure_drop 1..1)',
      'discontinuity(sync_domain_partial_loss domain=audio audio/e1/1)',
      'drop_notice(queue_pressure_drop 2..2)',
      'discontinuity(sync_domain_partial_loss domain=audio audio/e1/2)',
    ]);
  });
});
