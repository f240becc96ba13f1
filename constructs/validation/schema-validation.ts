/**
 * Offline validation of one object against its Kubernetes / CRD schema: required fields, types,
 * formats and enums (the kubernetes-models validators) plus unknown fields (the tracker).
 */
import { FieldPath, ManifestObject, ObjectRef, asRecord, formatFieldPath, objectRef } from '../policy/manifest-object';
import { KindSchema, SchemaError, objectMetaSchema, schemaFor } from './model-registry';
import { trackUnknownFields } from './unknown-field-tracker';
import { ValidationIssue, objectIssue } from './validation-issue';

/**
 * An apiVersion/kind served by a CRD in the cluster that no installed model package knows. Objects
 * of a declared kind get their `metadata` checked; the rest is left to the server-side dry-run.
 */
export interface DeclaredKind {
  readonly apiVersion: string;
  readonly kind: string;
}

/** Turns an ajv instance path (`/spec/containers/0/name`) into field path segments. */
export function fieldPathOf(root: unknown, instancePath: string): FieldPath {
  const path: (string | number)[] = [];
  let current: unknown = root;
  for (const raw of instancePath.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      path.push(Number(segment));
      current = current[Number(segment)];
    } else {
      path.push(segment);
      current = asRecord(current)[segment];
    }
  }
  return path;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function valueAt(root: unknown, path: FieldPath): unknown {
  let current: unknown = root;
  for (const segment of path) current = typeof segment === 'number' ? (current as unknown[])?.[segment] : asRecord(current)[segment];
  return current;
}

/** One schema error as `[path, message]`. */
function describe(root: unknown, error: SchemaError): [FieldPath, string] {
  const path = fieldPathOf(root, error.instancePath);
  const p = error.params;
  switch (error.keyword) {
    case 'required':
      return [[...path, String(p.missingProperty)], 'required field is missing'];
    case 'type':
      return [path, `must be ${String(p.type)}, got ${typeName(valueAt(root, path))}`];
    case 'enum':
      return [path, `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`];
    case 'format':
      return [path, `must be a valid ${String(p.format)}, got ${JSON.stringify(valueAt(root, path))}`];
    default:
      return [path, error.message ?? `fails schema keyword ${error.keyword}`];
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

function suggestion(field: string, known: readonly string[]): string {
  const close = known
    .map((k) => ({ k, d: k.toLowerCase() === field.toLowerCase() ? 0 : editDistance(field, k) }))
    .filter((c) => c.d <= 2)
    .sort((x, y) => x.d - y.d)[0];
  return close ? `; did you mean "${close.k}"?` : '';
}

function runSchema(schema: KindSchema, target: unknown, pathPrefix: FieldPath, ref: ObjectRef, root: unknown): ValidationIssue[] {
  const { result: errors, unknown } = trackUnknownFields(target, (proxy) => schema.validate(proxy));
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  const add = (path: FieldPath, message: string): void => {
    const issue = objectIssue('schema', ref, formatFieldPath([...pathPrefix, ...path]), message);
    if (!seen.has(issue.text)) {
      seen.add(issue.text);
      issues.push(issue);
    }
  };
  for (const error of errors) {
    const [path, message] = describe(valueAt(root, pathPrefix), error);
    add(path, message);
  }
  for (const field of unknown) {
    const name = String(field.path[field.path.length - 1]);
    add(field.path, `unknown field "${name}" (not in the ${schema.kind} schema of ${schema.source})${suggestion(name, field.known)}`);
  }
  return issues;
}

/** Every schema problem of one object. */
export function validateObjectSchema(object: unknown, index: number, declaredKinds: readonly DeclaredKind[] = []): ValidationIssue[] {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    return [objectIssue('schema', { apiVersion: '?', kind: '?', name: `document[${index}]` }, '(object)', `is ${typeName(object)}, not a Kubernetes object`)];
  }
  const manifest = object as ManifestObject;
  const ref = objectRef(manifest);
  const issues: ValidationIssue[] = [];
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    for (const [field, value] of [['apiVersion', apiVersion], ['kind', kind]] as const) {
      if (typeof value !== 'string') issues.push(objectIssue('schema', ref, field, 'required string field is missing'));
    }
    return issues;
  }
  const metadata = asRecord(manifest.metadata);
  if (typeof metadata.name !== 'string' && typeof metadata.generateName !== 'string') {
    issues.push(objectIssue('schema', ref, 'metadata.name', 'required field is missing'));
  }
  const schema = schemaFor(apiVersion, kind);
  if (schema !== undefined) return [...issues, ...runSchema(schema, manifest, [], ref, manifest)];
  if (declaredKinds.some((d) => d.apiVersion === apiVersion && d.kind === kind)) {
    return [...issues, ...runSchema(objectMetaSchema(), manifest.metadata ?? {}, ['metadata'], ref, manifest)];
  }
  issues.push(
    objectIssue(
      'schema',
      ref,
      'kind',
      `no schema for ${kind} in ${apiVersion} (installed: kubernetes-models, @kubernetes-models/cert-manager, @kubernetes-models/prometheus-operator); fix the apiVersion/kind or declare it in declaredKinds if a CRD serves it`,
    ),
  );
  return issues;
}
