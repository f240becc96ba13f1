/**
 * Bundle references are content digests, never names, tags or `latest` (seed MUST NOT: "use mutable
 * rollout targets"). One check, used by every endpoint that takes a reference.
 */
import { isDigest, type Digest } from '../../pipelines';
import { ControlPlaneError } from './control-plane-errors';

export function assertImmutableReference(reference: unknown, field: string): Digest {
  if (typeof reference !== 'string' || reference.length === 0) {
    throw new ControlPlaneError('invalid_request', `${field} is required: a bundle digest sha256:<64 lowercase hex>`, field);
  }
  if (isDigest(reference)) return reference;
  const looksLikeTag = /:(latest|[A-Za-z0-9._-]+)$/.test(reference) || reference === 'latest';
  throw new ControlPlaneError(
    'mutable_reference',
    `${field} "${reference}" is a mutable reference${looksLikeTag ? ' (a name or tag)' : ''}; ` +
      'bundles are pinned by content digest only: use sha256:<64 lowercase hex> as printed by `npm run pipelines:validate`',
    field,
  );
}
