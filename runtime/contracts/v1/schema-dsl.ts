/**
 * A tiny schema language: contracts are plain data (so two versions can be compared by
 * `compatibility.ts`), and TypeScript types are derived from them with `Infer<>` (so a type
 * can never drift from its schema). Cross-field rules (`contracts.md` "cond" columns, D1-D10…)
 * are named functions attached to object schemas; the compatibility checker compares them by id.
 */

export interface StringSchema {
  readonly kind: 'string';
  /** @default 1 (empty strings are rejected where a value is required, contracts.md §1) */
  readonly minLength: number;
  readonly pattern?: string;
}

export interface IntSchema {
  readonly kind: 'int';
  /** @default 0 (integers are non-negative unless noted) */
  readonly min?: number;
}

export interface BoolSchema {
  readonly kind: 'bool';
  readonly const?: boolean;
}

export interface EnumSchema<V extends string = string> {
  readonly kind: 'enum';
  readonly name: string;
  readonly values: readonly V[];
}

export interface ArraySchema<I extends Schema = Schema> {
  readonly kind: 'array';
  readonly items: I;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly unique?: boolean;
}

/** A JSON object used as a map; keys are free strings or members of an enum. */
export interface MapSchema<K extends StringSchema | EnumSchema = StringSchema | EnumSchema, V extends Schema = Schema> {
  readonly kind: 'map';
  readonly keys: K;
  readonly values: V;
  readonly minEntries?: number;
}

export interface FieldSpec<S extends Schema = Schema, R extends boolean = boolean> {
  readonly schema: S;
  readonly required: R;
}

export type Fields = { readonly [name: string]: FieldSpec };

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

export interface ObjectSchema<F extends Fields = Fields> {
  readonly kind: 'object';
  readonly name: string;
  readonly fields: F;
  readonly rules: readonly ObjectRule[];
}

export type Schema = StringSchema | IntSchema | BoolSchema | EnumSchema | ArraySchema<any> | MapSchema<any, any> | ObjectSchema<any>;

// ---------- builders ----------

export function str(opts: { readonly minLength?: number; readonly pattern?: string } = {}): StringSchema {
  return { kind: 'string', minLength: opts.minLength ?? 1, ...(opts.pattern !== undefined ? { pattern: opts.pattern } : {}) };
}

export function int(opts: { readonly min?: number } = {}): IntSchema {
  return { kind: 'int', min: opts.min ?? 0 };
}

/** An integer that may be negative (e.g. a seed). */
export function signedInt(): IntSchema {
  return { kind: 'int' };
}

export function bool(constValue?: boolean): BoolSchema {
  return constValue === undefined ? { kind: 'bool' } : { kind: 'bool', const: constValue };
}

export function enumOf<const V extends string>(name: string, values: readonly V[]): EnumSchema<V> {
  return { kind: 'enum', name, values };
}

export function arrayOf<I extends Schema>(
  items: I,
  opts: { readonly minItems?: number; readonly maxItems?: number; readonly unique?: boolean } = {},
): ArraySchema<I> {
  return { kind: 'array', items, ...opts };
}

export function mapOf<K extends StringSchema | EnumSchema, V extends Schema>(
  keys: K,
  values: V,
  opts: { readonly minEntries?: number } = {},
): MapSchema<K, V> {
  return { kind: 'map', keys, values, ...opts };
}

export function req<S extends Schema>(schema: S): FieldSpec<S, true> {
  return { schema, required: true };
}

export function opt<S extends Schema>(schema: S): FieldSpec<S, false> {
  return { schema, required: false };
}

export function obj<const F extends Fields, T = InferFields<F>>(
  name: string,
  fields: F,
  rules: readonly ObjectRule<T>[] = [],
): ObjectSchema<F> {
  return { kind: 'object', name, fields, rules };
}

// ---------- type derivation ----------

type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K]['required'] extends true ? K : never }[keyof F];
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K]['required'] extends true ? never : K }[keyof F];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type InferFields<F extends Fields> = Simplify<
  { readonly [K in RequiredKeys<F>]: Infer<F[K]['schema']> } & { readonly [K in OptionalKeys<F>]?: Infer<F[K]['schema']> }
>;

export type Infer<S> = S extends StringSchema
  ? string
  : S extends IntSchema
    ? number
    : S extends BoolSchema
      ? boolean
      : S extends EnumSchema<infer V>
        ? V
        : S extends ArraySchema<infer I>
          ? readonly Infer<I>[]
          : S extends MapSchema<infer K, infer V>
            ? K extends EnumSchema<infer KV>
              ? { readonly [P in KV]?: Infer<V> }
              : { readonly [key: string]: Infer<V> }
            : S extends ObjectSchema<infer F>
              ? InferFields<F>
              : never;
