/**
 * Content addressing for pipeline artifacts. An artifact's digest is `sha256:<64 hex>` of the canonical
 * JSON of its parsed YAML: object keys sorted, no insignificant whitespace, and the artifact's own
 * top-level `digest` field left out (a file may record its digest; the record cannot be part of what
 * it names). Two files that parse to the same data therefore have the same digest, whatever their
 * YAML formatting, comments or key order.
 */
import { createHash } from 'crypto';
import { encodeCanonical } from '../../runtime/contracts/v1';

/** The name of the optional self-digest field every content-addressed artifact may carry. */
export const SELF_DIGEST_FIELD = 'digest';

/** A content digest as written in artifacts: `sha256:` followed by 64 lowercase hex characters. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

export type Digest = `sha256:${string}`;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
}

/**
 * Canonical JSON is the contracts' encoding (sorted keys, no whitespace), so an artifact digest and a
 * plan hash are computed the same way.
 */
export function canonicalJson(value: unknown): string {
  return encodeCanonical(value);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The content digest of a parsed artifact (its top-level `digest` field excluded). */
export function artifactDigest(artifact: unknown): Digest {
  let body = artifact;
  if (artifact !== null && typeof artifact === 'object' && !Array.isArray(artifact) && SELF_DIGEST_FIELD in artifact) {
    const copy: Record<string, unknown> = { ...(artifact as Record<string, unknown>) };
    delete copy[SELF_DIGEST_FIELD];
    body = copy;
  }
  return `sha256:${sha256Hex(canonicalJson(body))}`;
}
