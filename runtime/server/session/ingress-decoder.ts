/**
 * Ingress: one WebSocket text frame → validated envelopes, or a `WireError` naming the problem.
 *
 * The frame is parsed once (`JSON.parse`) and each envelope is checked with the contracts v1
 * strict decoder: EventRecord when it has no `signal` and is not on ControlLane, ControlSignal
 * otherwise (so a DataLane frame with a `signal` gets ControlSignal's "a signal is only valid on
 * ControlLane" rather than a vaguer "unknown field").
 */
import { ControlSignalSchema, EventRecordSchema, validateAgainst } from '../../contracts/v1';
import type { ContractError, ControlSignal, EventRecord } from '../../contracts/v1';
import { MAX_BATCH_EVENTS, type WireError } from './wire-protocol';

/** Receives the result of decoding one frame, envelope by envelope, in frame order. */
export interface IngressVisitor {
  /** A valid EventRecord; `bytes` is its share of the frame (for edge byte budgets); `path` its JSON path. */
  event(event: EventRecord, bytes: number, path: string): void;
  /** A valid ControlSignal at JSON path `path` (`$`, or `$[i]` in a batch). */
  signal(signal: ControlSignal, path: string): void;
  /** A refused envelope (or the whole frame). The rest of the frame is still visited. */
  error(error: WireError): void;
}

function errorFromContract(error: ContractError, pathPrefix: string, envelope: Record<string, unknown>): WireError {
  const eventId = typeof envelope.event_id === 'string' && envelope.event_id !== '' ? envelope.event_id : undefined;
  return {
    code: 'contract_violation',
    // The decoder's paths start at `$`; inside a batch, re-root them at the item.
    path: pathPrefix + error.path.slice(1),
    reason: `${error.kind}: ${error.message}`,
    detail: error.rule !== undefined ? `${error.code} ${error.rule}` : error.code,
    ...(eventId !== undefined ? { event_id: eventId } : {}),
  };
}

function decodeOne(value: unknown, path: string, sessionId: string, bytes: number, visitor: IngressVisitor): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    visitor.error({
      code: 'invalid_json',
      path,
      reason: `expected an event envelope object, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`,
    });
    return;
  }
  const record = value as Record<string, unknown>;
  const isSignal = record.signal !== undefined || record.lane === 'ControlLane';
  const error = validateAgainst(isSignal ? ControlSignalSchema : EventRecordSchema, record);
  if (error !== undefined) {
    visitor.error(errorFromContract(error, path, record));
    return;
  }
  if (record.session_id !== sessionId) {
    visitor.error({
      code: 'session_mismatch',
      path: `${path}.session_id`,
      reason: `session_id "${String(record.session_id)}" is not this connection's session "${sessionId}"`,
      event_id: record.event_id as string,
    });
    return;
  }
  if (isSignal) visitor.signal(record as unknown as ControlSignal, path);
  else visitor.event(record as unknown as EventRecord, bytes, path);
}

/**
 * Decodes one text frame for session `sessionId`, calling `visitor` for each envelope in order.
 * Never throws; allocates nothing beyond `JSON.parse` on the valid path.
 */
export function decodeIngressFrame(text: string, sessionId: string, visitor: IngressVisitor): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    visitor.error({ code: 'invalid_json', path: '$', reason: `frame is not JSON: ${(err as Error).message}` });
    return;
  }
  if (!Array.isArray(parsed)) {
    decodeOne(parsed, '$', sessionId, text.length, visitor);
    return;
  }
  if (parsed.length === 0) {
    visitor.error({ code: 'empty_batch', path: '$', reason: 'an empty batch [] carries no envelope; send at least one (nothing was processed)' });
    return;
  }
  if (parsed.length > MAX_BATCH_EVENTS) {
    visitor.error({ code: 'batch_too_large', path: '$', reason: `a batch holds at most ${MAX_BATCH_EVENTS} envelopes, got ${parsed.length}` });
    return;
  }
  // A batch frame's length shared evenly: what each envelope counts against max_queue_bytes.
  const bytes = Math.ceil(text.length / Math.max(1, parsed.length));
  for (let i = 0; i < parsed.length; i++) decodeOne(parsed[i], `$[${i}]`, sessionId, bytes, visitor);
}
