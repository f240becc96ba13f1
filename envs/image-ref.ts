/**
 * Container image references. RSPP pins every image by digest (manifest-policy RSPP-POD-011, and the
 * seed's "no mutable rollout targets"): `registry/repository@sha256:<64 hex>`, optionally with a tag
 * kept for readability (`repo:v1.2.3@sha256:…`; the digest is what the kubelet pulls).
 */

/** `sha256:` followed by 64 lowercase hex digits: an OCI content digest. */
export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

const IMAGE_REF = /^(?<repository>[a-z0-9]+(?:[._-][a-z0-9]+|[:][0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?@(?<digest>sha256:[0-9a-f]{64})$/;

export interface PinnedImage {
  /** `registry/path` without tag or digest, e.g. `ghcr.io/rspp/runtime`. */
  readonly repository: string;
  /** Optional human-readable tag kept next to the digest. */
  readonly tag?: string;
  /** `sha256:<64 hex>`. */
  readonly digest: string;
}

/** Parses a digest-pinned reference; `undefined` when it is not one (tag-only, `latest`, malformed). */
export function parsePinnedImage(ref: string): PinnedImage | undefined {
  if (typeof ref !== 'string') return undefined;
  const match = IMAGE_REF.exec(ref);
  if (!match?.groups) return undefined;
  const { repository, tag, digest } = match.groups;
  return tag === undefined ? { repository, digest } : { repository, tag, digest };
}

/** True when `ref` names an image by digest. */
export function isPinnedImage(ref: string): boolean {
  return parsePinnedImage(ref) !== undefined;
}

/** Why `ref` is not acceptable, phrased to be appended after the field name; `undefined` when it is. */
export function pinnedImageProblem(ref: unknown): string | undefined {
  if (typeof ref !== 'string' || ref === '') return `must be an image reference pinned by digest (repo@sha256:<64 hex>), got ${JSON.stringify(ref)}`;
  if (isPinnedImage(ref)) return undefined;
  if (!ref.includes('@')) {
    return `"${ref}" is referenced by tag; pin it by digest: ${ref.replace(/:[^/:]*$/, '')}@sha256:<64 hex>`;
  }
  return `"${ref}" is not a valid digest-pinned reference (expected registry/repo[:tag]@sha256:<64 lowercase hex>)`;
}
