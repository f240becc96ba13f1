/**
 * Canonical encoding of engine outputs for egress, byte-identical to contracts v1
 * `encodeCanonical` (a test proves it property-based), but cheap on the hot path.
 *
 * `encodeCanonical` collects and sorts every object's keys on every call and quotes every string
 * with `JSON.stringify`. Envelopes (EventRecord / ControlSignal), decisions and transitions are
 * flat objects of a handful of shapes, so here:
 *   - the sorted key order of a shape (the own keys in insertion order, as `Object.keys` gives
 *     them) is computed once and found again by comparing key lists (`SHAPES`, most recent first);
 *   - a string that needs no escaping (no `"`, `\`, control character or surrogate) is quoted by
 *     concatenation, the rest by `JSON.stringify` (so escapes are exactly JSON.stringify's);
 *   - each slot of a shape remembers its last string value and its encoding: the values that
 *     repeat on every event of a session (schema version, session id, pipeline version, lane,
 *     scope, payload class) are not quoted again.
 * Nested values (`media_time`, `seq_range`, id lists) use `encodeCanonical`. A plan is not encoded
 * again: the engine kept its canonical text from the plan hash (`canonicalPlanText`).
 */
import { encodeCanonical } from '../../contracts/v1';
import type { ControlSignal, DecisionOutcome, EventRecord, TurnTransition } from '../../contracts/v1';
import { canonicalPlanText, type EngineOutput } from '../../engine';

/** JSON string literal of `value`, identical to `JSON.stringify(value)`. */
export function quoteJson(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(value);
  }
  return `"${value}"`;
}

/** One object shape: its own keys in insertion order, and the canonical (sorted) order. */
interface Shape {
  readonly keys: readonly string[];
  readonly sorted: readonly string[];
  /** `"key":` per sorted slot. */
  readonly prefixes: readonly string[];
  /** Per sorted slot: the last string value encoded there, and its encoding. */
  readonly lastValue: (string | undefined)[];
  readonly lastEncoded: string[];
}

/** Shapes seen, most recently added first; bounded (outputs come in a handful of shapes). */
const SHAPES: Shape[] = [];
const MAX_SHAPES = 64;

function shapeOf(keys: readonly string[]): Shape {
  search: for (let s = 0; s < SHAPES.length; s++) {
    const known = SHAPES[s].keys;
    if (known.length !== keys.length) continue;
    for (let i = 0; i < keys.length; i++) if (known[i] !== keys[i]) continue search;
    return SHAPES[s];
  }
  // Default sort: UTF-16 code unit order, as encodeCanonical.
  const sorted = keys.slice().sort();
  const shape: Shape = {
    keys,
    sorted,
    prefixes: sorted.map((k) => `${JSON.stringify(k)}:`),
    lastValue: sorted.map(() => undefined),
    lastEncoded: sorted.map(() => ''),
  };
  if (SHAPES.length >= MAX_SHAPES) SHAPES.pop();
  SHAPES.unshift(shape);
  return shape;
}

/** Canonical JSON of a (mostly flat) object. */
function encodeObject(value: object): string {
  const record = value as Record<string, unknown>;
  const { sorted, prefixes, lastValue, lastEncoded } = shapeOf(Object.keys(record));
  let out = '{';
  let written = false;
  for (let i = 0; i < sorted.length; i++) {
    const field = record[sorted[i]];
    if (field === undefined) continue;
    if (written) out += ',';
    written = true;
    out += prefixes[i];
    switch (typeof field) {
      case 'string':
        if (field !== lastValue[i]) {
          lastValue[i] = field;
          lastEncoded[i] = quoteJson(field);
        }
        out += lastEncoded[i];
        break;
      case 'number':
        // For finite numbers JSON.stringify and String agree; non-finite values throw in encodeCanonical.
        out += Number.isFinite(field) ? String(field) : encodeCanonical(field);
        break;
      case 'boolean':
        out += field ? 'true' : 'false';
        break;
      default:
        out += encodeCanonical(field);
    }
  }
  return out + '}';
}

/** Canonical JSON of an EventRecord or ControlSignal. */
export function encodeEnvelope(envelope: EventRecord | ControlSignal): string {
  return encodeObject(envelope);
}

/** Canonical JSON of a DecisionOutcome. */
export function encodeDecision(outcome: DecisionOutcome): string {
  return encodeObject(outcome);
}

/** Canonical JSON of a TurnTransition. */
export function encodeTransition(transition: TurnTransition): string {
  return encodeObject(transition);
}

/** Canonical JSON of a DataLane egress output `{ kind: 'data', edge_id, event }`. */
export function encodeDataOutput(edgeId: string, event: EventRecord): string {
  return `{"edge_id":${quoteJson(edgeId)},"event":${encodeObject(event)},"kind":"data"}`;
}

/** Canonical JSON of any engine output. */
export function encodeOutput(output: EngineOutput): string {
  switch (output.kind) {
    case 'signal':
    case 'intent':
      return `{"kind":"${output.kind}","signal":${encodeObject(output.signal)}}`;
    case 'data':
      return encodeDataOutput(output.edge_id, output.event);
    case 'decision':
      return `{"kind":"decision","outcome":${encodeObject(output.outcome)}}`;
    case 'transition':
      return `{"kind":"transition","transition":${encodeObject(output.transition)},"turn_id":${quoteJson(output.turn_id)}}`;
    case 'plan': {
      const text = canonicalPlanText(output.plan);
      return text !== undefined ? `{"kind":"plan","plan":${text}}` : encodeCanonical(output);
    }
    default:
      return encodeCanonical(output);
  }
}
