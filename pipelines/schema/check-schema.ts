/**
 * Validates a parsed artifact against its schema (a TypeBox schema = JSON Schema, compiled once) and
 * reports every violation with its path, each with the one-line fix the author needs. It knows
 * nothing of files or lines; the validator attaches those.
 */
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { compiledValidator, type JsonSchemaDoc } from '../../runtime/contracts/v1';
import { canonicalJson } from '../artifacts/canonical-digest';
import type { ValuePath } from '../artifacts/yaml-source';
import type { SchemaNode } from './schema-language';

export { PINNED_IMAGE_PATTERN } from './schema-language';

export interface SchemaViolation {
  readonly path: ValuePath;
  readonly code: string;
  readonly message: string;
  readonly fix: string;
}

/** A schema node as this module reads it (JSON Schema keywords and our `x-*` marks). */
interface Node extends JsonSchemaDoc {
  readonly 'x-unique-by'?: string;
  readonly 'x-key-enum'?: readonly string[];
  readonly 'x-ref-kind'?: string;
  readonly 'x-image-ref'?: boolean;
  readonly 'x-self-digest'?: boolean;
}

const MUTABLE_WORDS = new Set(['latest', 'stable', 'main', 'master', 'head', 'dev', 'develop', 'current', 'next', 'edge', 'nightly']);

export function checkSchema(value: unknown, schema: SchemaNode, path: ValuePath = []): SchemaViolation[] {
  // An explicit `null` field reads as an absent one (YAML `field:` with nothing after it).
  const present = withoutNullFields(value, schema as Node);
  const out: SchemaViolation[] = [];
  const seen = new Set<string>();
  /** One problem per value: TypeBox may report a value twice (too short and off-pattern); the first counts. */
  const push = (v: SchemaViolation) => {
    const key = JSON.stringify(v.path);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(v);
  };
  const check = compiledValidator(schema);
  if (!check.Check(present)) {
    for (const e of check.Errors(present)) for (const v of toViolations(e, present, path)) push(v);
  }
  forEachNode(present, schema, path, (v, node, at) => {
    // (a duplicate is reported even where the value also has a type problem, as before)
    if (Array.isArray(v) && (node.uniqueItems || node['x-unique-by'] !== undefined)) out.push(...duplicates(v, node, at));
  });
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `'${value}'`;
  return `${typeof value} ${String(value)}`;
}

function about(schema: Node | undefined): string {
  return schema?.description ? ` (${schema.description})` : '';
}

function segmentsOf(pointer: string, base: ValuePath, root: unknown): ValuePath {
  const out: (string | number)[] = [...base];
  let value = root;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key = Array.isArray(value) ? Number(seg) : seg;
    out.push(key);
    value = typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[key] : undefined;
  }
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[seg] : undefined;
  }
  return value;
}

