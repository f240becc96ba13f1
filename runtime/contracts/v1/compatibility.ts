/**
 * Compatibility checker between two versions of the contract schema set, compared as JSON Schema
 * documents (the live TypeBox schemas, or a published/frozen `schemas/*.json`). Within one major
 * version only additive change is allowed (`contracts.md` §1): new optional fields, new enum
 * members, new contract kinds. Anything else — a removed or renamed field, a changed type, an
 * optional field made required, a removed enum member, a tightened bound, a changed
 * cross-field rule — is refused, with the JSON path of the change.
 */
import { encodeCanonical } from './canonical-json';
import type { ContractSchemaSet } from './contract-registry';
import { enumValues, type JsonSchemaDoc, type RuleRef } from './schema-dsl';

export type CompatibilityChangeKind =
  | 'kind_removed'
  | 'field_removed'
  | 'field_added_required'
  | 'field_made_required'
  | 'type_changed'
  | 'enum_member_removed'
  | 'constraint_tightened'
  | 'constraint_changed'
  | 'rule_changed'
  | 'major_version_mismatch'
  | 'version_not_newer';

export interface CompatibilityProblem {
  readonly change: CompatibilityChangeKind;
  /** `<Kind>.<field path>`, e.g. `ControlSignal.fields.reason`. */
  readonly path: string;
  readonly message: string;
}

export interface CompatibilityReport {
  readonly compatible: boolean;
  readonly problems: readonly CompatibilityProblem[];
  /** Additive changes seen (for the changelog), e.g. `EventRecord.fields.foo: new optional field`. */
  readonly additions: readonly string[];
}

