/**
 * Per-connection egress scheduler (architecture §10): it owns every byte a session sends.
 *
 *   - Three lanes in strict priority order, ControlLane > DataLane > TelemetryLane (turn-engine.md
 *     §5). Each lane is a FIFO of canonical output items (or whole protocol frames on the control
 *     lane: `error`); order within a lane never changes.
 *   - A small window of bytes handed to the socket (`EGRESS_WINDOW_BYTES`, measured on the
 *     WebSocket's `bufferedAmount`, i.e. the socket's `writableLength` plus ws' own queue): DataLane
 *     and TelemetryLane items are written only while the socket holds less than the window, so a
 *     ControlLane item produced later overtakes every DataLane item not yet written. ControlLane
 *     items are written at once (they never wait for the window).
 *   - One flush per connection per event-loop turn: everything ready leaves as at most one
 *     `outputs` frame per lane, written under one `cork()`/`uncork()` of the TCP socket, i.e. one
 *     `writev` system call per connection per loop turn.
 *   - A byte budget over every output class (lane queues + bytes queued in the socket): the owner
 *     reads `overBudget` / `queuedBytes` to pause ingress, tell the engine its downstream is not
 *     ready, and close a connection that stays over budget (see `SessionConnection`).
 *
 * DataLane items carry (turn, edge, runtime_sequence) so that the items of an aborted turn still
 * queued here can be purged (turn-engine.md §7: "transport egress queues are flushed") and named
 * exactly in a drop notice. TelemetryLane items are shed (oldest first) when the budget is exceeded.
 */
import type { WebSocket } from 'ws';
import { OUTPUTS_FRAME_PREFIX, OUTPUTS_FRAME_SUFFIX } from './wire-protocol';

/** Bytes handed to the socket below which DataLane/TelemetryLane items are written. */
export const EGRESS_WINDOW_BYTES = 64 * 1024;
/** Largest `outputs` frame the scheduler builds from one lane (a single item may exceed it). */
export const EGRESS_MAX_FRAME_BYTES = 64 * 1024;

export const enum EgressLane {
  Control = 0,
  Data = 1,
  Telemetry = 2,
}

/** A DataLane item still queued when its turn was aborted: what a drop notice must name. */
export interface PurgedRun {
  readonly edgeId: string;
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

/** FIFO with O(1) shift: a head index over an array, compacted once more than half is consumed. */
class Fifo<T> {
  items: T[] = [];
  head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T {
    return this.items[this.head];
  }
  shift(): T {
    const item = this.items[this.head++];
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  /** The live items, oldest first. */
  toArray(): T[] {
    return this.items.slice(this.head);
  }
  reset(items: T[] = []): void {
    this.items = items;
    this.head = 0;
  }
}

/** A FIFO of encoded items that counts their bytes (UTF-16 length; outputs are ASCII JSON in practice). */
class StringQueue extends Fifo<string> {
  bytes = 0;
  override push(item: string): void {
    super.push(item);
    this.bytes += item.length;
  }
  override shift(): string {
    const item = super.shift();
    this.bytes -= item.length;
    return item;
  }
  override reset(items: string[] = []): void {
    super.reset(items);
    this.bytes = 0;
    for (const item of items) this.bytes += item.length;
  }
}

/** Control-lane entries: canonical output items, or a whole frame (marked by a leading NUL). */
const FRAME_MARK = '\u0000';

interface DataMeta {
  turnId: string | undefined;
  edgeId: string;
  sequence: number;
}

export class EgressScheduler {
  private readonly control = new StringQueue();
  private readonly data = new StringQueue();
  /** Turn, edge and sequence of each DataLane item, in step with `data`. */
  private readonly dataMeta = new Fifo<DataMeta>();
  private readonly telemetry = new StringQueue();
  private telemetryShed = 0;
  /** Bound once: called by ws when a frame has been handed to the kernel. */
  private readonly onWritten = (): void => this.written();
  private readonly tcp: { cork(): void; uncork(): void } | undefined;

  constructor(
    private readonly socket: WebSocket,
    /** Budget in bytes over lane queues + socket queue (see `overBudget`). */
    readonly budgetBytes: number,
    /** Asks the owner for a `flush()` in this event-loop turn's flush phase (idempotent). */
    private readonly requestFlush: () => void,
  ) {
    // ws does not expose cork(); its TCP socket does. Without it writes are still correct, just not
    // coalesced into one system call.
    const tcp = (socket as unknown as { _socket?: { cork?: unknown; uncork?: unknown } })._socket;
    this.tcp = tcp !== undefined && typeof tcp.cork === 'function' && typeof tcp.uncork === 'function' ? (tcp as { cork(): void; uncork(): void }) : undefined;
  }

  /** Bytes waiting in the lanes plus bytes handed to the socket and not yet written to the kernel. */
  get queuedBytes(): number {
    return this.control.bytes + this.data.bytes + this.telemetry.bytes + this.socket.bufferedAmount;
  }

  /** DataLane bytes not yet written (lane queue + socket queue): the engine's downstream readiness. */
  get dataBacklogBytes(): number {
    return this.data.bytes + this.socket.bufferedAmount;
  }

