/**
 * One edge's bounded buffer with the plan's frozen policy (`turn-engine.md` §6): bounds on items,
 * bytes, time in queue and latency contribution (on dequeue); deterministic shedding (drop-oldest,
 * latest_only, merge with lineage, block with max_block_time); watermarks with flow_xoff / flow_xon /
 * credit_grant (a bound-forced shed also asserts pressure); sync-aware drops; contiguous runs of
 * single drops announced by one coalesced drop_notice (see `coalesceDrop`).
 *
 * Storage is a preallocated ring plus parallel typed arrays, so the pass-through path (enqueue,
 * dequeue, egress) allocates nothing per event.
 */
import type { EdgeBufferPolicy, EventRecord, FlowControlMode, SeqRange } from '../contracts/v1';
import { mergeEvents, MAX_MERGE_SOURCES } from './merge-lineage';
import { RingBuffer } from './ring-buffer';

export type EdgeSignalName = 'watermark' | 'flow_xoff' | 'flow_xon' | 'credit_grant' | 'drop_notice' | 'discontinuity';

export interface EdgeSignalFields {
  readonly reason?: string;
  readonly amount?: number;
  readonly seq_range?: SeqRange;
  readonly sync_domain?: string;
  readonly discontinuity_id?: string;
}

/** What the edge needs from its engine: egress checks and ControlLane emission. */
export interface EdgeHost {
  egressItem(edge: EdgeBuffer, event: EventRecord, payload: unknown, atMs: number): void;
  edgeSignal(edge: EdgeBuffer, name: EdgeSignalName, atMs: number, fields: EdgeSignalFields): void;
  /** Count of events shed by this edge (lineage lives in the drop_notice / merged event). */
  edgeDropped(edge: EdgeBuffer, count: number): void;
}

export const REASON_WATERMARK_HIGH = 'edge_watermark_high';
export const REASON_BACKPRESSURE = 'backpressure_asserted';
export const REASON_QUEUE_PRESSURE_DROP = 'queue_pressure_drop';
export const REASON_QUEUE_TIME_EXCEEDED = 'queue_time_exceeded';
export const REASON_LATEST_ONLY = 'latest_only_superseded';
export const REASON_SYNC_ATOMIC_DROP = 'sync_atomic_drop';
export const REASON_SYNC_PARTIAL_LOSS = 'sync_domain_partial_loss';
// Stryker disable next-line StringLiteral: no code path emits this reason (a block timeout sheds by the lane's strategy, BF-003); the name is exported for hosts.
export const REASON_BLOCK_TIMEOUT = 'max_block_time_elapsed';
export const REASON_LATENCY_EXCEEDED = 'latency_contribution_exceeded';

/**
 * Coalescing of `drop_notice`: one notice covers at most this many consecutive drops of one edge.
 * Bounds the ControlLane output per step to ⌈drops / 256⌉ notices per edge and reason.
 */
export const MAX_DROP_NOTICE_RUN = 256;
/** A pending run is emitted before a drop that is this much (engine clock) younger than its first drop. */
export const DROP_NOTICE_MAX_HOLD_MS = 50;
/** Fraction of `max_queue_bytes` the queued bytes must fall to (≤) before a pressure episode can end. */
export const BYTES_LOW_FRACTION = 0.5;

/** A contiguous run of shed items not yet announced (seq_range start..end, one reason). */
interface PendingDrops {
  reason: string;
  start: number;
  end: number;
  count: number;
  firstAt: number;
}

interface BlockedItem {
  readonly event: EventRecord;
  readonly payload: unknown;
  readonly bytes: number;
  readonly at: number;
}

export class EdgeBuffer {
  private readonly ring: RingBuffer<EventRecord>;
  private readonly payloads: unknown[];
  private readonly bytes: Float64Array;
  private readonly enqueuedAt: Float64Array;
  /** First runtime_sequence each queued item covers: its own, or a merged item's source span start. */
  private readonly spanStart: Float64Array;
  private queuedBytes = 0;
  private readonly blocked: BlockedItem[] = [];
  private blockedSince = -1;
  private pressure = false;
  private mergeCount = 0;
  private discontinuityCount = 0;
  private readonly itemsHigh: number;
  private readonly itemsLow: number;
  private readonly msHigh: number;
  private readonly msLow: number;
  private readonly cutThrough: boolean;
  private readonly bytesLow: number;
  private readonly maxLatency: number;
  private pendingDrops: PendingDrops | undefined;
  /** Downstream (consumer/transport) can take items now. */
  downstreamReady = true;
  /** Last accepted runtime_sequence (strict order per edge and lane). */
  lastSequence = -1;
  /** `output_accepted` already emitted for this (turn, edge) output stream. */
  outputAccepted = false;

