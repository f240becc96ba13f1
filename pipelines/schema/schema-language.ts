/**
 * The builders the artifact schemas are written with. A schema is a TypeBox schema, i.e. a JSON
 * Schema document: `check-schema.ts` validates with TypeBox's compiled validator and turns each
 * error into a problem with its one-line fix, and `schemas/<Kind>.schema.json` publishes the same
 * documents to editors. Every node carries a `description` (the "doc" the fix text quotes). Two
 * rules are domain rules no generic validator words well, so they are marked with `x-*` keywords
 * next to their JSON Schema form: digest references (`x-ref-kind`, a digest `pattern`) and
 * digest-pinned images (`x-image-ref`); `x-unique-by` names the field list items are unique by.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { DIGEST_PATTERN } from '../artifacts/canonical-digest';

export type SchemaNode = TSchema;
export type ObjectSchema = TSchema & { readonly type: 'object'; readonly properties: Readonly<Record<string, SchemaNode>> };

export type ArtifactKindName =
  | 'PipelineSpec'
  | 'ExecutionProfile'
  | 'PipelineBundle'
  | 'Rollout'
  | 'Policy'
  | 'CompatMatrix'
  | 'Extension'
  | 'ReplaySet'
  | 'GatesManifest'
  | 'Example';

export interface ArtifactKindSchema {
  readonly kind: ArtifactKindName;
  /** The folder under `pipelines/` where artifacts of this kind live. */
  readonly folder: string;
  /** Whether the artifact is content-addressed (carries and is referenced by its digest). */
  readonly contentAddressed: boolean;
  readonly schema: ObjectSchema;
}

/** `<repository>@sha256:<64 hex>`: the only image reference that cannot move under us. */
export const PINNED_IMAGE_PATTERN = /^[a-z0-9]+(?:[._\-/:][a-z0-9]+)*@sha256:[0-9a-f]{64}$/;

const described = (doc: string | undefined) => (doc === undefined ? {} : { description: doc });

/** A string; non-empty unless `minLength` says otherwise. */
export function str(doc?: string, extra: { readonly pattern?: string; readonly minLength?: number; readonly const?: string } = {}): SchemaNode {
  if (extra.const !== undefined) return Type.Literal(extra.const, described(doc));
  return Type.String({ minLength: extra.minLength ?? 1, ...(extra.pattern !== undefined ? { pattern: extra.pattern } : {}), ...described(doc) });
}

/** A string from a fixed list. */
export function oneOf(values: readonly string[], doc?: string): SchemaNode {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    { 'x-enum': true, ...described(doc) },
  );
}

/** An integer, non-negative unless stated. */
export function int(doc?: string, minimum = 0, maximum?: number): SchemaNode {
  return Type.Integer({ minimum, ...(maximum !== undefined ? { maximum } : {}), ...described(doc) });
}

export function num(doc?: string, opts: { readonly minimum?: number; readonly maximum?: number } = {}): SchemaNode {
  return Type.Number({ ...opts, ...described(doc) });
}

export function bool(doc?: string, constValue?: boolean): SchemaNode {
  return constValue === undefined ? Type.Boolean(described(doc)) : Type.Literal(constValue, described(doc));
}

export function optional(schema: SchemaNode): SchemaNode {
  return Type.Optional(schema);
}

/** A closed mapping (unknown fields are errors unless `allowUnknown`). */
export function obj(properties: Record<string, SchemaNode>, doc?: string, opts: { readonly allowUnknown?: boolean } = {}): ObjectSchema {
  return Type.Object(properties, { ...(opts.allowUnknown ? {} : { additionalProperties: false }), ...described(doc) }) as unknown as ObjectSchema;
}

/** A mapping used as a map: keys from a list (`keys.enum`) or matching `keys.pattern`, values of one schema. */
export function mapOf(values: SchemaNode, opts: { readonly keys?: { readonly enum?: readonly string[]; readonly pattern?: string }; readonly minEntries?: number; readonly doc?: string }): SchemaNode {
  const pattern = opts.keys?.enum ? `^(?:${opts.keys.enum.map(escapeRegExp).join('|')})$` : (opts.keys?.pattern ?? '^.*$');
  return Type.Record(Type.String({ pattern }), values, {
    additionalProperties: false,
    ...(opts.keys?.enum ? { 'x-key-enum': opts.keys.enum } : {}),
    ...(opts.minEntries !== undefined ? { minProperties: opts.minEntries } : {}),
    ...described(opts.doc),
  });
}

/** A list; `unique` compares items by canonical JSON, `uniqueBy` by one field of each item. */
export function arrayOf(
  items: SchemaNode,
  opts: { readonly minItems?: number; readonly maxItems?: number; readonly unique?: boolean; readonly uniqueBy?: string; readonly doc?: string } = {},
): SchemaNode {
  return Type.Array(items, {
    ...(opts.minItems !== undefined ? { minItems: opts.minItems } : {}),
    ...(opts.maxItems !== undefined ? { maxItems: opts.maxItems } : {}),
    ...(opts.unique ? { uniqueItems: true } : {}),
    ...(opts.uniqueBy !== undefined ? { 'x-unique-by': opts.uniqueBy } : {}),
    ...described(opts.doc),
  });
}

/**
 * A reference to another artifact by content digest (`sha256:<64 hex>`). Names, tags, `latest`,
 * branch names — anything else — are mutable and refused.
 */
export function digestRef(refKind: ArtifactKindName, doc?: string): SchemaNode {
  return Type.String({ pattern: DIGEST_PATTERN.source, 'x-ref-kind': refKind, ...described(doc) });
}

/** A container image reference pinned by digest: `<repository>@sha256:<64 hex>`; tags are refused. */
export function imageRef(doc?: string): SchemaNode {
  return Type.String({ pattern: PINNED_IMAGE_PATTERN.source, 'x-image-ref': true, ...described(doc) });
}

/** The artifact's own recorded digest (checked against the computed one). */
export function selfDigest(doc?: string): SchemaNode {
  return Type.String({ pattern: DIGEST_PATTERN.source, 'x-self-digest': true, ...described(doc) });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