function parseVersion(v: string): readonly number[] | undefined {
  const m = /^v([0-9]+)\.([0-9]+)(?:\.([0-9]+))?$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/**
 * Compare `previous` → `next`. Returns every problem (not just the first) so a reviewer sees the
 * whole picture. A major bump is out of scope for this checker: it reports `major_version_mismatch`
 * (breaking changes need a new `contracts/vN` module, not an edit of v1).
 */
export function checkCompatibility(previous: ContractSchemaSet, next: ContractSchemaSet): CompatibilityReport {
  const problems: CompatibilityProblem[] = [];
  const additions: string[] = [];
  const pv = parseVersion(previous.version);
  const nv = parseVersion(next.version);
  if (!pv || !nv || pv[0] !== nv[0]) {
    problems.push({
      change: 'major_version_mismatch',
      path: '$version',
      message: `${previous.version} → ${next.version}: the additive-only rule applies within one major; a new major is a new module`,
    });
  } else if (nv[1] < pv[1] || (nv[1] === pv[1] && nv[2] < pv[2])) {
    problems.push({ change: 'version_not_newer', path: '$version', message: `${next.version} is older than ${previous.version}` });
  }
  for (const kind of Object.keys(previous.schemas)) {
    const after = next.schemas[kind];
    if (!after) {
      problems.push({ change: 'kind_removed', path: kind, message: `contract kind ${kind} was removed` });
      continue;
    }
    compareObject(previous.schemas[kind], after, kind, problems, additions);
  }
  for (const kind of Object.keys(next.schemas)) {
    if (!previous.schemas[kind]) additions.push(`${kind}: new contract kind`);
  }
  return { compatible: problems.length === 0, problems, additions };
}

type DocKind = 'string' | 'int' | 'bool' | 'enum' | 'array' | 'map' | 'object';

function kindOf(s: JsonSchemaDoc): DocKind {
  if (s['x-enum'] !== undefined) return 'enum';
  if (s.type === 'integer') return 'int';
  if (s.type === 'boolean') return 'bool';
  if (s.type === 'array') return 'array';
  if (s.type === 'object' && s.patternProperties) return 'map';
  if (s.type === 'object') return 'object';
  return 'string';
}

function compareObject(before: JsonSchemaDoc, after: JsonSchemaDoc, path: string, problems: CompatibilityProblem[], additions: string[]): void {
  const bFields = before.properties ?? {};
  const aFields = after.properties ?? {};
  const bRequired = new Set(before.required ?? []);
  const aRequired = new Set(after.required ?? []);
  for (const name of Object.keys(bFields)) {
    const a = aFields[name];
    const fieldPath = `${path}.${name}`;
    if (!a) {
      problems.push({ change: 'field_removed', path: fieldPath, message: `field ${name} was removed or renamed` });
      continue;
    }
    if (!bRequired.has(name) && aRequired.has(name)) {
      problems.push({ change: 'field_made_required', path: fieldPath, message: `optional field ${name} became required` });
    }
    compareSchema(bFields[name], a, fieldPath, problems, additions);
  }
  for (const name of Object.keys(aFields)) {
    if (bFields[name]) continue;
    if (aRequired.has(name)) {
      problems.push({ change: 'field_added_required', path: `${path}.${name}`, message: `new field ${name} is required; new fields must be optional` });
    } else {
      additions.push(`${path}.${name}: new optional field`);
    }
  }
  const ruleKey = (r: RuleRef) => `${r.id}:${r.params === undefined ? '' : encodeCanonical(r.params)}`;
  const beforeRules = new Map((before['x-rules'] ?? []).map((r) => [r.id, ruleKey(r)]));
  const afterRules = new Map((after['x-rules'] ?? []).map((r) => [r.id, ruleKey(r)]));
  for (const [id, key] of beforeRules) {
    if (!afterRules.has(id)) problems.push({ change: 'rule_changed', path: `${path}#${id}`, message: `rule ${id} was removed` });
    else if (afterRules.get(id) !== key && !isAdditiveRegistryChange(id, key, afterRules.get(id)!)) {
      problems.push({ change: 'rule_changed', path: `${path}#${id}`, message: `rule ${id} changed its parameters` });
    }
  }
  for (const id of afterRules.keys()) {
    if (!beforeRules.has(id)) problems.push({ change: 'rule_changed', path: `${path}#${id}`, message: `new rule ${id} constrains existing data` });
  }
}

/** A rule whose params only gained keys (e.g. a new signal in the registry) is additive. */
function isAdditiveRegistryChange(id: string, beforeKey: string, afterKey: string): boolean {
  const strip = (k: string) => k.slice(id.length + 1);
  try {
    const b = JSON.parse(strip(beforeKey)) as unknown;
    const a = JSON.parse(strip(afterKey)) as unknown;
    if (typeof b !== 'object' || b === null || Array.isArray(b) || typeof a !== 'object' || a === null || Array.isArray(a)) return false;
    const ar = a as Record<string, unknown>;
    return Object.keys(b).every((k) => k in ar && encodeCanonical((b as Record<string, unknown>)[k]) === encodeCanonical(ar[k]));
  } catch {
    return false;
  }
}

function compareSchema(before: JsonSchemaDoc, after: JsonSchemaDoc, path: string, problems: CompatibilityProblem[], additions: string[]): void {
  const bk = kindOf(before);
  const ak = kindOf(after);
  if (bk !== ak) {
    problems.push({ change: 'type_changed', path, message: `type changed from ${bk} to ${ak}` });
    return;
  }
  switch (bk) {
    case 'string':
      if ((after.minLength ?? 0) > (before.minLength ?? 0)) problems.push({ change: 'constraint_tightened', path, message: `minLength raised to ${after.minLength}` });
      if (after.pattern !== before.pattern) problems.push({ change: 'constraint_changed', path, message: `pattern changed from ${before.pattern} to ${after.pattern}` });
      return;
    case 'int':
      if ((after.minimum ?? -Infinity) > (before.minimum ?? -Infinity)) problems.push({ change: 'constraint_tightened', path, message: `minimum raised to ${after.minimum}` });
      return;
    case 'bool':
      if (after.const !== undefined && after.const !== before.const) problems.push({ change: 'constraint_tightened', path, message: `now constant ${String(after.const)}` });
      return;
    case 'enum': {
      const name = before['x-enum'];
      const bv = enumValues(before);
      const av = enumValues(after);
      for (const v of bv) if (!av.includes(v)) problems.push({ change: 'enum_member_removed', path, message: `enum member "${v}" of ${name} was removed` });
      for (const v of av) if (!bv.includes(v)) additions.push(`${path}: new ${name} member "${v}"`);
      return;
    }
    case 'array':
      if ((after.minItems ?? 0) > (before.minItems ?? 0)) problems.push({ change: 'constraint_tightened', path, message: `minItems raised to ${after.minItems}` });
      if ((after.maxItems ?? Infinity) < (before.maxItems ?? Infinity)) problems.push({ change: 'constraint_tightened', path, message: `maxItems lowered to ${after.maxItems}` });
      if (after.uniqueItems && !before.uniqueItems) problems.push({ change: 'constraint_tightened', path, message: 'items must now be unique' });
      compareSchema(before.items ?? {}, after.items ?? {}, `${path}[]`, problems, additions);
      return;
    case 'map': {
      const [bKey, bValues] = Object.entries(before.patternProperties!)[0];
      const [aKey, aValues] = Object.entries(after.patternProperties!)[0];
      if ((after.minProperties ?? 0) > (before.minProperties ?? 0)) problems.push({ change: 'constraint_tightened', path, message: `minEntries raised to ${after.minProperties}` });
      if (aKey !== bKey) problems.push({ change: 'constraint_changed', path: `${path}{key}`, message: `key pattern changed from ${bKey} to ${aKey}` });
      compareSchema(bValues, aValues, `${path}{}`, problems, additions);
      return;
    }
    case 'object':
      compareObject(before, after, path, problems, additions);
      return;
  }
}
