/**
 * Strict decoding against the contract schemas (`schema-dsl.ts`, TypeBox = JSON Schema): the
 * structure is checked by a validator compiled once per schema (TypeBox `TypeCompiler`), then the
 * schema-version major and the cross-field rules run over the objects that carry them. Unknown
 * fields, bad enum members, missing required fields, wrong types, out-of-range numbers and
 * unsupported schema versions are typed errors that name the JSON path
 * (`$.flow_control.watermarks.DataLane.high`). `validateAgainst` returns the first violation
 * (contracts.md §1: `validate()` returns the first violated rule; an unknown field first, then in
 * field declaration order); `problemsAgainst` returns every one.
 */
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { TSchema } from '@sinclair/typebox';
import { compiledValidator, enumValues, RULES, type Infer, type JsonSchemaDoc, type ObjectRule, type ObjectSchema } from './schema-dsl';

export type ContractErrorCode =
  | 'invalid_json'
  | 'wrong_type'
  | 'unknown_field'
  | 'missing_required'
  | 'bad_enum'
  | 'empty_string'
  | 'pattern_mismatch'
  | 'out_of_range'
  | 'not_integer'
  | 'duplicate_item'
  | 'too_few_items'
  | 'too_many_items'
  | 'const_mismatch'
  | 'unsupported_version'
  | 'rule_violation';

/** A decoding failure: a stable code, the JSON path, and (for cross-field rules) the rule id. */
export interface ContractError {
  readonly code: ContractErrorCode;
  /** JSONPath-like location, `$` is the document root. */
  readonly path: string;
  readonly message: string;
  /** Contract kind being decoded, e.g. `ControlSignal`. */
  readonly kind: string;
  /** Id of the violated cross-field rule (only for `rule_violation`). */
  readonly rule?: string;
}

export type DecodeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ContractError };

/** Thrown by `decodeOrThrow`; carries the typed error. */
export class ContractDecodeError extends Error {
  constructor(readonly error: ContractError) {
    super(`${error.kind} ${error.path}: ${error.message} [${error.code}${error.rule ? ` ${error.rule}` : ''}]`);
    this.name = 'ContractDecodeError';
  }
}

/** The only major version this module decodes. */
export const SUPPORTED_MAJOR_VERSION = 1;
export const SCHEMA_VERSION_PATTERN = '^v[0-9]+\\.[0-9]+(\\.[0-9]+)?$';

type Violation = { readonly code: ContractErrorCode; readonly path: string; readonly message: string; readonly rule?: string };

/** A schema node as the decoder reads it (JSON Schema keywords plus our `x-*` and rule symbol). */
type Node = JsonSchemaDoc & { readonly [RULES]?: readonly ObjectRule[] };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

// ---------- structural errors → contract errors ----------

