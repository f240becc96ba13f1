/**
 * Finds every digest reference in an artifact by walking it alongside its schema (the nodes marked
 * `x-ref-kind`), so the cross-reference check needs no per-kind list of reference fields: the
 * schema is the list.
 */
import type { ValuePath } from '../artifacts/yaml-source';
import { forEachNode } from './check-schema';
import type { ArtifactKindName, SchemaNode } from './schema-language';

export interface DigestRefSite {
  readonly path: ValuePath;
  readonly refKind: ArtifactKindName;
  readonly value: unknown;
}

export function collectDigestRefs(value: unknown, schema: SchemaNode, path: ValuePath = []): DigestRefSite[] {
  const out: DigestRefSite[] = [];
  forEachNode(value, schema, path, (v, node, at) => {
    const refKind = (node as { readonly 'x-ref-kind'?: ArtifactKindName })['x-ref-kind'];
    if (refKind !== undefined) out.push({ path: at, refKind, value: v });
  });
  return out;
}