  get overBudget(): boolean {
    return this.queuedBytes > this.budgetBytes;
  }

  get hasQueued(): boolean {
    return this.control.length + this.data.length + this.telemetry.length > 0;
  }

  /** TelemetryLane items shed for the budget since the session started. */
  get shedTelemetryItems(): number {
    return this.telemetryShed;
  }

  controlItem(item: string): void {
    this.control.push(item);
  }

  /** A whole protocol frame (e.g. `error`) on the control lane, in order with its items. */
  controlFrame(frame: string): void {
    this.control.push(FRAME_MARK + frame);
  }

  dataItem(item: string, turnId: string | undefined, edgeId: string, sequence: number): void {
    this.data.push(item);
    this.dataMeta.push({ turnId, edgeId, sequence });
  }

  telemetryItem(item: string): void {
    // Best effort (turn-engine.md §5): over budget the oldest queued telemetry goes first.
    while (this.telemetry.length > 0 && this.queuedBytes + item.length > this.budgetBytes) {
      this.telemetry.shift();
      this.telemetryShed++;
    }
    if (this.queuedBytes + item.length > this.budgetBytes) {
      this.telemetryShed++;
      return;
    }
    this.telemetry.push(item);
  }

  /**
   * Removes the DataLane items of `turnId` not yet written (the turn was aborted: its egress
   * queues are flushed) and returns them as contiguous runs per edge, in queue order.
   */
  purgeTurn(turnId: string): PurgedRun[] {
    const runs: PurgedRun[] = [];
    if (this.data.length === 0) return runs;
    const items = this.data.toArray();
    const metas = this.dataMeta.toArray();
    const keptItems: string[] = [];
    const keptMeta: DataMeta[] = [];
    const open = new Map<string, { edgeId: string; start: number; end: number; count: number }>();
    for (let i = 0; i < items.length; i++) {
      const meta = metas[i];
      if (meta.turnId !== turnId) {
        keptItems.push(items[i]);
        keptMeta.push(meta);
        continue;
      }
      const run = open.get(meta.edgeId);
      if (run !== undefined && meta.sequence === run.end + 1) {
        run.end = meta.sequence;
        run.count++;
      } else {
        if (run !== undefined) runs.push({ ...run });
        open.set(meta.edgeId, { edgeId: meta.edgeId, start: meta.sequence, end: meta.sequence, count: 1 });
      }
    }
    for (const run of open.values()) runs.push({ ...run });
    this.data.reset(keptItems);
    this.dataMeta.reset(keptMeta);
    return runs;
  }

  /** Drops everything queued (authority loss, close). */
  clear(): void {
    this.control.reset();
    this.data.reset();
    this.dataMeta.reset();
    this.telemetry.reset();
  }

  /**
   * Writes what may be written now: all ControlLane entries, then DataLane and TelemetryLane items
   * while the socket holds less than the window (all of them with `ignoreWindow`, before a close). One `outputs` frame per lane and pass, all under
   * one cork (one `writev`).
   */
  flush(ignoreWindow = false): void {
    const socket = this.socket;
    if (socket.readyState !== socket.OPEN || !this.hasQueued) return;
    const window = ignoreWindow ? Infinity : EGRESS_WINDOW_BYTES;
    const tcp = this.tcp;
    if (tcp !== undefined) tcp.cork();
    try {
      this.writeControl();
      while (this.data.length > 0 && socket.bufferedAmount < window) this.send(this.takeFrame(this.data, true));
      while (this.telemetry.length > 0 && socket.bufferedAmount < window) this.send(this.takeFrame(this.telemetry, false));
    } finally {
      if (tcp !== undefined) tcp.uncork();
    }
  }

  private writeControl(): void {
    const queue = this.control;
    while (queue.length > 0) {
      if (queue.peek().charCodeAt(0) === 0) {
        this.send(queue.shift().slice(1));
        continue;
      }
      let frame = OUTPUTS_FRAME_PREFIX + queue.shift();
      while (queue.length > 0 && queue.peek().charCodeAt(0) !== 0 && frame.length < EGRESS_MAX_FRAME_BYTES) frame += ',' + queue.shift();
      this.send(frame + OUTPUTS_FRAME_SUFFIX);
    }
  }

  private takeFrame(queue: StringQueue, withMeta: boolean): string {
    let frame = OUTPUTS_FRAME_PREFIX + queue.shift();
    let taken = 1;
    while (queue.length > 0 && frame.length < EGRESS_MAX_FRAME_BYTES) {
      frame += ',' + queue.shift();
      taken++;
    }
    if (withMeta) for (let i = 0; i < taken; i++) this.dataMeta.shift();
    return frame + OUTPUTS_FRAME_SUFFIX;
  }

  private send(frame: string): void {
    this.socket.send(frame, this.onWritten);
  }

  /** A frame reached the kernel: items may wait for the window, the owner may wait to resume ingress. */
  private written(): void {
    if (this.hasQueued || this.socket.isPaused) this.requestFlush();
  }
}