function toViolations(e: ValueError, root: unknown, base: ValuePath): SchemaViolation[] {
  const schema = e.schema as Node;
  const value = e.value;
  const path = segmentsOf(e.path, base, root);
  const fail = (code: string, message: string, fix: string): SchemaViolation[] => [{ path, code, message, fix }];
  if (e.type === ValueErrorType.ObjectRequiredProperty) {
    const name = String(path[path.length - 1]);
    return fail('schema.required', `required field '${name}' is missing`, `add '${name}'${about(schema)}`);
  }
  if (schema['x-ref-kind'] !== undefined) {
    return fail(
      'ref.mutable',
      `${describe(value)} is not a content digest; ${refusalReason(value)}`,
      `reference the ${schema['x-ref-kind']} by its digest, sha256:<64 lowercase hex> (\`npm run pipelines:validate -- --digests\` prints them)`,
    );
  }
  if (schema['x-image-ref']) {
    return fail('ref.mutable_image', `${describe(value)} is not pinned by digest; an image tag can be moved to different content`, 'write the image as <repository>@sha256:<64 hex> (a tag alone is refused)');
  }
  if (schema['x-self-digest']) {
    return fail('schema.pattern', `${describe(value)} is not a digest`, 'write the artifact digest printed by `npm run pipelines:validate -- --digests`');
  }
  switch (e.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      const parentPointer = e.path.slice(0, e.path.lastIndexOf('/'));
      const parentPath = path.slice(0, -1);
      if (schema.patternProperties) {
        // A map: every key outside its list or pattern (TypeBox stops at the first one).
        const pattern = Object.keys(schema.patternProperties)[0];
        const re = new RegExp(pattern);
        const keys = Object.keys((valueAt(root, parentPointer) ?? {}) as object).filter((k) => !re.test(k));
        const allowed = schema['x-key-enum'];
        return keys.map((key) =>
          allowed
            ? { path: [...parentPath, key], code: 'schema.key', message: `'${key}' is not an allowed key`, fix: `use one of ${allowed.join(', ')}` }
            : { path: [...parentPath, key], code: 'schema.key', message: `key '${key}' does not match ${pattern}`, fix: `rename the key to match ${pattern}` },
        );
      }
      const name = String(path[path.length - 1]);
      return fail('schema.unknown_field', `unknown field '${name}'`, `remove it, or use one of ${Object.keys(schema.properties ?? {}).join(', ')}`);
    }
    case ValueErrorType.Object:
      return schema.patternProperties
        ? fail('schema.type', `expected a mapping, found ${describe(value)}`, `write a mapping of name → value${about(schema)}`)
        : fail('schema.type', `expected a mapping, found ${describe(value)}`, `write a mapping with fields ${Object.keys(schema.properties ?? {}).join(', ')}${about(schema)}`);
    case ValueErrorType.ObjectMinProperties:
      return fail('schema.min_entries', `has ${Object.keys(value as object).length} entries, needs at least ${schema.minProperties}`, `add entries${about(schema)}`);
    case ValueErrorType.Array:
      return fail('schema.type', `expected a list, found ${describe(value)}`, `write a list${about(schema)}`);
    case ValueErrorType.ArrayMinItems:
      return fail('schema.min_items', `has ${(value as unknown[]).length} items, needs at least ${schema.minItems}`, `add items${about(schema)}`);
    case ValueErrorType.ArrayMaxItems:
      return fail('schema.max_items', `has ${(value as unknown[]).length} items, allows at most ${schema.maxItems}`, `remove items${about(schema)}`);
    case ValueErrorType.ArrayUniqueItems:
      return []; // reported per duplicate, with the index of the first, by `duplicates`
    case ValueErrorType.String:
      return fail('schema.type', `expected a string, found ${describe(value)}`, `write a string${about(schema)}`);
    case ValueErrorType.StringMinLength:
      return fail('schema.empty', 'is empty', `write a non-empty value${about(schema)}`);
    case ValueErrorType.StringPattern:
      return fail('schema.pattern', `'${String(value)}' does not match ${schema.pattern}`, `write a value matching ${schema.pattern}${about(schema)}`);
    case ValueErrorType.Union:
    case ValueErrorType.Literal: {
      if (schema.type === 'boolean' || typeof schema.const === 'boolean') {
        return typeof value !== 'boolean'
          ? fail('schema.type', `expected true or false, found ${describe(value)}`, `write true or false${about(schema)}`)
          : fail('schema.const', `must be ${String(schema.const)}`, `set it to ${String(schema.const)}`);
      }
      if (typeof value !== 'string') return fail('schema.type', `expected a string, found ${describe(value)}`, `write a string${about(schema)}`);
      if (schema['x-enum'] === undefined && schema.const !== undefined) return fail('schema.const', `must be '${String(schema.const)}', found '${value}'`, `set it to '${String(schema.const)}'`);
      if (value.length === 0) return fail('schema.empty', 'is empty', `write a non-empty value${about(schema)}`);
      const values = (schema.anyOf ?? [schema]).map((m) => String(m.const));
      return fail('schema.enum', `'${value}' is not one of ${values.join(', ')}`, `use one of ${values.join(', ')}`);
    }
    case ValueErrorType.Integer:
    case ValueErrorType.Number: {
      const what = e.type === ValueErrorType.Integer ? 'an integer' : 'a number';
      return fail('schema.type', `expected ${what}, found ${describe(value)}`, `write ${what}${about(schema)}`);
    }
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return fail('schema.minimum', `${String(value)} is below the minimum ${schema.minimum}`, `use a value ≥ ${schema.minimum}${about(schema)}`);
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return fail('schema.maximum', `${String(value)} is above the maximum ${schema.maximum}`, `use a value ≤ ${schema.maximum}${about(schema)}`);
    case ValueErrorType.Boolean:
      return fail('schema.type', `expected true or false, found ${describe(value)}`, `write true or false${about(schema)}`);
    default:
      return fail('schema.type', e.message, `correct the value${about(schema)}`);
  }
}

/** Items repeated in a `uniqueItems` (canonical JSON) or `x-unique-by` (one field) list, each with its first index. */
function duplicates(items: readonly unknown[], node: Node, path: ValuePath): SchemaViolation[] {
  const by = node['x-unique-by'];
  const out: SchemaViolation[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const key = by !== undefined ? (isRecord(item) ? item[by] : undefined) : item;
    if (key === undefined) return;
    const k = canonicalJsonOrString(key);
    const first = seen.get(k);
    if (first === undefined) {
      seen.set(k, i);
      return;
    }
    const what = by !== undefined ? `${by} ${describe(key)}` : describe(key);
    out.push({ path: by !== undefined ? [...path, i, by] : [...path, i], code: 'schema.duplicate', message: `duplicate ${what} (first at index ${first})`, fix: 'remove or rename the duplicate' });
  });
  return out;
}

/** Visits every present value alongside its schema node (objects by field, maps by key, lists by index). */
export function forEachNode(value: unknown, schema: SchemaNode | Node, path: ValuePath, visit: (value: unknown, node: Node, path: ValuePath) => void): void {
  if (value === undefined || value === null) return;
  const node = schema as Node;
  visit(value, node, path);
  if (node.properties && isRecord(value)) {
    for (const [name, field] of Object.entries(node.properties)) forEachNode(value[name], field, [...path, name], visit);
  } else if (node.patternProperties && isRecord(value)) {
    const values = Object.values(node.patternProperties)[0];
    for (const [key, v] of Object.entries(value)) forEachNode(v, values, [...path, key], visit);
  } else if (node.items && Array.isArray(value)) {
    value.forEach((item, i) => forEachNode(item, node.items!, [...path, i], visit));
  }
}

function withoutNullFields(value: unknown, node: Node): unknown {
  if (Array.isArray(value)) return node.items ? value.map((item) => withoutNullFields(item, node.items!)) : value;
  if (!isRecord(value)) return value;
  if (node.properties) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null && k in node.properties) continue;
      out[k] = k in node.properties ? withoutNullFields(v, node.properties[k]) : v;
    }
    return out;
  }
  if (node.patternProperties) {
    const values = Object.values(node.patternProperties)[0];
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNullFields(v, values)]));
  }
  return value;
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
