/**
 * The comparison behind `npm run diff`: two synthesized outputs of one env (manifests, chart values,
 * Terraform) compared object by object and field by field, grouped by construct, each change
 * classified by what applying it does. Pure functions over parsed outputs; no I/O but `loadOutputs`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';

/** What applying a change does, in increasing order of harm. */
export type ChangeClass = 'in place' | 'rolling restart' | 'recreate' | 'disruptive';
export const CHANGE_CLASSES: readonly ChangeClass[] = ['in place', 'rolling restart', 'recreate', 'disruptive'];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One output unit: a Kubernetes object, the chart values, or one Terraform resource. */
export interface DiffUnit {
  /** `apps/v1 Deployment rspp-dev/rspp-runtime`, `values rspp-platform`, `helm_release.rspp-platform`. */
  readonly id: string;
  /** Grouping: the construct (component label) of an object, `helm values`, `terraform`. */
  readonly group: string;
  readonly kind: string;
  readonly body: Json;
}

export interface FieldChange {
  readonly path: string;
  readonly before: Json | undefined;
  readonly after: Json | undefined;
}

export interface UnitChange {
  readonly id: string;
  readonly group: string;
  readonly kind: string;
  readonly action: 'add' | 'remove' | 'change';
  readonly fields: readonly FieldChange[];
  readonly class: ChangeClass;
  readonly why: string;
}

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field-by-field differences; `onlyBefore` false compares every field, true only those of `before` (live mode: `before` is the desired side). */
export function fieldDiff(before: Json | undefined, after: Json | undefined, at = '', desiredOnly = false): FieldChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = desiredOnly ? Object.keys(before) : [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => fieldDiff(before[k], after[k], at ? `${at}.${k}` : k, desiredOnly));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => fieldDiff(b, after[i], `${at}[${i}]`, desiredOnly));
  }
  if (desiredOnly && before === undefined) return [];
  return [{ path: at || '.', before, after }];
}

/** A classification rule: the first whose kind and path match decides. Rules are data, in one place. */
interface Rule {
  readonly kinds: readonly string[] | '*';
  readonly path: RegExp;
  readonly class: ChangeClass;
  readonly why: string;
}

export const RULES: readonly Rule[] = [
  { kinds: ['StatefulSet'], path: /^spec\.template\.spec\.containers\[\d+\]\.args.*initial-cluster|^spec\.replicas$/, class: 'disruptive',
    why: 'changes etcd membership: members join a static --initial-cluster (see the manual procedure synth prints)' },
  { kinds: ['StatefulSet'], path: /^spec\.(selector|volumeClaimTemplates|serviceName|podManagementPolicy)/, class: 'recreate',
    why: 'immutable StatefulSet field: the StatefulSet must be deleted (--cascade=orphan) and created again' },
  { kinds: ['Deployment', 'DaemonSet'], path: /^spec\.selector/, class: 'recreate', why: 'immutable selector: the workload is deleted and created again' },
  { kinds: ['Certificate'], path: /^spec\.(isCA|commonName|secretName)|^metadata\.name$/, class: 'disruptive', why: 'rotates a CA or a certificate secret: every peer must trust the new chain' },
  { kinds: ['Issuer', 'ClusterIssuer'], path: /^spec\.ca/, class: 'disruptive', why: 'rotates the CA certificates are issued from' },
  { kinds: ['Service'], path: /^spec\.(clusterIP|clusterIPs|ipFamilies)/, class: 'recreate', why: 'immutable Service field' },
  { kinds: ['Service'], path: /^spec\.ports/, class: 'disruptive', why: 'changes the ports clients connect to: open sessions drop' },
  { kinds: ['Job'], path: /^spec\.(template|selector)/, class: 'recreate', why: 'immutable Job field' },
  { kinds: ['PersistentVolumeClaim'], path: /^spec\.(storageClassName|accessModes|selector|volumeName)/, class: 'recreate', why: 'immutable claim field' },
  { kinds: ['Deployment', 'StatefulSet', 'DaemonSet'], path: /^spec\.template/, class: 'rolling restart', why: 'pod template changes: pods are replaced one by one (runtime pods drain their sessions first)' },
  // Terraform
  { kinds: ['helm_release'], path: /^(name|namespace|chart|repository)$/, class: 'disruptive', why: 'the release is uninstalled and installed again: its objects are deleted first' },
  { kinds: ['kubernetes_namespace_v1'], path: /^metadata\.name$/, class: 'disruptive', why: 'the namespace is replaced: everything in it, etcd volumes included, is deleted' },
  { kinds: ['helm_release'], path: /^version$/, class: 'in place', why: 'the chart changed: helm upgrade (the object changes above say what it does)' },
  { kinds: '*', path: /./, class: 'in place', why: 'updated in place' },
];

const REMOVE_DISRUPTIVE = new Set(['Deployment', 'StatefulSet', 'Service', 'Namespace', 'PersistentVolumeClaim', 'kubernetes_namespace_v1', 'helm_release']);

