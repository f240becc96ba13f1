/**
 * Interprets the schema language over a parsed artifact and reports every violation with its path.
 * It knows nothing of files or lines; the validator attaches those.
 */
import { canonicalJson, DIGEST_PATTERN } from '../artifacts/canonical-digest';
import type { ValuePath } from '../artifacts/yaml-source';
import type { SchemaNode, ObjectSchema } from './schema-language';

export interface SchemaViolation {
  readonly path: ValuePath;
  readonly code: string;
  readonly message: string;
  readonly fix: string;
}

/** `<repository>@sha256:<64 hex>`: the only image reference that cannot move under us. */
export const PINNED_IMAGE_PATTERN = /^[a-z0-9]+(?:[._\-/:][a-z0-9]+)*@sha256:[0-9a-f]{64}$/;

const MUTABLE_WORDS = new Set(['latest', 'stable', 'main', 'master', 'head', 'dev', 'develop', 'current', 'next', 'edge', 'nightly']);

export function checkSchema(value: unknown, schema: SchemaNode, path: ValuePath = []): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  check(value, schema, path, out);
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `'${value}'`;
  return `${typeof value} ${String(value)}`;
}

function about(schema: SchemaNode): string {
  return schema.doc ? ` (${schema.doc})` : '';
}

function check(value: unknown, schema: SchemaNode, path: ValuePath, out: SchemaViolation[]): void {
  const fail = (code: string, message: string, fix: string): void => {
    out.push({ path, code, message, fix });
  };
  switch (schema.type) {
    case 'object': {
      if (!isRecord(value)) return fail('schema.type', `expected a mapping, found ${describe(value)}`, `write a mapping with fields ${Object.keys(schema.properties).join(', ')}${about(schema)}`);
      checkObject(value, schema, path, out);
      return;
    }
    case 'map': {
      if (!isRecord(value)) return fail('schema.type', `expected a mapping, found ${describe(value)}`, `write a mapping of name → value${about(schema)}`);
      const keys = Object.keys(value);
      if (schema.minEntries !== undefined && keys.length < schema.minEntries) {
        fail('schema.min_entries', `has ${keys.length} entries, needs at least ${schema.minEntries}`, `add entries${about(schema)}`);
      }
      for (const key of keys) {
        if (schema.keys?.enum && !schema.keys.enum.includes(key)) {
          out.push({ path: [...path, key], code: 'schema.key', message: `'${key}' is not an allowed key`, fix: `use one of ${schema.keys.enum.join(', ')}` });
          continue;
        }
        if (schema.keys?.pattern && !new RegExp(schema.keys.pattern).test(key)) {
          out.push({ path: [...path, key], code: 'schema.key', message: `key '${key}' does not match ${schema.keys.pattern}`, fix: `rename the key to match ${schema.keys.pattern}` });
          continue;
        }
        check(value[key], schema.values, [...path, key], out);
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) return fail('schema.type', `expected a list, found ${describe(value)}`, `write a list${about(schema)}`);
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        fail('schema.min_items', `has ${value.length} items, needs at least ${schema.minItems}`, `add items${about(schema)}`);
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        fail('schema.max_items', `has ${value.length} items, allows at most ${schema.maxItems}`, `remove items${about(schema)}`);
      }
      const seen = new Map<string, number>();
      value.forEach((item, i) => {
        check(item, schema.items, [...path, i], out);
        if (!schema.unique && !schema.uniqueBy) return;
        const key = schema.uniqueBy ? (isRecord(item) ? item[schema.uniqueBy] : undefined) : item;
        if (key === undefined) return;
        const k = canonicalJsonOrString(key);
        const first = seen.get(k);
        if (first !== undefined) {
          const what = schema.uniqueBy ? `${schema.uniqueBy} ${describe(key)}` : describe(key);
          out.push({ path: schema.uniqueBy ? [...path, i, schema.uniqueBy] : [...path, i], code: 'schema.duplicate', message: `duplicate ${what} (first at index ${first})`, fix: 'remove or rename the duplicate' });
        } else {
          seen.set(k, i);
        }
      });
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return fail('schema.type', `expected a string, found ${describe(value)}`, `write a string${about(schema)}`);
      if (schema.const !== undefined && value !== schema.const) return fail('schema.const', `must be '${schema.const}', found '${value}'`, `set it to '${schema.const}'`);
      if (value.length < (schema.minLength ?? 1)) return fail('schema.empty', 'is empty', `write a non-empty value${about(schema)}`);
      if (schema.enum && !schema.enum.includes(value)) return fail('schema.enum', `'${value}' is not one of ${schema.enum.join(', ')}`, `use one of ${schema.enum.join(', ')}`);
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) return fail('schema.pattern', `'${value}' does not match ${schema.pattern}`, `write a value matching ${schema.pattern}${about(schema)}`);
      return;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value) || (schema.type === 'integer' && !Number.isInteger(value))) {
        return fail('schema.type', `expected ${schema.type === 'integer' ? 'an integer' : 'a number'}, found ${describe(value)}`, `write ${schema.type === 'integer' ? 'an integer' : 'a number'}${about(schema)}`);
      }
      const min = schema.minimum ?? (schema.type === 'integer' ? 0 : undefined);
      if (min !== undefined && value < min) return fail('schema.minimum', `${value} is below the minimum ${min}`, `use a value ≥ ${min}${about(schema)}`);
      if (schema.maximum !== undefined && value > schema.maximum) return fail('schema.maximum', `${value} is above the maximum ${schema.maximum}`, `use a value ≤ ${schema.maximum}${about(schema)}`);
      return;
    }
    case 'boolean': {
      if (typeof value !== 'boolean') return fail('schema.type', `expected true or false, found ${describe(value)}`, `write true or false${about(schema)}`);
      if (schema.const !== undefined && value !== schema.const) return fail('schema.const', `must be ${schema.const}`, `set it to ${schema.const}`);
      return;
    }
    case 'digest_ref': {
      if (typeof value === 'string' && DIGEST_PATTERN.test(value)) return;
      return fail(
        'ref.mutable',
        `${describe(value)} is not a content digest; ${refusalReason(value)}`,
        `reference the ${schema.refKind} by its digest, sha256:<64 lowercase hex> (\`npm run pipelines:validate -- --digests\` prints them)`,
      );
    }
    case 'image_ref': {
      if (typeof value === 'string' && PINNED_IMAGE_PATTERN.test(value)) return;
      return fail('ref.mutable_image', `${describe(value)} is not pinned by digest; an image tag can be moved to different content`, 'write the image as <repository>@sha256:<64 hex> (a tag alone is refused)');
    }
    case 'self_digest': {
      if (typeof value === 'string' && DIGEST_PATTERN.test(value)) return;
      return fail('schema.pattern', `${describe(value)} is not a digest`, 'write the artifact digest printed by `npm run pipelines:validate -- --digests`');
    }
  }
}

