/**
 * Finds every digest reference in an artifact by walking it alongside its schema, so the
 * cross-reference check needs no per-kind list of reference fields: the schema is the list.
 */
import type { ValuePath } from '../artifacts/yaml-source';
import { isRecord } from './check-schema';
import type { ArtifactKindName, SchemaNode } from './schema-language';

export interface DigestRefSite {
  readonly path: ValuePath;
  readonly refKind: ArtifactKindName;
  readonly value: unknown;
}

export function collectDigestRefs(value: unknown, schema: SchemaNode, path: ValuePath = []): DigestRefSite[] {
  const out: DigestRefSite[] = [];
  walk(value, schema, path, out);
  return out;
}

function walk(value: unknown, schema: SchemaNode, path: ValuePath, out: DigestRefSite[]): void {
  if (value === undefined || value === null) return;
  switch (schema.type) {
    case 'digest_ref':
      out.push({ path, refKind: schema.refKind, value });
      return;
    case 'object':
      if (!isRecord(value)) return;
      for (const [name, field] of Object.entries(schema.properties)) walk(value[name], field, [...path, name], out);
      return;
    case 'map':
      if (!isRecord(value)) return;
      for (const [key, v] of Object.entries(value)) walk(v, schema.values, [...path, key], out);
      return;
    case 'array':
      if (!Array.isArray(value)) return;
      value.forEach((item, i) => walk(item, schema.items, [...path, i], out));
      return;
    default:
      return;
  }
}