function classify(kind: string, action: UnitChange['action'], fields: readonly FieldChange[]): Pick<UnitChange, 'class' | 'why'> {
  if (action === 'add') return { class: 'in place', why: 'created' };
  if (action === 'remove') {
    return REMOVE_DISRUPTIVE.has(kind)
      ? { class: 'disruptive', why: `deleted: a ${kind} goes away with what it serves or holds` }
      : { class: 'in place', why: 'deleted' };
  }
  let worst: Rule | undefined;
  for (const f of fields) {
    const rule = RULES.find((r) => (r.kinds === '*' || r.kinds.includes(kind)) && r.path.test(f.path))!;
    if (worst === undefined || CHANGE_CLASSES.indexOf(rule.class) > CHANGE_CLASSES.indexOf(worst.class)) worst = rule;
  }
  return { class: worst?.class ?? 'in place', why: worst?.why ?? 'updated in place' };
}

/** Compares two sides unit by unit (`live`: compare only the desired fields; server-set ones are ignored). */
export function compareUnits(before: readonly DiffUnit[], after: readonly DiffUnit[], options: { live?: boolean } = {}): UnitChange[] {
  const old = new Map(before.map((u) => [u.id, u]));
  const next = new Map(after.map((u) => [u.id, u]));
  const changes: UnitChange[] = [];
  for (const [id, unit] of next) {
    const prior = old.get(id);
    if (!prior) {
      changes.push({ id, group: unit.group, kind: unit.kind, action: 'add', fields: [], ...classify(unit.kind, 'add', []) });
      continue;
    }
    const fields = options.live ? fieldDiff(unit.body, prior.body, '', true).map((f) => ({ path: f.path, before: f.after, after: f.before })) : fieldDiff(prior.body, unit.body);
    if (fields.length > 0) changes.push({ id, group: unit.group, kind: unit.kind, action: 'change', fields, ...classify(unit.kind, 'change', fields) });
  }
  if (!options.live) {
    for (const [id, unit] of old) {
      if (!next.has(id)) changes.push({ id, group: unit.group, kind: unit.kind, action: 'remove', fields: [], ...classify(unit.kind, 'remove', []) });
    }
  }
  return changes.sort((a, b) => a.group.localeCompare(b.group) || a.id.localeCompare(b.id));
}

const groupOf = (o: Record<string, any>): string =>
  o.metadata?.labels?.['app.kubernetes.io/component'] ?? o.metadata?.labels?.['app.kubernetes.io/name'] ?? o.kind;

/** A Kubernetes object as a unit (`apps/v1 Deployment ns/name`). */
export function objectUnit(o: Record<string, any>): DiffUnit {
  return { id: `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? '-'}/${o.metadata?.name}`, group: groupOf(o), kind: o.kind, body: o as Json };
}

/** Reads one side: `<root>/dist/<env>/k8s/*.yaml`, the platform chart's values, `<root>/cdktf.out/stacks/<env>/cdk.tf.json`. */
export function loadOutputs(distDir: string, tfOutDir: string, env: string): DiffUnit[] {
  const units: DiffUnit[] = [];
  const k8s = path.join(distDir, env, 'k8s');
  for (const file of fs.readdirSync(k8s).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(k8s, file), 'utf8'))) {
      const o = doc.toJS() as Record<string, any> | null;
      if (o) units.push(objectUnit(o));
    }
  }
  const values = path.join(distDir, env, 'charts', 'rspp-platform', 'values.yaml');
  if (fs.existsSync(values)) units.push({ id: 'values rspp-platform', group: 'helm values', kind: 'values', body: (parse(fs.readFileSync(values, 'utf8')) ?? {}) as Json });
  const stack = path.join(tfOutDir, 'stacks', env, 'cdk.tf.json');
  if (fs.existsSync(stack)) {
    const json = JSON.parse(fs.readFileSync(stack, 'utf8')) as { resource?: Record<string, Record<string, Record<string, Json>>> };
    for (const [type, resources] of Object.entries(json.resource ?? {})) {
      for (const [name, body] of Object.entries(resources)) {
        const { ['//']: _metadata, ...rest } = body;
        units.push({ id: `${type}.${name}`, group: 'terraform', kind: type, body: rest });
      }
    }
  }
  return units;
}

const show = (v: Json | undefined): string => (v === undefined ? '(none)' : JSON.stringify(v).length > 120 ? `${JSON.stringify(v).slice(0, 117)}...` : JSON.stringify(v));

/** The readable report: groups, units with their class and why, fields; then a summary line. */
export function formatChanges(changes: readonly UnitChange[], title: string): string {
  const lines = [title];
  if (changes.length === 0) return [...lines, 'no changes'].join('\n');
  let group = '';
  for (const c of changes) {
    if (c.group !== group) {
      group = c.group;
      lines.push('', `== ${group}`);
    }
    const mark = c.action === 'add' ? '+' : c.action === 'remove' ? '-' : '~';
    lines.push(`${mark} ${c.id}  [${c.class}: ${c.why}]`);
    for (const f of c.fields.slice(0, 20)) lines.push(`    ${f.path}: ${show(f.before)} → ${show(f.after)}`);
    if (c.fields.length > 20) lines.push(`    ... ${c.fields.length - 20} more field(s)`);
  }
  const counts = CHANGE_CLASSES.map((k) => `${changes.filter((c) => c.class === k).length} ${k}`).join(', ');
  lines.push('', `${changes.length} change(s): ${counts}`);
  return lines.join('\n');
}

/** Exit code for CI: 0 no change, 1 changes, 2 at least one disruptive change. */
export function exitCodeFor(changes: readonly UnitChange[]): 0 | 1 | 2 {
  if (changes.length === 0) return 0;
  return changes.some((c) => c.class === 'disruptive') ? 2 : 1;
}
