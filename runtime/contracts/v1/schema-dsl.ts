/**
 * The contract schemas are TypeBox schemas, i.e. JSON Schema documents (draft 2020-12 keywords), so
 * two versions are compared as JSON Schema by `compatibility.ts`, published as `schemas/*.json`, and
 * compiled into a validator by `strict-decoder.ts`. TypeScript types are derived with `Infer<>` (so a
 * type can never drift from its schema). These builders only fix the contract conventions (strings
 * non-empty, integers non-negative, objects closed) so the schema files read as the tables of
 * `contracts.md`. Cross-field rules (the "cond" columns, D1-D10…) are named functions attached to
 * object schemas; the JSON document carries them as `x-rules` (id + parameters), which is what the
 * compatibility checker compares.
 */
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Type, type Static, type TArray, type TBoolean, type TInteger, type TLiteral, type TObject, type TOptional, type TProperties, type TRecord, type TSchema, type TString, type TUnion } from '@sinclair/typebox';

/** Where an object schema keeps its rule functions (a symbol: never part of the JSON document). */
export const RULES: unique symbol = Symbol.for('rspp.contracts.rules');

/** A violated cross-field rule: where, and what. `path` is relative to the object (e.g. `.reason`). */
export interface RuleViolation {
  readonly path: string;
  readonly message: string;
}

export interface ObjectRule<T = any> {
  /** Stable id, e.g. `D3` or `control_signal.abort_reason`; compared by the compatibility checker. */
  readonly id: string;
  readonly check: (value: T) => RuleViolation | undefined;
  /** The data the rule is parameterised by (e.g. the signal registry); compared canonically. */
  readonly params?: unknown;
}

/** The JSON form of a rule inside a schema document. */
export interface RuleRef {
  readonly id: string;
  readonly params?: unknown;
}

/** A contract schema as a JSON Schema document (what the checker reads; symbols and functions ignored). */
export interface JsonSchemaDoc {
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly properties?: { readonly [name: string]: JsonSchemaDoc };
  readonly required?: readonly string[];
  readonly patternProperties?: { readonly [pattern: string]: JsonSchemaDoc };
  readonly items?: JsonSchemaDoc;
  readonly anyOf?: readonly JsonSchemaDoc[];
  readonly const?: unknown;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minProperties?: number;
  /** An enum (a union of constants): its name in messages, or `true` when unnamed. */
  readonly 'x-enum'?: string | true;
  readonly 'x-rules'?: readonly RuleRef[];
}

const compiledValidators = new WeakMap<object, TypeCheck<TSchema>>();

/**
 * A copy of a schema without `uniqueItems`, for the compiled validator: TypeBox checks uniqueness by
 * hashing every item (FNV-1a over a serialisation), which profiled as the costliest part of a contract
 * check; the callers check uniqueness themselves, with their own messages, once the structure holds.
 */
function withoutUniqueItems(schema: TSchema): TSchema {
  const copy: Record<string | symbol, unknown> = {};
  for (const key of Reflect.ownKeys(schema)) {
    if (key === 'uniqueItems') continue;
    const v = (schema as unknown as Record<string | symbol, unknown>)[key];
    if (key === 'properties' || key === 'patternProperties') {
      copy[key] = Object.fromEntries(Object.entries(v as Record<string, TSchema>).map(([k, child]) => [k, withoutUniqueItems(child)]));
    } else if (key === 'items') {
      copy[key] = withoutUniqueItems(v as TSchema);
    } else if (key === 'anyOf') {
      copy[key] = (v as TSchema[]).map(withoutUniqueItems);
    } else {
      copy[key] = v;
    }
  }
  return copy as unknown as TSchema;
}

/** The compiled validator of a schema (TypeBox `TypeCompiler`; uniqueness is the caller's), built once per schema object. */
export function compiledValidator(schema: TSchema): TypeCheck<TSchema> {
  let check = compiledValidators.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(withoutUniqueItems(schema));
    compiledValidators.set(schema, check);
  }
  return check;
}

