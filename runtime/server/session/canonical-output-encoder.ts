/**
 * Canonical encoding of engine outputs for egress, byte-identical to contracts v1
 * `encodeCanonical` (a test proves it property-based), but fast on the hot path.
 *
 * `encodeCanonical` collects, filters and sorts every object's keys on every call. Envelopes
 * (EventRecord / ControlSignal) are by far the most frequent outputs and their field set is fixed
 * by the schema, so their key order is computed once here. Nested values (`media_time`,
 * `seq_range`, id lists) and rare outputs (plans, decisions, transitions) use `encodeCanonical`.
 */
import { ControlSignalSchema, DecisionOutcomeSchema, encodeCanonical, TurnTransitionSchema } from '../../contracts/v1';
import type { ControlSignal, DecisionOutcome, EventRecord, ObjectSchema, TurnTransition } from '../../contracts/v1';
import type { EngineOutput } from '../../engine';

/** A schema's field names sorted by UTF-16 code units (canonical JSON order), and their JSON spelling. */
interface SortedFields {
  readonly keys: readonly string[];
  readonly quoted: readonly string[];
}

function sortedFieldsOf(schema: ObjectSchema): SortedFields {
  const keys = Object.keys(schema.properties).sort();
  return { keys, quoted: keys.map((k) => JSON.stringify(k)) };
}

/** ControlSignal fields ⊇ EventRecord fields. */
const ENVELOPE_FIELDS = sortedFieldsOf(ControlSignalSchema);
const DECISION_FIELDS = sortedFieldsOf(DecisionOutcomeSchema);
const TRANSITION_FIELDS = sortedFieldsOf(TurnTransitionSchema);

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

/** Canonical JSON of an object whose fields are (expected to be) those of `fields`. */
function encodeWithFields(value: object, fields: SortedFields): string {
  const record = value as Record<string, unknown>;
  const { keys, quoted } = fields;
  let out = '{';
  let written = 0;
  for (let i = 0; i < keys.length; i++) {
    const field = record[keys[i]];
    if (field === undefined) continue;
    if (written > 0) out += ',';
    out += quoted[i];
    out += ':';
    out += encodeScalarOrNested(field);
    written++;
  }
  // A field outside the schema would be missed above: count defined own keys and fall back.
  let defined = 0;
  for (const key in record) {
    if (record[key] !== undefined) defined++;
  }
  return defined === written ? out + '}' : encodeCanonical(value);
}

/** Canonical JSON of an EventRecord or ControlSignal. */
export function encodeEnvelope(envelope: EventRecord | ControlSignal): string {
  return encodeWithFields(envelope, ENVELOPE_FIELDS);
}

/** Canonical JSON of a DecisionOutcome. */
export function encodeDecision(outcome: DecisionOutcome): string {
  return encodeWithFields(outcome, DECISION_FIELDS);
}

/** Canonical JSON of a TurnTransition. */
export function encodeTransition(transition: TurnTransition): string {
  return encodeWithFields(transition, TRANSITION_FIELDS);
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
    case 'decision':
      return `{"kind":"decision","outcome":${encodeDecision(output.outcome)}}`;
    case 'transition':
      return `{"kind":"transition","transition":${encodeTransition(output.transition)},"turn_id":${JSON.stringify(output.turn_id)}}`;
    default:
      return encodeCanonical(output);
  }
}