function refusalReason(value: unknown): string {
  if (typeof value !== 'string') return 'references are digests';
  const lower = value.toLowerCase();
  const tag = lower.includes(':') && !lower.startsWith('sha256:') ? lower.split(':').pop()! : lower;
  if (MUTABLE_WORDS.has(tag)) return `'${tag}' names whatever is current and moves; mutable references are refused`;
  if (lower.startsWith('sha256:')) return 'a digest is sha256: followed by exactly 64 lowercase hex characters';
  if (value.includes('/') || lower.startsWith('refs/')) return 'a branch or path can point at different content tomorrow; mutable references are refused';
  return 'a name or tag can be re-pointed at different content; mutable references are refused';
}

function checkObject(value: Record<string, unknown>, schema: ObjectSchema, path: ValuePath, out: SchemaViolation[]): void {
  for (const [name, field] of Object.entries(schema.properties)) {
    if (value[name] === undefined || value[name] === null) {
      if (field.required === false) continue;
      out.push({ path: [...path, name], code: 'schema.required', message: `required field '${name}' is missing`, fix: `add '${name}'${about(field)}` });
      continue;
    }
    check(value[name], field, [...path, name], out);
  }
  if (schema.allowUnknown) return;
  for (const name of Object.keys(value)) {
    if (!(name in schema.properties)) {
      out.push({ path: [...path, name], code: 'schema.unknown_field', message: `unknown field '${name}'`, fix: `remove it, or use one of ${Object.keys(schema.properties).join(', ')}` });
    }
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function canonicalJsonOrString(value: unknown): string {
  try {
    return canonicalJson(value);
  } catch {
    return String(value);
  }
}
