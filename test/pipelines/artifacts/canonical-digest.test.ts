/**
 * Content digests: key order and the self-digest field never matter; any value change does.
 */
import fc from 'fast-check';
import { artifactDigest, DIGEST_PATTERN } from '../../../pipelines';

function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).reverse().map(([k, v]) => [k, reorder(v)]));
}

describe('artifactDigest', () => {
  const objects = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== 'digest' && k !== '__proto__'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 });

  test('is sha256:<64 hex> and independent of key order at every depth', () => {
    fc.assert(
      fc.property(objects, (artifact) => {
        const digest = artifactDigest(artifact);
        expect(digest).toMatch(DIGEST_PATTERN);
        expect(artifactDigest(reorder(artifact))).toBe(digest);
      }),
      { numRuns: 200 },
    );
  });

  test('excludes only the top-level self digest', () => {
    fc.assert(
      fc.property(objects, fc.string(), (artifact, recorded) => {
        expect(artifactDigest({ ...artifact, digest: recorded })).toBe(artifactDigest(artifact));
        expect(artifactDigest({ ...artifact, nested: { digest: recorded } })).not.toBe(artifactDigest({ ...artifact, nested: {} }));
      }),
      { numRuns: 100 },
    );
  });

  test('changes with any added field', () => {
    fc.assert(
      fc.property(objects, fc.string({ minLength: 1 }).filter((k) => k !== 'digest' && k !== '__proto__'), fc.jsonValue(), (artifact, key, value) => {
        fc.pre(!(key in artifact) && value !== undefined);
        expect(artifactDigest({ ...artifact, [key]: value })).not.toBe(artifactDigest(artifact));
      }),
      { numRuns: 100 },
    );
  });
});
