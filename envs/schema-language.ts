/**
 * A tiny declarative schema for plain config objects that reports EVERY problem, each as
 * `<path>: <what is wrong>; <what is allowed>`. Hand-written rather than ajv so messages read like
 * the fix (ajv's are generic and stop at type boundaries).
 */

export type Spec =
  | { readonly kind: 'string'; readonly optional?: boolean; readonly describe: string; readonly test?: (v: string) => string | undefined }
  | { readonly kind: 'enum'; readonly optional?: boolean; readonly values: readonly string[]; readonly hint?: string }
  | { readonly kind: 'int'; readonly optional?: boolean; readonly min: number; readonly max: number }
  | { readonly kind: 'boolean'; readonly optional?: boolean }
  | { readonly kind: 'object'; readonly optional?: boolean; readonly fields: Readonly<Record<string, Spec>>; readonly unknownKeyHint?: (key: string) => string | undefined }
  | {
      readonly kind: 'stringMap';
      readonly optional?: boolean;
      readonly key: (k: string) => string | undefined;
      readonly value: (v: string) => string | undefined;
      /** Fewest entries. @default 0 */
      readonly minEntries?: number;
    }
  | {
      readonly kind: 'array';
      readonly optional?: boolean;
      readonly minItems: number;
      /** Most items. @default - unbounded */
      readonly maxItems?: number;
      /** Items must be pairwise distinct (compared as JSON). @default false */
      readonly unique?: boolean;
      /** Appended to a too-few/too-many message: what to do instead. */
      readonly hint?: string;
      readonly items: Spec;
    };

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function shown(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** Human phrase for what a spec accepts, used in "expected ..." messages. */
export function describeSpec(spec: Spec): string {
  switch (spec.kind) {
    case 'string':
      return spec.describe;
    case 'enum':
      return `one of ${spec.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'int':
      return `an integer in ${spec.min}..${spec.max}`;
    case 'boolean':
      return 'true or false';
    case 'object':
      return `an object with fields ${Object.keys(spec.fields).join(', ')}`;
    case 'stringMap':
      return `an object of string values${(spec.minEntries ?? 0) > 0 ? ` (at least ${spec.minEntries})` : ''}`;
    case 'array':
      return `a list of ${describeSpec(spec.items)}${spec.minItems > 0 ? ` (at least ${spec.minItems})` : ''}${spec.maxItems !== undefined ? ` (at most ${spec.maxItems})` : ''}`;
  }
}

/** Checks `value` against `spec`; appends one message per problem to `problems`. */
export function check(spec: Spec, value: unknown, path: string, problems: string[]): void {
  if (value === undefined) {
    if (!spec.optional) problems.push(`${path}: required field is missing; expected ${describeSpec(spec)}`);
    return;
  }
  switch (spec.kind) {
    case 'string': {
      if (typeof value !== 'string') {
        problems.push(`${path}: expected ${spec.describe}, got ${shown(value)} (${typeName(value)})`);
        return;
      }
      const problem = spec.test?.(value);
      if (problem !== undefined) problems.push(`${path}: ${problem}`);
      return;
    }
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        problems.push(`${path}: ${shown(value)} is not allowed; ${spec.hint ?? `expected ${describeSpec(spec)}`}`);
      }
      return;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        problems.push(`${path}: expected ${describeSpec(spec)}, got ${shown(value)} (${typeName(value)})`);
      } else if (value < spec.min || value > spec.max) {
        problems.push(`${path}: ${value} is out of range; expected ${describeSpec(spec)}`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path}: expected true or false, got ${shown(value)} (${typeName(value)})`);
      return;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push(`${path}: expected an object, got ${shown(value)} (${typeName(value)})`);
        return;
      }
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!(key in spec.fields)) {
          const hint = spec.unknownKeyHint?.(key);
          problems.push(`${path ? `${path}.` : ''}${key}: unknown field; ${hint ?? `allowed fields${path ? ` of ${path}` : ''}: ${Object.keys(spec.fields).join(', ')}`}`);
        }
      }
      for (const [key, fieldSpec] of Object.entries(spec.fields)) {
        check(fieldSpec, record[key], path ? `${path}.${key}` : key, problems);
      }
      return;
    }
    case 'stringMap': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push(`${path}: expected an object of string values, got ${shown(value)} (${typeName(value)})`);
        return;
      }
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length < (spec.minEntries ?? 0)) problems.push(`${path}: has ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}; expected at least ${spec.minEntries}`);
      for (const [key, v] of entries) {
        const keyProblem = spec.key(key);
        if (keyProblem !== undefined) problems.push(`${path}.${key}: ${keyProblem}`);
        if (typeof v !== 'string') problems.push(`${path}.${key}: expected a string, got ${shown(v)} (${typeName(v)})`);
        else {
          const valueProblem = spec.value(v);
          if (valueProblem !== undefined) problems.push(`${path}.${key}: ${valueProblem}`);
        }
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) {
        problems.push(`${path}: expected ${describeSpec(spec)}, got ${shown(value)} (${typeName(value)})`);
        return;
      }
      const hint = spec.hint !== undefined ? `; ${spec.hint}` : '';
      if (value.length < spec.minItems) problems.push(`${path}: has ${value.length} item(s); expected at least ${spec.minItems}${hint}`);
      if (spec.maxItems !== undefined && value.length > spec.maxItems) problems.push(`${path}: has ${value.length} items; expected at most ${spec.maxItems}${hint}`);
      value.forEach((item, i) => check(spec.items, item, `${path}[${i}]`, problems));
      if (spec.unique) {
        const seen = new Map<string, number>();
        value.forEach((item, i) => {
          const key = JSON.stringify(item);
          const first = seen.get(key);
          if (first !== undefined) problems.push(`${path}[${i}]: ${shown(item)} repeats ${path}[${first}]; list each item once`);
          else seen.set(key, i);
        });
      }
      return;
    }
  }
}
