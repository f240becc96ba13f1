/**
 * An `EngineSink` that keeps every output, data egress included, in one timeline array — what
 * tests, the replay runner and the gate runner compare. Not for the hot path of a live session.
 */
import type { EventRecord } from '../contracts/v1';
import type { EngineOutput, EngineSink } from './engine-types';

export class RecordingSink implements EngineSink {
  readonly outputs: EngineOutput[] = [];
  /** Payloads of data egress, in egress order (the n-th entry belongs to the n-th `data` output). */
  readonly payloads: unknown[] = [];

  emit(output: EngineOutput): void {
    this.outputs.push(output);
  }

  egress(edgeId: string, event: EventRecord, payload: unknown): void {
    this.outputs.push({ kind: 'data', edge_id: edgeId, event });
    this.payloads.push(payload);
  }

  clear(): void {
    this.outputs.length = 0;
    this.payloads.length = 0;
  }
}
