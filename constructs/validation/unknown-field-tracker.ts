/**
 * Unknown-field detection driven by the same schemas the validators were generated from.
 *
 * The kubernetes-models validators are ajv code compiled from the OpenAPI schema, without
 * `additionalProperties: false`, so they accept `spec.replicass`. They do, however, read every
 * property their schema declares (`data.replicas`, `data.selector`, ...) and enumerate the keys of
 * free-form maps (`for (key in data)` for labels, annotations, resource lists). Running the
 * validator over a Proxy of the object therefore tells us, for each nested object it visited,
 * which keys its schema knows. A key the validator never read, in an object whose schema has
 * properties and is not a map, is an unknown field.
 *
 * Objects the validator never visits (free-form `x-kubernetes-preserve-unknown-fields` fields,
 * values under a type error) are not judged.
 */
import { FieldPath } from '../policy/manifest-object';

interface Visit {
  readonly path: FieldPath;
  readonly value: Readonly<Record<string, unknown>>;
  /** Keys the validator read: the properties the schema declares. */
  readonly read: Set<string>;
  /** The validator enumerated the keys: a map (`additionalProperties`), every key is allowed. */
  enumerated: boolean;
}

export interface UnknownField {
  /** Path of the unknown field itself, e.g. `['spec', 'replicass']`. */
  readonly path: FieldPath;
  /** Known fields of the object that holds it, for a "did you mean" hint. */
  readonly known: readonly string[];
}

/**
 * Runs `validate` over a tracking proxy of `root` and returns its result plus the unknown fields.
 * The proxy is read-only in effect: validators never write.
 */
export function trackUnknownFields<T>(root: unknown, validate: (proxy: unknown) => T): { result: T; unknown: UnknownField[] } {
  const visits = new Map<string, Visit>();

  const wrap = (value: unknown, path: FieldPath): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const key = JSON.stringify(path);
    let visit = visits.get(key);
    if (visit === undefined && !Array.isArray(value)) {
      visit = { path, value: value as Record<string, unknown>, read: new Set(), enumerated: false };
      visits.set(key, visit);
    }
    // A fresh proxy per read: the same JS object may sit at two paths (shared selectors), and
    // each path must record its own reads.
    return new Proxy(value, {
      get(target, property, receiver) {
        const v: unknown = Reflect.get(target, property, receiver);
        if (typeof property !== 'string') return v;
        visit?.read.add(property);
        if (!Object.prototype.hasOwnProperty.call(target, property)) return v;
        const segment = Array.isArray(target) && /^\d+$/.test(property) ? Number(property) : property;
        return wrap(v, [...path, segment]);
      },
      ownKeys(target) {
        if (visit !== undefined) visit.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
  };

  const result = validate(wrap(root, []));
  const unknown: UnknownField[] = [];
  for (const visit of visits.values()) {
    if (visit.enumerated || visit.read.size === 0) continue;
    const known = [...visit.read];
    for (const field of Object.keys(visit.value)) {
      if (!visit.read.has(field)) unknown.push({ path: [...visit.path, field], known });
    }
  }
  return { result, unknown };
}
