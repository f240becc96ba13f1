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

export type IngressEnvelope =
  | { readonly kind: 'event'; readonly event: EventRecord }
  | { readonly kind: 'signal'; readonly signal: ControlSignal };

/** The result of decoding one frame: envelopes that passed, in order, and errors for the ones that did not. */
export interface DecodedFrame {
  readonly envelopes: IngressEnvelope[];
  readonly errors: WireError[];
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

function decodeOne(value: unknown, path: string, sessionId: string, out: DecodedFrame): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.errors.push({
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
    out.errors.push(errorFromContract(error, path, record));
    return;
  }
  if (record.session_id !== sessionId) {
    out.errors.push({
      code: 'session_mismatch',
      path: `${path}.session_id`,
      reason: `session_id "${String(record.session_id)}" is not this connection's session "${sessionId}"`,
      event_id: record.event_id as string,
    });
    return;
  }
  out.envelopes.push(
    isSignal ? { kind: 'signal', signal: record as unknown as ControlSignal } : { kind: 'event', event: record as unknown as EventRecord },
  );
}

/** Decodes one text frame for session `sessionId`. Never throws. */
export function decodeIngressFrame(text: string, sessionId: string): DecodedFrame {
  const out: DecodedFrame = { envelopes: [], errors: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    out.errors.push({ code: 'invalid_json', path: '$', reason: `frame is not JSON: ${(err as Error).message}` });
    return out;
  }
  if (Array.isArray(parsed)) {
    if (parsed.length > MAX_BATCH_EVENTS) {
      out.errors.push({ code: 'batch_too_large', path: '$', reason: `a batch holds at most ${MAX_BATCH_EVENTS} envelopes, got ${parsed.length}` });
      return out;
    }
    for (let i = 0; i < parsed.length; i++) decodeOne(parsed[i], `$[${i}]`, sessionId, out);
    return out;
  }
  decodeOne(parsed, '$', sessionId, out);
  return out;
}
