/**
 * A recording host for one EdgeBuffer driven directly (no engine): a timeline of egress and ControlLane
 * signals, the delivered items, the shed count and the raw signal fields. `take` models a consumer that
 * accepts only a few items and then stops (so pressure episodes can end part-way through a backlog).
 */
import type { EdgeBufferPolicy, EventRecord, FlowControlMode } from '../../../../runtime/contracts/v1';
import { EdgeBuffer, type EdgeHost, type EdgeSignalFields, type EdgeSignalName } from '../../../../runtime/engine/edge-buffer';
import { edgePolicy } from './engine-fixtures';

export class Timeline implements EdgeHost {
  readonly out: string[] = [];
  readonly delivered: { event: EventRecord; payload: unknown; at: number }[] = [];
  dropped = 0;
  /** Items the consumer still accepts before it reports not-ready (Infinity: always ready). */
  take = Infinity;
  egressItem(edge: EdgeBuffer, event: EventRecord, payload: unknown, atMs: number): void {
    this.out.push(`egress:${event.runtime_sequence}`);
    this.delivered.push({ event, payload, at: atMs });
    if (--this.take <= 0) edge.downstreamReady = false;
  }
  /** The raw fields of every signal, in order. */
  readonly fields: { name: EdgeSignalName; fields: EdgeSignalFields }[] = [];
  edgeSignal(_edge: EdgeBuffer, name: EdgeSignalName, _atMs: number, f: EdgeSignalFields): void {
    this.fields.push({ name, fields: f });
    const parts = [
      f.reason,
      f.amount !== undefined ? `amount=${f.amount}` : undefined,
      f.seq_range ? `${f.seq_range.start}..${f.seq_range.end}` : undefined,
      f.sync_domain !== undefined ? `domain=${f.sync_domain}` : undefined,
      f.discontinuity_id,
    ].filter((x) => x !== undefined);
    this.out.push(parts.length > 0 ? `${name}(${parts.join(' ')})` : name);
  }
  edgeDropped(_edge: EdgeBuffer, count: number): void {
    this.dropped += count;
  }
}

/** An edge `e1` with small default bounds (4 items, 1 s) and the given policy overrides. */
export function edge(o: Partial<EdgeBufferPolicy> = {}, mode: FlowControlMode = 'signal') {
  const host = new Timeline();
  const policy = edgePolicy({ max_queue_items: 4, max_queue_ms: 1000, max_latency_contribution_ms: 1000, watermarks: { queue_items: { high: 3, low: 1 } }, ...o });
  return { host, edge: new EdgeBuffer('e1', policy, mode, host) };
}
