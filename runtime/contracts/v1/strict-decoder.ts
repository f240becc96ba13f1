/**
 * Strict decoding against a schema of `schema-dsl.ts`: unknown fields, bad enum members, missing
 * required fields, wrong types, out-of-range numbers and unsupported schema versions are typed
 * errors that name the JSON path (`$.flow_control.watermarks.DataLane.high`). The first violation
 * wins (contracts.md §1: `validate()` returns the first violated rule), in field declaration order.
 */
import type { Infer, ObjectSchema, Schema } from './schema-dsl';

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

const patternCache = new Map<string, RegExp>();
function regexFor(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern);
    patternCache.set(pattern, re);
  }
  return re;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Paths are built only when a violation unwinds (each level prefixes its segment), so validating a
 * valid value allocates no path strings: the engine validates every signal it emits.
 */
function within(prefix: string, v: Violation | undefined): Violation | undefined {
  return v === undefined ? undefined : { ...v, path: prefix + v.path };
}

function check(schema: Schema, value: unknown): Violation | undefined {
  switch (schema.kind) {
    case 'string': {
      if (typeof value !== 'string') return { code: 'wrong_type', path: '', message: `expected string, got ${describe(value)}` };
      if (value.length < schema.minLength) return { code: 'empty_string', path: '', message: 'must be a non-empty string' };
      if (schema.pattern !== undefined && !regexFor(schema.pattern).test(value)) {
        return { code: 'pattern_mismatch', path: '', message: `"${value}" does not match ${schema.pattern}` };
      }
      return undefined;
    }
    case 'int': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return { code: 'wrong_type', path: '', message: `expected integer, got ${describe(value)}` };
      if (!Number.isInteger(value)) return { code: 'not_integer', path: '', message: `expected integer, got ${value}` };
      if (schema.min !== undefined && value < schema.min) return { code: 'out_of_range', path: '', message: `must be >= ${schema.min}, got ${value}` };
      return undefined;
    }
    case 'bool': {
      if (typeof value !== 'boolean') return { code: 'wrong_type', path: '', message: `expected boolean, got ${describe(value)}` };
      if (schema.const !== undefined && value !== schema.const) return { code: 'const_mismatch', path: '', message: `must be ${schema.const}` };
      return undefined;
    }
    case 'enum': {
      if (typeof value !== 'string') return { code: 'wrong_type', path: '', message: `expected ${schema.name} string, got ${describe(value)}` };
      if (!schema.values.includes(value)) {
        return { code: 'bad_enum', path: '', message: `"${value}" is not a ${schema.name} (one of ${schema.values.join(', ')})` };
      }
      return undefined;
    }
    case 'array': {
      if (!Array.isArray(value)) return { code: 'wrong_type', path: '', message: `expected array, got ${describe(value)}` };
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        return { code: 'too_few_items', path: '', message: `needs at least ${schema.minItems} item(s), got ${value.length}` };
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        return { code: 'too_many_items', path: '', message: `allows at most ${schema.maxItems} item(s), got ${value.length}` };
      }
      for (let i = 0; i < value.length; i++) {
        const v = check(schema.items, value[i]);
        if (v) return within(`[${i}]`, v);
      }
      if (schema.unique && value.length > 1) {
        const seen = new Set<string>();
        for (let i = 0; i < value.length; i++) {
          const key = typeof value[i] === 'string' ? (value[i] as string) : JSON.stringify(value[i]);
          if (seen.has(key)) return { code: 'duplicate_item', path: `[${i}]`, message: `duplicate item ${key}` };
          seen.add(key);
        }
      }
      return undefined;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { code: 'wrong_type', path: '', message: `expected object (map), got ${describe(value)}` };
      }
      const record = value as Record<string, unknown>;
      let entries = 0;
      for (const key in record) {
        if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
        entries++;
        const kv = check(schema.keys, key);
        if (kv) return { ...kv, path: `.${key}`, message: `key: ${kv.message}` };
        const vv = check(schema.values, record[key]);
        if (vv) return within(`.${key}`, vv);
      }
      if (schema.minEntries !== undefined && entries < schema.minEntries) {
        return { code: 'too_few_items', path: '', message: `needs at least ${schema.minEntries} entr${schema.minEntries === 1 ? 'y' : 'ies'}` };
      }
      return undefined;
    }
    case 'object':
      return checkObject(schema, value);
  }
}

const MAJOR_PREFIX = `v${SUPPORTED_MAJOR_VERSION}.`;

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

function checkObject(schema: ObjectSchema, value: unknown): Violation | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { code: 'wrong_type', path: '', message: `expected ${schema.name} object, got ${describe(value)}` };
  }
  if (validFrozen.get(value) === schema) return undefined;
  const violation = checkObjectFields(schema, value);
  if (violation === undefined && Object.isFrozen(value) && isDeepFrozen(value)) validFrozen.set(value, schema);
  return violation;
}

function checkObjectFields(schema: ObjectSchema, value: object): Violation | undefined {
  const record = value as Record<string, unknown>;
  const fields = schema.fields;
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(fields, key) && Object.prototype.hasOwnProperty.call(record, key)) {
      return { code: 'unknown_field', path: `.${key}`, message: `unknown field "${key}" in ${schema.name}` };
    }
  }
  for (const name in fields) {
    const field = fields[name];
    const v = record[name];
    if (v === undefined) {
      if (field.required) return { code: 'missing_required', path: `.${name}`, message: `${schema.name}.${name} is required` };
      continue;
    }
    if (name === 'schema_version' && typeof v === 'string' && !v.startsWith(MAJOR_PREFIX) && /^v[0-9]+\./.test(v)) {
      return {
        code: 'unsupported_version',
        path: `.${name}`,
        message: `schema_version ${v} is not major v${SUPPORTED_MAJOR_VERSION}; decode it with the contracts module of its major`,
      };
    }
    const fv = check(field.schema, v);
    if (fv) return within(`.${name}`, fv);
  }
  const rules = schema.rules;
  for (let i = 0; i < rules.length; i++) {
    const broken = rules[i].check(record);
    if (broken) return { code: 'rule_violation', path: broken.path, message: broken.message, rule: rules[i].id };
  }
  return undefined;
}

/** Validate an already-parsed value; returns the first violation, or undefined when valid. */
export function validateAgainst(schema: ObjectSchema, value: unknown): ContractError | undefined {
  const v = check(schema, value);
  return v ? { ...v, path: `$${v.path}`, kind: schema.name } : undefined;
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
      return { ok: false, error: { code: 'invalid_json', path: '$', message: (e as Error).message, kind: schema.name } };
    }
  }
  const error = validateAgainst(schema, value);
  return error ? { ok: false, error } : { ok: true, value: value as Infer<S> };
}
