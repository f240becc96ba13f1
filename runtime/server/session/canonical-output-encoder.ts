/**
 * Canonical encoding of engine outputs for egress, byte-identical to contracts v1
 * `encodeCanonical` (a test proves it property-based), but fast on the hot path.
 *
 * `encodeCanonical` collects, filters and sorts every object's keys on every call. Envelopes
 * (EventRecord / ControlSignal) are by far the most frequent outputs and their field set is fixed
 * by the schema, so their key order is computed once here. Nested values (`media_time`,
 * `seq_range`, id lists) and rare outputs (plans, decisions, transitions) use `encodeCanonical`.
 */
import { ControlSignalSchema, encodeCanonical } from '../../contracts/v1';
import type { ControlSignal, EventRecord } from '../../contracts/v1';
import type { EngineOutput } from '../../engine';

/** ControlSignal fields ⊇ EventRecord fields; sorted by UTF-16 code units as canonical JSON requires. */
const ENVELOPE_KEYS: readonly string[] = Object.keys(ControlSignalSchema.fields).sort();
const QUOTED_KEYS: readonly string[] = ENVELOPE_KEYS.map((k) => JSON.stringify(k));

function encodeScalarOrNested(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // For finite numbers JSON.stringify and String agree; non-finite values throw in encodeCanonical.
      return Number.isFinite(value) ? String(value) : encodeCanonical(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return encodeCanonical(value);
  }
}

/** Canonical JSON of an EventRecord or ControlSignal. */
export function encodeEnvelope(envelope: EventRecord | ControlSignal): string {
  const record = envelope as unknown as Record<string, unknown>;
  let out = '{';
  let written = 0;
  for (let i = 0; i < ENVELOPE_KEYS.length; i++) {
    const value = record[ENVELOPE_KEYS[i]];
    if (value === undefined) continue;
    if (written > 0) out += ',';
    out += QUOTED_KEYS[i];
    out += ':';
    out += encodeScalarOrNested(value);
    written++;
  }
  // A field outside the schema would be missed above: count defined own keys and fall back.
  let defined = 0;
  for (const key in record) {
    if (record[key] !== undefined) defined++;
  }
  return defined === written ? out + '}' : encodeCanonical(envelope);
}

/** Canonical JSON of a DataLane egress output `{ kind: 'data', edge_id, event }`. */
export function encodeDataOutput(edgeId: string, event: EventRecord): string {
  return `{"edge_id":${JSON.stringify(edgeId)},"event":${encodeEnvelope(event)},"kind":"data"}`;
}

/** Canonical JSON of any engine output. */
export function encodeOutput(output: EngineOutput): string {
  switch (output.kind) {
    case 'signal':
    case 'intent':
      return `{"kind":"${output.kind}","signal":${encodeEnvelope(output.signal)}}`;
    case 'data':
      return encodeDataOutput(output.edge_id, output.event);
    default:
      return encodeCanonical(output);
  }
}