  constructor(
    readonly id: string,
    readonly policy: EdgeBufferPolicy,
    readonly flowMode: FlowControlMode,
    private readonly host: EdgeHost,
  ) {
    const cap = policy.max_queue_items;
    this.ring = new RingBuffer<EventRecord>(cap);
    // Stryker disable next-line ArrayDeclaration: a JS array grows on write, so an empty start holds the same payloads (only the preallocation differs).
    this.payloads = new Array<unknown>(cap).fill(undefined);
    this.bytes = new Float64Array(cap);
    this.enqueuedAt = new Float64Array(cap);
    this.spanStart = new Float64Array(cap);
    this.itemsHigh = policy.watermarks.queue_items?.high ?? Infinity;
    this.itemsLow = policy.watermarks.queue_items?.low ?? Infinity;
    this.msHigh = policy.watermarks.queue_ms?.high ?? Infinity;
    this.msLow = policy.watermarks.queue_ms?.low ?? Infinity;
    this.bytesLow = Math.floor(policy.max_queue_bytes * BYTES_LOW_FRACTION);
    this.maxLatency = policy.max_latency_contribution_ms;
    // A single in-flight item must not be able to cross a watermark for cut-through to be exact.
    this.cutThrough = this.itemsHigh > 1 && this.msHigh > 0 && policy.strategy !== 'latest_only';
  }

  /** Items queued plus items held by a blocked producer (never above 2 × max_queue_items). */
  get depth(): number {
    return this.ring.size + this.blocked.length;
  }

  get queuedItems(): number {
    return this.ring.size;
  }

  get blockedItems(): number {
    return this.blocked.length;
  }

  get bytesQueued(): number {
    return this.queuedBytes;
  }

  get underPressure(): boolean {
    return this.pressure;
  }

  /** A run of drops is waiting to be announced (see `flushDropNotice`). */
  get hasPendingDrops(): boolean {
    return this.pendingDrops !== undefined;
  }

  /**
   * Emit the pending coalesced `drop_notice`, if any. The edge calls it itself when the run breaks
   * (an item leaves by egress, merge or a non-coalescable drop; reason change; run cap or hold time)
   * and before any other ControlLane output of the edge; the engine calls it around every non-data
   * step and before the turn's fence.
   */
  flushDropNotice(atMs: number): void {
    const p = this.pendingDrops;
    if (p === undefined) return;
    this.pendingDrops = undefined;
    this.host.edgeSignal(this, 'drop_notice', atMs, { reason: p.reason, seq_range: { start: p.start, end: p.end } });
  }

  /** Enqueue one event (ingress checks already passed), shedding deterministically if full. */
  offer(event: EventRecord, payload: unknown, bytes: number, atMs: number): void {
    // Cut-through: with nothing queued, downstream ready and no pressure episode, FIFO order and
    // every watermark are unaffected by handing the item straight to egress.
    // Stryker disable next-line ConditionalExpression,EqualityOperator,BooleanLiteral,BlockStatement: skipping or widening cut-through changes no output: at rest a ready edge holds nothing queued or blocked and no pressure (drain empties it and ends the episode), so the queue path delivers the same item at once.
    if (this.ring.size === 0 && this.downstreamReady && !this.pressure && this.cutThrough && this.blocked.length === 0) {
      this.flushDropNotice(atMs);
      this.host.egressItem(this, event, payload, atMs);
      return;
    }
    if (this.ring.size > 0 || this.blockedSince >= 0) this.expire(atMs);
    // While a blocked producer holds items, later items queue behind them (FIFO, BF-007) even if
    // they would fit: only `block` edges ever hold blocked items.
    if (this.blocked.length > 0 || this.wouldOverflow(bytes)) {
      // A shed forced by a bound (items or bytes) always happens inside a pressure episode, so the
      // F4 order watermark, flow_xoff, drop_notice holds for bytes-bound queues too.
      if (!this.pressure) this.assertPressure(atMs);
      if (this.policy.strategy === 'block') {
        if (this.blocked.length < this.policy.max_queue_items) {
          this.blocked.push({ event, payload, bytes, at: atMs });
          if (this.blockedSince < 0) this.blockedSince = atMs;
          this.checkHigh(atMs);
          return;
        }
        // The blocked producer's slots are full too: shed now rather than grow.
        this.shedForBlocked(atMs);
      }
      while (this.ring.size > 0 && this.wouldOverflow(bytes)) this.makeRoom(atMs);
    }
    this.pushRaw(event, payload, bytes, atMs);
    this.checkHigh(atMs);
    if (this.downstreamReady) this.drain(atMs);
  }