function segmentsOf(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function childSchema(node: Node, segment: string): Node | undefined {
  if (node.properties && Object.prototype.hasOwnProperty.call(node.properties, segment)) return node.properties[segment];
  if (node.patternProperties) return Object.values(node.patternProperties)[0];
  if (node.items) return node.items;
  return undefined;
}

/** `$`-relative path (`.edge_buffer_policies.default.strategy`, `.merged_from_event_ids[2]`) of JSON pointer segments. */
function pathOf(root: unknown, segments: readonly string[]): string {
  let out = '';
  let value = root;
  for (const seg of segments) {
    out += Array.isArray(value) ? `[${seg}]` : `.${seg}`;
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}

function toViolation(root: Node, rootValue: unknown, e: ValueError): Violation {
  const segments = segmentsOf(e.path);
  const path = pathOf(rootValue, segments);
  const schema = e.schema as Node;
  const value = e.value;
  // A field present with the value `undefined` is a missing field (JSON cannot even carry it).
  const missing =
    e.type === ValueErrorType.ObjectRequiredProperty || (value === undefined && segments.length > 0 && e.type !== ValueErrorType.ObjectAdditionalProperties);
  switch (missing ? ValueErrorType.ObjectRequiredProperty : e.type) {
    case ValueErrorType.ObjectRequiredProperty: {
      let parent: Node | undefined = root;
      for (const seg of segments.slice(0, -1)) parent = parent && childSchema(parent, seg);
      return { code: 'missing_required', path, message: `${parent?.title ?? 'object'}.${segments[segments.length - 1]} is required` };
    }
    case ValueErrorType.ObjectAdditionalProperties: {
      const key = segments[segments.length - 1];
      if (schema.patternProperties) return { code: 'empty_string', path, message: 'key: must be a non-empty string' };
      return { code: 'unknown_field', path, message: `unknown field "${key}" in ${schema.title ?? 'object'}` };
    }
    case ValueErrorType.Object:
      return { code: 'wrong_type', path, message: schema.title ? `expected ${schema.title} object, got ${describe(value)}` : `expected object (map), got ${describe(value)}` };
    case ValueErrorType.ObjectMinProperties:
      return { code: 'too_few_items', path, message: `needs at least ${schema.minProperties} entr${schema.minProperties === 1 ? 'y' : 'ies'}` };
    case ValueErrorType.String:
      return { code: 'wrong_type', path, message: `expected string, got ${describe(value)}` };
    case ValueErrorType.StringMinLength:
      return { code: 'empty_string', path, message: 'must be a non-empty string' };
    case ValueErrorType.StringPattern:
      return { code: 'pattern_mismatch', path, message: `"${String(value)}" does not match ${schema.pattern}` };
    case ValueErrorType.Integer:
      return typeof value === 'number' && Number.isFinite(value)
        ? { code: 'not_integer', path, message: `expected integer, got ${value}` }
        : { code: 'wrong_type', path, message: `expected integer, got ${describe(value)}` };
    case ValueErrorType.IntegerMinimum:
      return { code: 'out_of_range', path, message: `must be >= ${schema.minimum}, got ${String(value)}` };
    case ValueErrorType.Boolean:
      return { code: 'wrong_type', path, message: `expected boolean, got ${describe(value)}` };
    case ValueErrorType.Array:
      return { code: 'wrong_type', path, message: `expected array, got ${describe(value)}` };
    case ValueErrorType.ArrayMinItems:
      return { code: 'too_few_items', path, message: `needs at least ${schema.minItems} item(s), got ${(value as unknown[]).length}` };
    case ValueErrorType.ArrayMaxItems:
      return { code: 'too_many_items', path, message: `allows at most ${schema.maxItems} item(s), got ${(value as unknown[]).length}` };
    case ValueErrorType.Union:
    case ValueErrorType.Literal: {
      const name = schema['x-enum'];
      if (name !== undefined) {
        return typeof value === 'string'
          ? { code: 'bad_enum', path, message: `"${value}" is not a ${name} (one of ${enumValues(schema).join(', ')})` }
          : { code: 'wrong_type', path, message: `expected ${name} string, got ${describe(value)}` };
      }
      return typeof value === 'boolean'
        ? { code: 'const_mismatch', path, message: `must be ${String(schema.const)}` }
        : { code: 'wrong_type', path, message: `expected ${typeof schema.const}, got ${describe(value)}` };
    }
    default:
      return { code: 'wrong_type', path, message: e.message };
  }
}

/** Every structural violation, once per path (a missing field is not also "not a string"). */
function structuralViolations(schema: TSchema, value: unknown): Violation[] {
  const out: Violation[] = [];
  const missing = new Set<string>();
  for (const e of compiledValidator(schema).Errors(value)) {
    if (missing.has(e.path)) continue;
    if (e.type === ValueErrorType.ObjectRequiredProperty) missing.add(e.path);
    out.push(toViolation(schema as Node, value, e));
  }
  return out;
}

// ---------- schema version and cross-field rules (after the structure holds) ----------

const MAJOR_PREFIX = `v${SUPPORTED_MAJOR_VERSION}.`;
const ANY_MAJOR = /^v[0-9]+\./;

function versionViolation(record: Record<string, unknown>): Violation | undefined {
  const v = record.schema_version;
  if (typeof v === 'string' && !v.startsWith(MAJOR_PREFIX) && ANY_MAJOR.test(v)) {
    return {
      code: 'unsupported_version',
      path: '.schema_version',
      message: `schema_version ${v} is not major v${SUPPORTED_MAJOR_VERSION}; decode it with the contracts module of its major`,
    };
  }
  return undefined;
}

/**
 * What is left to check on a node once its structure holds: its schema_version, the children that
 * have something to check, its own rules. Computed once per schema node; `undefined` = nothing.
 */
interface SemanticPlan {
  readonly version: boolean;
  /** Object fields with something to check, in declaration order. */
  readonly fields: readonly (readonly [string, SemanticPlan])[];
  /** Array items or map values with something to check. */
  readonly each?: SemanticPlan;
  /** Array items must be unique (`uniqueItems`; the compiled validator leaves it to this pass). */
  readonly unique: boolean;
  readonly rules: readonly ObjectRule[];
}

const plans = new WeakMap<object, SemanticPlan | null>();
function planOf(node: Node): SemanticPlan | undefined {
  const known = plans.get(node);
  if (known !== undefined) return known ?? undefined;
  plans.set(node, null); // (no recursive schemas; guards the computation anyway)
  const fields: (readonly [string, SemanticPlan])[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const p = planOf(child);
    if (p) fields.push([name, p]);
  }
  const eachNode = node.items ?? (node.patternProperties ? Object.values(node.patternProperties)[0] : undefined);
  const each = eachNode ? planOf(eachNode) : undefined;
  const rules = node[RULES] ?? [];
  const version = node.properties !== undefined && 'schema_version' in node.properties;
  const unique = node.uniqueItems === true;
  const plan: SemanticPlan | undefined = version || unique || fields.length > 0 || each !== undefined || rules.length > 0 ? { version, fields, each, unique, rules } : undefined;
  plans.set(node, plan ?? null);
  return plan;
}

function duplicateItem(items: readonly unknown[]): Violation | undefined {
  if (items.length < 2) return undefined;
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const key = typeof items[i] === 'string' ? (items[i] as string) : JSON.stringify(items[i]);
    if (seen.has(key)) return { code: 'duplicate_item', path: `[${i}]`, message: `duplicate item ${key}` };
    seen.add(key);
  }
  return undefined;
}

function prefixed(prefix: string, v: Violation | undefined): Violation | undefined {
  return v === undefined ? undefined : { ...v, path: prefix + v.path };
}

/**
 * The value's structure is valid: check versions and rules in the order of the former interpreter
 * (per object: its schema_version, then its fields in declaration order, then its own rules).
 */
function semanticViolation(plan: SemanticPlan, value: unknown): Violation | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    if (plan.each !== undefined) {
      for (let i = 0; i < value.length; i++) {
        const v = semanticViolation(plan.each, value[i]);
        if (v) return prefixed(`[${i}]`, v);
      }
    }
    return plan.unique ? duplicateItem(value) : undefined;
  }
  const record = value as Record<string, unknown>;
  if (plan.version) {
    const v = versionViolation(record);
    if (v) return v;
  }
  const fields = plan.fields;
  for (let i = 0; i < fields.length; i++) {
    const child = record[fields[i][0]];
    if (child === undefined) continue;
    const v = semanticViolation(fields[i][1], child);
    if (v) return prefixed(`.${fields[i][0]}`, v);
  }
  if (plan.each !== undefined) {
    for (const key in record) {
      const v = semanticViolation(plan.each, record[key]);
      if (v) return prefixed(`.${key}`, v);
    }
  }
  const rules = plan.rules;
  for (let i = 0; i < rules.length; i++) {
    const broken = rules[i].check(record);
    if (broken) return { code: 'rule_violation', path: broken.path, message: broken.message, rule: rules[i].id };
  }
  return undefined;
}

