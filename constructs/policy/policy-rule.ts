/**
 * The shape of one policy rule (cdk-nag style: one rule per file, each with an id, a one-line why
 * and a one-line fix) and of what it reports.
 */
import type { EnvName } from '../../envs/environment-config';
import { FieldPath, ManifestObject } from './manifest-object';
import type { ExternalRefs } from './external-refs';
import { Workload } from './workloads';

export const POLICY_RULE_IDS = [
  'RSPP-POD-001',
  'RSPP-POD-002',
  'RSPP-POD-003',
  'RSPP-POD-004',
  'RSPP-POD-005',
  'RSPP-POD-006',
  'RSPP-POD-007',
  'RSPP-POD-008',
  'RSPP-POD-009',
  'RSPP-POD-010',
  'RSPP-POD-011',
  'RSPP-POD-012',
  'RSPP-POD-013',
  'RSPP-POD-014',
  'RSPP-POD-015',
  'RSPP-NS-001',
  'RSPP-NS-002',
  'RSPP-NET-001',
  'RSPP-NET-002',
  'RSPP-RBAC-001',
  'RSPP-HA-001',
  'RSPP-HA-002',
  'RSPP-HA-003',
  'RSPP-HA-004',
  'RSPP-META-001',
  'RSPP-META-002',
  'RSPP-META-003',
] as const;

export type PolicyRuleId = (typeof POLICY_RULE_IDS)[number];

export function isPolicyRuleId(value: string): value is PolicyRuleId {
  return (POLICY_RULE_IDS as readonly string[]).includes(value);
}

/**
 * What a rule reports: the object, the field and what is wrong. The runner adds the rule id and
 * the fix. For a problem with something missing from a namespace (RSPP-NS-002, RSPP-NET-001) the
 * object is the Namespace (or a stand-in ref when the output has no Namespace object).
 */
export interface PolicyViolation {
  readonly object: ManifestObject;
  readonly path: FieldPath;
  readonly message: string;
  /** A fix more specific than the rule's. @default the rule's `fix` */
  readonly fix?: string;
}

/** Everything a rule may look at: the WHOLE output of an app, pre-digested. */
export interface PolicyContext {
  readonly env: EnvName;
  readonly objects: readonly ManifestObject[];
  readonly workloads: readonly Workload[];
  /** Namespaces in use: Namespace objects plus the namespace of every namespaced object. */
  readonly namespaces: readonly string[];
  /** The Namespace object of a namespace, or a stand-in `{kind: Namespace, metadata: {name}}`. */
  namespaceObject(name: string): ManifestObject;
  /** Objects of a kind, optionally in one namespace. */
  objectsOfKind(kind: string, namespace?: string): readonly ManifestObject[];
  /** References declared external for objects in a namespace (option + the referencing object's annotation). */
  readonly externalRefs: ExternalRefs;
}

export interface PolicyRule {
  readonly id: PolicyRuleId;
  /** The rule as the policy table words it. */
  readonly title: string;
  /** One line: the risk the rule removes. */
  readonly why: string;
  /** One line: how to comply. */
  readonly fix: string;
  /** Envs where the rule applies. @default every env */
  readonly envs?: readonly EnvName[];
  check(ctx: PolicyContext): readonly PolicyViolation[];
}

/** Helper for rules: a violation on `object` at `path`. */
export function violation(object: ManifestObject, path: FieldPath, message: string, fix?: string): PolicyViolation {
  return fix === undefined ? { object, path, message } : { object, path, message, fix };
}