  /** Hand queued items to the host while downstream is ready. */
  drain(atMs: number): void {
    const ring = this.ring;
    while (ring.size > 0 && this.downstreamReady) {
      if (this.policy.strategy === 'latest_only' && ring.size > 1) this.dropAllButNewest(atMs);
      const slot = ring.headSlot();
      // Dequeue rule: an item that spent more than max_latency_contribution_ms in this queue is
      // shed instead of delivered late (cut-through items contribute 0 ms).
      if (atMs - this.enqueuedAt[slot] > this.maxLatency) {
        this.dropOldest(atMs, REASON_LATENCY_EXCEEDED);
        this.admitBlocked(atMs);
        continue;
      }
      this.flushDropNotice(atMs);
      const event = ring.shift()!;
      const payload = this.payloads[slot];
      this.payloads[slot] = undefined;
      this.queuedBytes -= this.bytes[slot];
      this.host.egressItem(this, event, payload, atMs);
      this.admitBlocked(atMs);
    }
    if (this.pressure) this.checkLow(atMs);
  }

  setDownstreamReady(ready: boolean, atMs: number): void {
    this.downstreamReady = ready;
    if (ready) this.drain(atMs);
  }

  /** Time-driven work: queue-age drops, time watermarks, expiry of a blocked producer. */
  expire(atMs: number): void {
    const maxMs = this.policy.max_queue_ms;
    while (this.ring.size > 0 && atMs - this.enqueuedAt[this.ring.headSlot()] > maxMs) {
      this.dropOldest(atMs, REASON_QUEUE_TIME_EXCEEDED);
    }
    if (this.blockedSince >= 0 && atMs - this.blockedSince >= (this.policy.max_block_time_ms ?? 1)) this.shedForBlocked(atMs);
    if (!this.pressure) this.checkHigh(atMs);
    else this.checkLow(atMs);
  }

  /** Cancel fence / turn end: drop everything queued, one drop_notice for the range. */
  flush(atMs: number, reason: string): number {
    this.flushDropNotice(atMs);
    const n = this.ring.size + this.blocked.length;
    if (n === 0) return 0;
    let start = Infinity;
    let end = -1;
    while (this.ring.size > 0) {
      const slot = this.ring.headSlot();
      const e = this.ring.shift()!;
      this.payloads[slot] = undefined;
      start = Math.min(start, this.spanStart[slot]);
      end = Math.max(end, e.runtime_sequence);
    }
    for (const b of this.blocked) {
      start = Math.min(start, b.event.runtime_sequence);
      end = Math.max(end, b.event.runtime_sequence);
    }
    this.blocked.length = 0;
    this.blockedSince = -1;
    this.queuedBytes = 0;
    this.host.edgeDropped(this, n);
    this.host.edgeSignal(this, 'drop_notice', atMs, { reason, seq_range: { start, end } });
    return n;
  }

  private wouldOverflow(bytes: number): boolean {
    return this.ring.size >= this.policy.max_queue_items || (this.ring.size > 0 && this.queuedBytes + bytes > this.policy.max_queue_bytes);
  }

  private headAge(atMs: number): number {
    return this.ring.size > 0 ? atMs - this.enqueuedAt[this.ring.headSlot()] : 0;
  }

  private checkHigh(atMs: number): void {
    if (this.pressure) return;
    if (this.depth >= this.itemsHigh || this.headAge(atMs) >= this.msHigh) this.assertPressure(atMs);
  }

