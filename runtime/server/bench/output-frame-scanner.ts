/**
 * Reads what the load bench times out of a server frame without `JSON.parse`: the frame's type,
 * the bench's DataLane events that egressed (by number), the signals in order, and pre-turn
 * decisions that did not admit. The server's outputs are canonical JSON (keys sorted, no
 * whitespace; README "Wire protocol"), so each needle below matches exactly one place:
 *
 *   data output    `{"edge_id":…,"event":{…,"event_id":"bd000000042",…},"kind":"data"}`
 *   signal output  `{"kind":"signal","signal":{…,"reason":"cancelled",…,"signal":"abort",…}}`
 *   decision       `{"kind":"decision","outcome":{…,"outcome_kind":"admit",…}}`
 *
 * Only the bench's own data events carry the `bd` event id prefix (DATA_EVENT_ID_PREFIX), and a
 * string value cannot contain an unescaped `"`, so a needle can never match inside a value.
 */
import { DATA_EVENT_ID_PREFIX } from './data-frame-template';

export interface OutputFrameVisitor {
  /** Data event number `n` (the digits of `bd<n>`) egressed. */
  data(n: number): void;
  /** A signal output, in frame order; `cancelled` when it carries `reason: "cancelled"`. */
  signal(name: string, cancelled: boolean): void;
  /** A decision whose `outcome_kind` is not `admit`. */
  refused(outcomeKind: string): void;
}

export type ServerFrameKind = 'outputs' | 'error' | 'session' | 'other';

const OUTPUTS_PREFIX = Buffer.from('{"type":"outputs"');
const ERROR_PREFIX = Buffer.from('{"type":"error"');
const SESSION_PREFIX = Buffer.from('{"type":"session"');
const EVENT_ID = Buffer.from(`"event_id":"${DATA_EVENT_ID_PREFIX}`);
const SIGNAL_NAME = Buffer.from('"signal":"');
const SIGNAL_OBJECT = Buffer.from('{"kind":"signal"');
const REASON_CANCELLED = Buffer.from('"reason":"cancelled"');
const OUTCOME_KIND = Buffer.from('"outcome_kind":"');
const ADMIT = Buffer.from('admit"');
const QUOTE = 0x22;

function startsWith(payload: Buffer, prefix: Buffer): boolean {
  return payload.length >= prefix.length && payload.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

export function serverFrameKind(payload: Buffer): ServerFrameKind {
  if (startsWith(payload, OUTPUTS_PREFIX)) return 'outputs';
  if (startsWith(payload, ERROR_PREFIX)) return 'error';
  if (startsWith(payload, SESSION_PREFIX)) return 'session';
  return 'other';
}

/**
 * Visits the timed parts of an `outputs` frame (see the module comment): first every data event,
 * then refused decisions, then the signals, each in frame order. (The bench needs no order across
 * kinds: data matching does not depend on the turn phase the signals move.)
 */
export function scanOutputsFrame(payload: Buffer, visitor: OutputFrameVisitor): void {
  for (let i = payload.indexOf(EVENT_ID); i >= 0; i = payload.indexOf(EVENT_ID, i + EVENT_ID.length)) {
    let n = 0;
    let j = i + EVENT_ID.length;
    for (let c = payload[j]; c >= 0x30 && c <= 0x39; c = payload[++j]) n = n * 10 + (c - 0x30);
    if (payload[j] === QUOTE && j > i + EVENT_ID.length) visitor.data(n);
  }
  for (let i = payload.indexOf(OUTCOME_KIND); i >= 0; i = payload.indexOf(OUTCOME_KIND, i + OUTCOME_KIND.length)) {
    const v = i + OUTCOME_KIND.length;
    if (payload.compare(ADMIT, 0, ADMIT.length, v, v + ADMIT.length) !== 0) {
      visitor.refused(payload.toString('utf8', v, payload.indexOf(QUOTE, v)));
    }
  }
  for (let i = payload.indexOf(SIGNAL_NAME); i >= 0; i = payload.indexOf(SIGNAL_NAME, i + SIGNAL_NAME.length)) {
    const v = i + SIGNAL_NAME.length;
    const end = payload.indexOf(QUOTE, v);
    const name = payload.toString('latin1', v, end);
    let cancelled = false;
    if (name === 'abort') {
      const objectStart = payload.lastIndexOf(SIGNAL_OBJECT, i);
      const reason = payload.indexOf(REASON_CANCELLED, objectStart);
      cancelled = objectStart >= 0 && reason >= 0 && reason < i;
    }
    visitor.signal(name, cancelled);
  }
}
