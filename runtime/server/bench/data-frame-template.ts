/**
 * Pre-built client frames of a session's DataLane events for the load bench: one zero-masked
 * WebSocket frame (see `raw-ws-client.ts`) per session whose varying fields sit in fixed-width
 * slots, so sending an event is a copy plus a few digit writes instead of building and encoding
 * a string.
 *
 * The envelope is the one `SessionEnvelopes.dataFrame` sends (same fields, same order, a valid
 * contracts v1 EventRecord); only the spelling keeps widths fixed: ids are zero-padded
 * (`event_id` `bd000000042`, `turn_id` `t000007`) and numbers are right-aligned behind JSON
 * whitespace (`"runtime_sequence":        42`), which every JSON parser reads as the same value.
 */
import { CONTRACTS_SCHEMA_VERSION } from '../../contracts/v1';
import { clientFrameHeaderLength, writeClientFrameHeader } from './raw-ws-client';

/** Prefix of the bench's DataLane `event_id`s; followed by EVENT_DIGITS digits. */
export const DATA_EVENT_ID_PREFIX = 'bd';
export const EVENT_DIGITS = 9;
export const TURN_DIGITS = 6;
const SEQUENCE_WIDTH = 10;
const TIMESTAMP_WIDTH = 16;

/** `turn_id` of turn number `n` (1-based) as the template spells it. */
export function benchTurnId(n: number): string {
  return `t${String(n).padStart(TURN_DIGITS, '0')}`;
}

/** `event_id` of data event number `n` as the template spells it. */
export function benchDataEventId(n: number): string {
  return `${DATA_EVENT_ID_PREFIX}${String(n).padStart(EVENT_DIGITS, '0')}`;
}

/** Writes `value` (a non-negative integer) right-aligned in `width` bytes at `offset`, padded with `pad`. */
function writeFixed(target: Buffer, offset: number, width: number, value: number, pad: number): void {
  let v = value;
  for (let i = offset + width - 1; i >= offset; i--) {
    if (v > 0 || i === offset + width - 1) {
      target[i] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    } else {
      target[i] = pad;
    }
  }
  if (v > 0) throw new RangeError(`data-frame-template: ${value} does not fit in ${width} digits`);
}

export class DataFrameTemplate {
  private readonly template: Buffer;
  /** Bytes of the frame header (the JSON body follows). */
  private readonly headerLength: number;
  private readonly at: { readonly eventId: number; readonly turnId: number; readonly seq: number[]; readonly ts: number[] };

  constructor(sessionId: string, pipelineVersion: string, authorityEpoch: number) {
    const marker = (name: string, width: number) => `\u0001${name}`.padEnd(width, '\u0001');
    const text =
      `{"schema_version":"${CONTRACTS_SCHEMA_VERSION}","session_id":${JSON.stringify(sessionId)},` +
      `"pipeline_version":${JSON.stringify(pipelineVersion)},"event_id":"${DATA_EVENT_ID_PREFIX}${marker('E', EVENT_DIGITS)}",` +
      `"transport_sequence":${marker('S', SEQUENCE_WIDTH)},"runtime_sequence":${marker('S', SEQUENCE_WIDTH)},` +
      `"runtime_timestamp_ms":${marker('T', TIMESTAMP_WIDTH)},"wall_clock_timestamp_ms":${marker('T', TIMESTAMP_WIDTH)},` +
      `"event_scope":"turn","turn_id":"t${marker('U', TURN_DIGITS)}","lane":"DataLane","payload_class":"text_raw","authority_epoch":${authorityEpoch}}`;
    const body = Buffer.from(text, 'utf8');
    const headerLength = clientFrameHeaderLength(body.length);
    this.headerLength = headerLength;
    this.template = Buffer.allocUnsafe(headerLength + body.length);
    writeClientFrameHeader(this.template, 0, 0x1, body.length);
    body.copy(this.template, headerLength);
    const find = (name: string): number[] => {
      const needle = Buffer.from(`\u0001${name}`);
      const found: number[] = [];
      for (let i = this.template.indexOf(needle); i >= 0; i = this.template.indexOf(needle, i + 1)) found.push(i);
      return found;
    };
    this.at = { eventId: find('E')[0], turnId: find('U')[0], seq: find('S'), ts: find('T') };
    if (this.at.eventId === undefined || this.at.turnId === undefined || this.at.seq.length !== 2 || this.at.ts.length !== 2) {
      throw new Error('data-frame-template: placeholder not found (session id or pipeline version contains a control character?)');
    }
  }

  /** A new frame buffer (safe to hand to `socket.write`) for turn `turn`, event `event`, sequence `seq` at `nowMs`. */
  frame(turn: number, event: number, seq: number, nowMs: number): Buffer {
    const out = Buffer.allocUnsafe(this.template.length);
    this.template.copy(out);
    writeFixed(out, this.at.eventId, EVENT_DIGITS, event, 0x30);
    writeFixed(out, this.at.turnId, TURN_DIGITS, turn, 0x30);
    writeFixed(out, this.at.seq[0], SEQUENCE_WIDTH, seq, 0x20);
    writeFixed(out, this.at.seq[1], SEQUENCE_WIDTH, seq, 0x20);
    writeFixed(out, this.at.ts[0], TIMESTAMP_WIDTH, nowMs, 0x20);
    writeFixed(out, this.at.ts[1], TIMESTAMP_WIDTH, nowMs, 0x20);
    return out;
  }

  /** The JSON text of `frame(...)` without its frame header (an item of a batch frame). */
  body(turn: number, event: number, seq: number, nowMs: number): string {
    return this.frame(turn, event, seq, nowMs).toString('utf8', this.headerLength);
  }
}
