/**
 * The small schema language the artifact schemas are written in. Schemas are plain data (see
 * `artifact-schemas.ts`); `check-schema.ts` interprets them. A purpose-built language rather than JSON
 * Schema because every rule must carry the one-line fix a reader needs, and because two rules are
 * domain rules no generic validator knows: digest references and digest-pinned images.
 */

interface Described {
  /** What the field is, for the fix text of a problem ("the turn budget in ms"). */
  readonly doc?: string;
}

export interface ObjectSchema extends Described {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, FieldSchema>>;
  /** Unknown fields are errors unless this is true (strict by default, like the contracts). */
  readonly allowUnknown?: boolean;
}

export type FieldSchema = SchemaNode & {
  /** @default true */
  readonly required?: boolean;
};

/** An object used as a map: any keys (matching `keys` if given), values of one schema. */
export interface MapSchema extends Described {
  readonly type: 'map';
  readonly keys?: { readonly enum?: readonly string[]; readonly pattern?: string };
  readonly values: SchemaNode;
  readonly minEntries?: number;
}

export interface ArraySchema extends Described {
  readonly type: 'array';
  readonly items: SchemaNode;
  readonly minItems?: number;
  readonly maxItems?: number;
  /** Items (compared by canonical JSON, or by `uniqueBy` field) must be unique. */
  readonly unique?: boolean;
  readonly uniqueBy?: string;
}

export interface StringSchema extends Described {
  readonly type: 'string';
  readonly enum?: readonly string[];
  readonly pattern?: string;
  /** @default 1: an empty string is never a value */
  readonly minLength?: number;
  readonly const?: string;
}

export interface IntegerSchema extends Described {
  readonly type: 'integer';
  /** @default 0: integers are non-negative unless stated */
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface NumberSchema extends Described {
  readonly type: 'number';
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface BooleanSchema extends Described {
  readonly type: 'boolean';
  readonly const?: boolean;
}

/**
 * A reference to another artifact by content digest (`sha256:<64 hex>`). Names, tags, `latest`,
 * branch names — anything else — are mutable and refused.
 */
export interface DigestRefSchema extends Described {
  readonly type: 'digest_ref';
  /** The kind the digest must name (checked by the cross-reference pass). */
  readonly refKind: ArtifactKindName;
}

/** A container image reference pinned by digest: `<repository>@sha256:<64 hex>`; tags are refused. */
export interface ImageRefSchema extends Described {
  readonly type: 'image_ref';
}

/** The artifact's own recorded digest (checked against the computed one). */
export interface SelfDigestSchema extends Described {
  readonly type: 'self_digest';
}

export type SchemaNode =
  | ObjectSchema
  | MapSchema
  | ArraySchema
  | StringSchema
  | IntegerSchema
  | NumberSchema
  | BooleanSchema
  | DigestRefSchema
  | ImageRefSchema
  | SelfDigestSchema;

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