  /** Start a pressure episode: `watermark` then `flow_xoff` (F4 order; drops come after). */
  private assertPressure(atMs: number): void {
    this.flushDropNotice(atMs);
    this.pressure = true;
    this.host.edgeSignal(this, 'watermark', atMs, { reason: REASON_WATERMARK_HIGH });
    this.host.edgeSignal(this, 'flow_xoff', atMs, { reason: REASON_BACKPRESSURE });
  }

  private checkLow(atMs: number): void {
    // `low` is required with `high` (plan schema, WatermarkThreshold): an absent watermark is Infinity on both, so it never holds pressure.
    if (this.depth <= this.itemsLow && this.headAge(atMs) <= this.msLow && this.queuedBytes <= this.bytesLow) {
      this.flushDropNotice(atMs);
      this.pressure = false;
      if (this.flowMode === 'credit') {
        this.host.edgeSignal(this, 'credit_grant', atMs, { amount: Math.max(1, this.policy.max_queue_items - this.ring.size) });
      } else {
        this.host.edgeSignal(this, 'flow_xon', atMs, {});
      }
    }
  }

  /** One deterministic shed so a new item fits, by the edge's strategy. */
  private makeRoom(atMs: number): void {
    const strategy = this.policy.strategy === 'block' ? this.policy.lane_handling.DataLane : this.policy.strategy;
    if (strategy === 'merge' && this.ring.size >= 2) this.mergeQueued(atMs);
    else this.dropOldest(atMs, REASON_QUEUE_PRESSURE_DROP);
  }

  private shedForBlocked(atMs: number): void {
    this.blockedSince = -1;
    while (this.blocked.length > 0) {
      const item = this.blocked.shift()!;
      while (this.ring.size > 0 && this.wouldOverflow(item.bytes)) this.makeRoom(atMs);
      this.pushRaw(item.event, item.payload, item.bytes, item.at);
    }
  }

  private admitBlocked(atMs: number): void {
    while (this.blocked.length > 0 && !this.wouldOverflow(this.blocked[0].bytes)) {
      const item = this.blocked.shift()!;
      this.pushRaw(item.event, item.payload, item.bytes, atMs);
    }
    if (this.blocked.length === 0) this.blockedSince = -1;
  }

  private pushRaw(event: EventRecord, payload: unknown, bytes: number, atMs: number, spanStart = event.runtime_sequence): void {
    const slot = this.ring.nextSlot();
    this.ring.push(event);
    this.payloads[slot] = payload;
    this.bytes[slot] = bytes;
    this.enqueuedAt[slot] = atMs;
    this.spanStart[slot] = spanStart;
    this.queuedBytes += bytes;
  }

  private dropOldest(atMs: number, reason: string): void {
    const slot = this.ring.headSlot();
    const victim = this.ring.shift()!;
    const victimStart = this.spanStart[slot];
    this.payloads[slot] = undefined;
    this.queuedBytes -= this.bytes[slot];
    const sync = this.policy.sync_drop_policy;
    if (sync && sync.policy === 'atomic_drop') {
      const key = groupKey(victim, sync.group_by);
      if (key !== undefined) {
        this.flushDropNotice(atMs);
        const range = this.removeGroup(key, sync.group_by, victimStart, victim.runtime_sequence);
        this.host.edgeDropped(this, range.count + 1);
        this.host.edgeSignal(this, 'drop_notice', atMs, {
          reason: REASON_SYNC_ATOMIC_DROP,
          seq_range: { start: range.start, end: range.end },
          ...(victim.sync_domain !== undefined ? { sync_domain: victim.sync_domain } : {}),
        });
        return;
      }
    }
    this.host.edgeDropped(this, 1);
    this.coalesceDrop(victimStart, victim.runtime_sequence, reason, atMs);
    if (sync && sync.policy === 'drop_with_discontinuity') {
      // The discontinuity names this loss: its drop_notice goes out first (no coalescing across it).
      this.flushDropNotice(atMs);
      const domain = sync.sync_domain ?? victim.sync_domain!;
      this.discontinuityCount++;
      this.host.edgeSignal(this, 'discontinuity', atMs, {
        reason: REASON_SYNC_PARTIAL_LOSS,
        sync_domain: domain,
        discontinuity_id: `${domain}/${this.id}/${this.discontinuityCount}`,
      });
    }
  }

