import fc from 'fast-check';
import { ControlSignalSchema, DecisionOutcomeSchema, encodeCanonical, TurnTransitionSchema } from '../../../../runtime/contracts/v1';
import type { ControlSignal, DecisionOutcome, EventRecord, TurnTransition } from '../../../../runtime/contracts/v1';
import { canonicalPlanText, computePlanHash, materializePlan, SIMPLE_V1_PROFILE } from '../../../../runtime/engine';
import { encodeDataOutput, encodeEnvelope, encodeOutput, quoteJson } from '../../../../runtime/server/session/canonical-output-encoder';
import { bundle } from '../../engine/support/engine-fixtures';

const fieldNames = Object.keys(ControlSignalSchema.properties);
/** Strings JSON must escape: quotes, backslashes, control characters, lone and paired surrogates. */
const awkward = fc
  .array(fc.oneof(fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u2028', '\ud800', '\udfff', '\ud83d\ude00', 'a', 'é'), fc.string({ maxLength: 3 })), { maxLength: 6 })
  .map((parts) => parts.join(''));
const scalar = fc.oneof(
  fc.string(),
  awkward,
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
  test('quoteJson is JSON.stringify for any string (escapes, controls, lone surrogates)', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), awkward, fc.string({ unit: 'binary' })), (s) => expect(quoteJson(s)).toBe(JSON.stringify(s))), { numRuns: 3000 });
  });

  test('shapes and remembered values: the same key set in any insertion order, values changing and repeating from call to call', () => {
    // Sequences of envelopes drawn from a few shapes with values from a small pool, so shapes and
    // slot values repeat (the per-slot memo hits) and change (it must miss), key orders vary.
    const pool = fc.constantFrom('a', 'b', '"q"', 'v1.0', 's-1', '', 'é', '\ud800');
    const small = fc.dictionary(fc.constantFrom('lane', 'event_id', 'turn_id', 'session_id', 'a', 'b'), fc.oneof(pool, fc.nat(3), fc.constant(undefined)), { maxKeys: 6 });
    fc.assert(
      fc.property(fc.array(small, { minLength: 1, maxLength: 40 }), (envelopes) => {
        for (const e of envelopes) {
          const reversed = Object.fromEntries(Object.entries(e).reverse());
          expect(encodeEnvelope(e as unknown as EventRecord)).toBe(encodeCanonical(e));
          expect(encodeEnvelope(reversed as unknown as EventRecord)).toBe(encodeCanonical(e));
        }
      }),
      { numRuns: 500 },
    );
  });

  test('more shapes than the cache holds still encode exactly', () => {
    for (let round = 0; round < 2; round++) {
      for (let n = 0; n < 150; n++) {
        const e = { [`k${n}`]: `v${n}`, lane: 'DataLane', ...(n % 2 ? { event_id: `e${n}` } : {}) };
        expect(encodeEnvelope(e as unknown as EventRecord)).toBe(encodeCanonical(e));
      }
    }
  });

  test('envelope encoding is byte-identical to contracts v1 encodeCanonical (property)', () => {
    fc.assert(
      fc.property(envelopeLike, (envelope) => {
        expect(encodeEnvelope(envelope as unknown as EventRecord)).toBe(encodeCanonical(envelope));
      }),
      { numRuns: 2000 },
    );
  });

  test('a field outside the schema is encoded too, never dropped', () => {
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

  test('a materialized plan egresses as the canonical text kept from its hash: byte-identical, hash unchanged', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), fc.nat(), fc.nat({ max: 1000 }), fc.option(awkward), (turnId, seed, epoch, edge) => {
        const result = materializePlan({
          turn_id: turnId,
          authority_epoch: epoch + 1,
          seed,
          bundle: bundle(),
          profiles: { 'simple/v1': SIMPLE_V1_PROFILE },
          ...(edge !== null ? { edge_overrides: { [edge]: SIMPLE_V1_PROFILE.edge_buffer_policies.default } } : {}),
        });
        if (!result.ok) return;
        const { plan_hash, ...body } = result.plan;
        expect(plan_hash).toBe(computePlanHash(body));
        expect(canonicalPlanText(result.plan)).toBe(encodeCanonical(result.plan));
        expect(encodeOutput({ kind: 'plan', plan: result.plan })).toBe(encodeCanonical({ kind: 'plan', plan: result.plan }));
      }),
      { numRuns: 300 },
    );
    // A plan built elsewhere (no kept text) is encoded generically.
    const ok = materializePlan({ turn_id: 't', authority_epoch: 1, seed: 1, bundle: bundle(), profiles: { 'simple/v1': SIMPLE_V1_PROFILE } });
    if (!ok.ok) throw new Error(ok.problem);
    const copy = JSON.parse(JSON.stringify(ok.plan));
    expect(canonicalPlanText(copy)).toBeUndefined();
    expect(encodeOutput({ kind: 'plan', plan: copy })).toBe(encodeCanonical({ kind: 'plan', plan: copy }));
  });
});