export type Fields = TProperties;
export type Schema = TSchema;

/** A contract object: a closed JSON Schema object with a title, its rules as data and as functions. */
export type ObjectSchema<F extends TProperties = TProperties> = TObject<F> & {
  readonly title: string;
  readonly 'x-rules': readonly RuleRef[];
  readonly [RULES]: readonly ObjectRule[];
};

/** An enum: a union of string constants, named by `x-enum` (error messages say "is not a Lane"). */
export type EnumSchema<V extends string = string> = TUnion<TLiteral<V>[]> & { readonly 'x-enum': string };

// ---------- builders ----------

export function str(opts: { readonly minLength?: number; readonly pattern?: string } = {}): TString {
  return Type.String({ minLength: opts.minLength ?? 1, ...(opts.pattern !== undefined ? { pattern: opts.pattern } : {}) });
}

/** A non-negative integer unless `min` says otherwise. */
export function int(opts: { readonly min?: number } = {}): TInteger {
  return Type.Integer({ minimum: opts.min ?? 0 });
}

/** An integer that may be negative (e.g. a seed). */
export function signedInt(): TInteger {
  return Type.Integer();
}

export function bool(): TBoolean;
export function bool<C extends boolean>(constValue: C): TLiteral<C>;
export function bool(constValue?: boolean): TBoolean | TLiteral<boolean> {
  return constValue === undefined ? Type.Boolean() : Type.Literal(constValue);
}

export function enumOf<const V extends string>(name: string, values: readonly V[]): EnumSchema<V> {
  // (a one-member union is its literal: `const` instead of `anyOf`, still marked `x-enum`)
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    { 'x-enum': name },
  ) as unknown as EnumSchema<V>;
}

/** The members of an enum schema (`anyOf` of constants, or one `const`). */
export function enumValues(schema: { readonly anyOf?: readonly { readonly const?: unknown }[]; readonly const?: unknown }): string[] {
  return (schema.anyOf ?? [schema]).map((m) => String(m.const));
}

export function arrayOf<I extends TSchema>(
  items: I,
  opts: { readonly minItems?: number; readonly maxItems?: number; readonly unique?: boolean } = {},
): TArray<I> {
  return Type.Array(items, {
    ...(opts.minItems !== undefined ? { minItems: opts.minItems } : {}),
    ...(opts.maxItems !== undefined ? { maxItems: opts.maxItems } : {}),
    ...(opts.unique ? { uniqueItems: true } : {}),
  });
}

/** A JSON object used as a map from non-empty string keys to values. */
export function mapOf<V extends TSchema>(values: V, opts: { readonly minEntries?: number } = {}): TRecord<TString, V> {
  return Type.Record(Type.String({ pattern: '^.+$' }), values, {
    additionalProperties: false,
    ...(opts.minEntries !== undefined ? { minProperties: opts.minEntries } : {}),
  });
}

export function req<S extends TSchema>(schema: S): S {
  return schema;
}

export function opt<S extends TSchema>(schema: S): TOptional<S> {
  return Type.Optional(schema) as TOptional<S>;
}

export function obj<const F extends TProperties, T = Infer<TObject<F>>>(name: string, fields: F, rules: readonly ObjectRule<T>[] = []): ObjectSchema<F> {
  const schema = Type.Object(fields, {
    title: name,
    additionalProperties: false,
    'x-rules': rules.map((r) => (r.params === undefined ? { id: r.id } : { id: r.id, params: r.params })),
  });
  return Object.assign(schema, { [RULES]: rules as readonly ObjectRule[] }) as unknown as ObjectSchema<F>;
}

// ---------- type derivation ----------

type DeepReadonly<T> = T extends string | number | boolean | bigint | null | undefined
  ? T
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : { readonly [K in keyof T]: DeepReadonly<T[K]> };

/** The TypeScript type of a schema (readonly all the way down: decoded contracts are not edited). */
export type Infer<S extends TSchema> = DeepReadonly<Static<S>>;
export type InferFields<F extends TProperties> = Infer<TObject<F>>;
