import fc from 'fast-check';
import { ControlSignalSchema, DecisionOutcomeSchema, encodeCanonical, TurnTransitionSchema } from '../../../../runtime/contracts/v1';
import type { ControlSignal, DecisionOutcome, EventRecord, TurnTransition } from '../../../../runtime/contracts/v1';
import { encodeDataOutput, encodeEnvelope, encodeOutput } from '../../../../runtime/server/session/canonical-output-encoder';

const fieldNames = Object.keys(ControlSignalSchema.properties);
const scalar = fc.oneof(
  fc.string(),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.boolean(),
  fc.string({ unit: 'binary' }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const nested = fc.oneof(fc.record({ sample_index: fc.nat() }), fc.record({ start: fc.nat(), end: fc.nat() }), fc.array(fc.string(), { maxLength: 4 }));
/** Envelope-shaped objects: any subset of the schema's fields (some undefined), values of any JSON kind. */
const shapeOf = (names: readonly string[]) =>
  fc.dictionary(fc.constantFrom(...names), fc.oneof(scalar, nested, fc.constant(undefined)), { maxKeys: names.length });
const envelopeLike = shapeOf(fieldNames);
const decisionLike = shapeOf(Object.keys(DecisionOutcomeSchema.properties));
const transitionLike = shapeOf(Object.keys(TurnTransitionSchema.properties));

describe('canonical output encoder', () => {
  test('envelope encoding is byte-identical to contracts v1 encodeCanonical (property)', () => {
    fc.assert(
      fc.property(envelopeLike, (envelope) => {
        expect(encodeEnvelope(envelope as unknown as EventRecord)).toBe(encodeCanonical(envelope));
      }),
      { numRuns: 2000 },
    );
  });

  test('a field outside the schema falls back to the generic encoder instead of being dropped', () => {
    fc.assert(
      fc.property(envelopeLike, fc.string({ minLength: 1 }).filter((k) => !fieldNames.includes(k) && k !== '__proto__'), fc.string(), (envelope, key, value) => {
        const withExtra = { ...envelope, [key]: value };
        expect(encodeEnvelope(withExtra as unknown as EventRecord)).toBe(encodeCanonical(withExtra));
      }),
      { numRuns: 500 },
    );
  });

  test('output wrappers match encodeCanonical for data, signal, decision, transition and other kinds', () => {
    fc.assert(
      fc.property(envelopeLike, fc.string(), (envelope, edgeId) => {
        const event = envelope as unknown as EventRecord;
        expect(encodeDataOutput(edgeId, event)).toBe(encodeCanonical({ kind: 'data', edge_id: edgeId, event }));
        const signal = envelope as unknown as ControlSignal;
        expect(encodeOutput({ kind: 'signal', signal })).toBe(encodeCanonical({ kind: 'signal', signal }));
        expect(encodeOutput({ kind: 'intent', signal })).toBe(encodeCanonical({ kind: 'intent', signal }));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(decisionLike, transitionLike, fc.string(), (d, t, turnId) => {
        const outcome = d as unknown as DecisionOutcome;
        const transition = t as unknown as TurnTransition;
        expect(encodeOutput({ kind: 'decision', outcome })).toBe(encodeCanonical({ kind: 'decision', outcome }));
        expect(encodeOutput({ kind: 'transition', turn_id: turnId, transition })).toBe(
          encodeCanonical({ kind: 'transition', turn_id: turnId, transition }),
        );
      }),
      { numRuns: 500 },
    );
    const diagnostic = { kind: 'diagnostic', code: 'no_active_turn', detail: 'x', turn_id: 't' } as const;
    expect(encodeOutput(diagnostic)).toBe(encodeCanonical(diagnostic));
  });
});