  /**
   * Add one shed item (covering sequences start..end: a merged item covers its source span, ML-001)
   * to the pending run, emitting the run first when it cannot extend it: other reason, a span not
   * after the run's end, the run at MAX_DROP_NOTICE_RUN items, or the run's first drop
   * DROP_NOTICE_MAX_HOLD_MS or more before `atMs`.
   */
  private coalesceDrop(start: number, end: number, reason: string, atMs: number): void {
    const p = this.pendingDrops;
    if (p !== undefined) {
      if (p.reason === reason && start > p.end && p.count < MAX_DROP_NOTICE_RUN && atMs - p.firstAt < DROP_NOTICE_MAX_HOLD_MS) {
        p.end = end;
        p.count++;
        return;
      }
      this.flushDropNotice(atMs);
    }
    this.pendingDrops = { reason, start, end, count: 1, firstAt: atMs };
  }

  /** Remove every queued event of a sync group; returns the dropped span (including `seqStart..seq`). */
  private removeGroup(key: string, groupBy: string | undefined, seqStart: number, seq: number): { start: number; end: number; count: number } {
    let start = seqStart;
    let end = seq;
    let count = 0;
    const n = this.ring.size;
    for (let i = 0; i < n; i++) {
      const slot = this.ring.headSlot();
      const e = this.ring.shift()!;
      const payload = this.payloads[slot];
      const bytes = this.bytes[slot];
      const at = this.enqueuedAt[slot];
      const first = this.spanStart[slot];
      this.payloads[slot] = undefined;
      this.queuedBytes -= bytes;
      if (groupKey(e, groupBy) === key) {
        count++;
        start = Math.min(start, first);
        end = Math.max(end, e.runtime_sequence);
      } else {
        this.pushRaw(e, payload, bytes, at, first);
      }
    }
    return { start, end, count };
  }

  private dropAllButNewest(atMs: number): void {
    this.flushDropNotice(atMs);
    let start = Infinity;
    let end = -1;
    let n = 0;
    while (this.ring.size > 1) {
      const slot = this.ring.headSlot();
      const e = this.ring.shift()!;
      this.payloads[slot] = undefined;
      this.queuedBytes -= this.bytes[slot];
      start = Math.min(start, this.spanStart[slot]);
      end = Math.max(end, e.runtime_sequence);
      n++;
    }
    this.host.edgeDropped(this, n);
    this.host.edgeSignal(this, 'drop_notice', atMs, { reason: REASON_LATEST_ONLY, seq_range: { start, end } });
  }

  private mergeQueued(atMs: number): void {
    this.flushDropNotice(atMs);
    const n = Math.min(this.ring.size, MAX_MERGE_SOURCES);
    const sources: EventRecord[] = [];
    const payloads: unknown[] = [];
    let bytes = 0;
    let at = 0;
    let start = Infinity;
    for (let i = 0; i < n; i++) {
      const slot = this.ring.headSlot();
      if (i === 0) at = this.enqueuedAt[slot];
      start = Math.min(start, this.spanStart[slot]);
      sources.push(this.ring.shift()!);
      payloads.push(this.payloads[slot]);
      bytes += this.bytes[slot];
      this.payloads[slot] = undefined;
      this.queuedBytes -= this.bytes[slot];
    }
    this.mergeCount++;
    const merged = mergeEvents(sources, `${this.id}/merge/${this.mergeCount}`);
    // The merged item goes back to the front of the queue: rebuild with it first.
    const rest: [EventRecord, unknown, number, number, number][] = [];
    while (this.ring.size > 0) {
      const slot = this.ring.headSlot();
      rest.push([this.ring.shift()!, this.payloads[slot], this.bytes[slot], this.enqueuedAt[slot], this.spanStart[slot]]);
      this.payloads[slot] = undefined;
      this.queuedBytes -= this.bytes[slot];
    }
    // A merged item covers its sources' whole span (a merge of a merge included), so a later drop of it names every sequence.
    this.pushRaw(merged.event, payloads, bytes, at, start);
    for (const [e, p, b, t, s0] of rest) this.pushRaw(e, p, b, t, s0);
  }
}

function groupKey(e: EventRecord, groupBy: string | undefined): string | undefined {
  if (groupBy === 'event_id') return e.event_id;
  return e.sync_id;
}