function semanticOf(schema: ObjectSchema, value: unknown): Violation | undefined {
  const plan = planOf(schema as Node);
  return plan === undefined ? undefined : semanticViolation(plan, value);
}

/**
 * Deep-frozen values (e.g. profile parts shared by every plan) cannot change after they validated,
 * so a successful check of one against a schema is remembered.
 */
const validFrozen = new WeakMap<object, ObjectSchema>();

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (!Object.isFrozen(value)) return false;
  for (const key in value) if (!isDeepFrozen((value as Record<string, unknown>)[key])) return false;
  return true;
}

/** An unknown top-level field (reported first, as the former interpreter did), found without the error walk. */
function unknownTopLevel(schema: ObjectSchema, value: unknown): Violation | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = schema.properties;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(fields, key) && Object.prototype.hasOwnProperty.call(value, key)) {
      return { code: 'unknown_field', path: `.${key}`, message: `unknown field "${key}" in ${schema.title}` };
    }
  }
  return undefined;
}

function firstViolation(schema: ObjectSchema, value: unknown): Violation | undefined {
  if (typeof value === 'object' && value !== null && validFrozen.get(value) === schema) return undefined;
  const check = compiledValidator(schema);
  if (!check.Check(value)) {
    // Invalid input stays cheap (hostile clients send it): the error walk stops at its first error.
    const unknown = unknownTopLevel(schema, value);
    if (unknown) return unknown;
    const version = typeof value === 'object' && value !== null ? versionViolation(value as Record<string, unknown>) : undefined;
    if (version) return version;
    const first = check.Errors(value).First();
    return first ? toViolation(schema as Node, value, first) : { code: 'wrong_type', path: '', message: `not a valid ${schema.title}` };
  }
  const violation = semanticOf(schema, value);
  if (violation === undefined && Object.isFrozen(value) && isDeepFrozen(value)) validFrozen.set(value as object, schema);
  return violation;
}

const located = (schema: ObjectSchema, v: Violation): ContractError => ({ ...v, path: `$${v.path}`, kind: schema.title });

/**
 * Every violation of a value (the structural ones at once; the cross-field rules only once the
 * structure holds, since they read fields the structure guarantees).
 */
export function problemsAgainst(schema: ObjectSchema, value: unknown): ContractError[] {
  if (!compiledValidator(schema).Check(value)) return structuralViolations(schema, value).map((v) => located(schema, v));
  const v = semanticOf(schema, value);
  return v ? [located(schema, v)] : [];
}

/** Validate an already-parsed value; returns the first violation, or undefined when valid. */
export function validateAgainst(schema: ObjectSchema, value: unknown): ContractError | undefined {
  const v = firstViolation(schema, value);
  return v ? located(schema, v) : undefined;
}

/**
 * Decode `json` (a JSON text or an already-parsed value) as the given contract. On success the
 * value is returned as is (it has been proven to hold only schema fields).
 */
export function decodeWith<S extends ObjectSchema>(schema: S, json: unknown): DecodeResult<Infer<S>> {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      return { ok: false, error: { code: 'invalid_json', path: '$', message: (e as Error).message, kind: schema.title } };
    }
  }
  const error = validateAgainst(schema, value);
  return error ? { ok: false, error } : { ok: true, value: value as Infer<S> };
}
