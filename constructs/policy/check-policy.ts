/**
 * The policy runner: every rule of `manifest-policy.md` over the WHOLE synthesized output of an app
 * (cross-object rules need all of it), exemptions applied and listed, never hidden.
 *
 * Findings read `RULE Kind/namespace/name field.path: message (fix: ...)`.
 */
import type { EnvName } from '../../envs/environment-config';
import { DeclaredExternalRefs, ExternalRefs } from './external-refs';
import { PolicyExemption, exemptionsOf } from './exemptions';
import {
  FieldPath,
  ManifestObject,
  ObjectRef,
  formatFieldPath,
  formatObjectRef,
  isClusterScoped,
  namespaceOf,
  objectRef,
} from './manifest-object';
import { PolicyContext, PolicyRule, PolicyRuleId, PolicyViolation } from './policy-rule';
import { RSPP_POLICY_RULES } from './rules';
import { Workload, workloadOf } from './workloads';

const ENV_NAMES: readonly EnvName[] = ['dev', 'stage', 'prod'];

/** Pseudo rule id under which malformed exemptions are reported. */
export const EXEMPTION_ERROR_ID = 'RSPP-EXEMPTION';

export interface CheckPolicyOptions {
  /** Env the output is for; the RSPP-HA-001..003 rules apply to stage and prod only. */
  readonly env: EnvName;
  /**
   * ConfigMaps, Secrets, ServiceAccounts and PVCs that exist in the cluster but not in the output
   * (RSPP-META-003). Per-object declarations use the `rspp.io/external-refs` annotation.
   * @default none
   */
  readonly declaredExternal?: DeclaredExternalRefs;
}

export interface PolicyFinding {
  readonly ruleId: PolicyRuleId | typeof EXEMPTION_ERROR_ID;
  readonly object: ObjectRef;
  /** Formatted field path, e.g. `spec.template.spec.containers[0].image`. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
  /** `RULE Kind/namespace/name field.path: message (fix: ...)` */
  readonly text: string;
}

export interface ExemptedFinding extends PolicyFinding {
  readonly reason: string;
}

export interface RuleResult {
  readonly id: PolicyRuleId;
  readonly title: string;
  /** `not-applicable`: the rule does not apply in this env. */
  readonly status: 'passed' | 'failed' | 'not-applicable';
  readonly findings: number;
  readonly exempted: number;
}

export interface ReportedExemption extends PolicyExemption {
  /** Findings this exemption suppressed in this run; 0 means it is stale for this env. */
  readonly suppressed: number;
}

export interface PolicyReport {
  readonly env: EnvName;
  readonly objectCount: number;
  readonly rules: readonly RuleResult[];
  /** Findings not covered by an exemption: each fails the check. */
  readonly findings: readonly PolicyFinding[];
  /** Findings an exemption covers, with its reason. */
  readonly exempted: readonly ExemptedFinding[];
  /** Every exemption written in the output, used or not. */
  readonly exemptions: readonly ReportedExemption[];
  /** Exemptions without a reason or naming an unknown rule: each fails the check. */
  readonly exemptionErrors: readonly PolicyFinding[];
  readonly passed: boolean;
}

export function formatFinding(ruleId: string, object: ObjectRef, path: string, message: string, fix: string): string {
  return `${ruleId} ${formatObjectRef(object)} ${path}: ${message} (fix: ${fix})`;
}

function finding(ruleId: PolicyFinding['ruleId'], object: ManifestObject, path: FieldPath, message: string, fix: string): PolicyFinding {
  const ref = objectRef(object);
  const formattedPath = formatFieldPath(path);
  return { ruleId, object: ref, path: formattedPath, message, fix, text: formatFinding(ruleId, ref, formattedPath, message, fix) };
}

function isObject(value: unknown): value is ManifestObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The pre-digested view of an app's output that rules receive. Exported for rule tests. */
export function createPolicyContext(objects: readonly unknown[], options: CheckPolicyOptions): PolicyContext {
  if (!ENV_NAMES.includes(options.env)) {
    throw new Error(`checkPolicy: env ${JSON.stringify(options.env)} is not one of ${ENV_NAMES.join(', ')}`);
  }
  const manifests = objects.filter(isObject);
  const workloads = manifests.map(workloadOf).filter((w): w is Workload => w !== undefined);
  const namespaceObjects = new Map<string, ManifestObject>();
  for (const object of manifests) {
    if (object.kind === 'Namespace') namespaceObjects.set(objectRef(object).name, object);
  }
  const namespaces = new Set<string>(namespaceObjects.keys());
  for (const object of manifests) {
    const kind = typeof object.kind === 'string' ? object.kind : '';
    const namespace = namespaceOf(object);
    if (!isClusterScoped(kind) && namespace !== undefined) namespaces.add(namespace);
  }
  const standIns = new Map<string, ManifestObject>();
  const byKind = new Map<string, ManifestObject[]>();
  for (const object of manifests) {
    const kind = String(object.kind);
    byKind.set(kind, [...(byKind.get(kind) ?? []), object]);
  }
  const externalRefs = new ExternalRefs(options.declaredExternal);
  return {
    env: options.env,
    objects: manifests,
    workloads,
    namespaces: [...namespaces].sort(),
    namespaceObject(name) {
      const existing = namespaceObjects.get(name);
      if (existing !== undefined) return existing;
      let standIn = standIns.get(name);
      if (standIn === undefined) {
        standIn = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
        standIns.set(name, standIn);
      }
      return standIn;
    },
    objectsOfKind(kind, namespace) {
      const all = byKind.get(kind) ?? [];
      return namespace === undefined ? all : all.filter((o) => namespaceOf(o) === namespace);
    },
    externalRefs,
  };
}

function runRule(rule: PolicyRule, ctx: PolicyContext): readonly PolicyViolation[] {
  try {
    return rule.check(ctx);
  } catch (error) {
    throw new Error(`policy rule ${rule.id} failed to run: ${(error as Error).stack ?? String(error)}`);
  }
}

/** Runs every rule over the whole output of an app and returns the report (it never throws on findings). */
export function checkPolicy(objects: readonly unknown[], options: CheckPolicyOptions): PolicyReport {
  const ctx = createPolicyContext(objects, options);
  const exemptionsByObject = new Map<ManifestObject, PolicyExemption[]>();
  const suppressed = new Map<PolicyExemption, number>();
  const exemptionErrors: PolicyFinding[] = [];
  for (const object of ctx.objects) {
    const { exemptions, errors } = exemptionsOf(object);
    exemptionsByObject.set(object, [...exemptions]);
    exemptions.forEach((e) => suppressed.set(e, 0));
    for (const error of errors) exemptionErrors.push(finding(EXEMPTION_ERROR_ID, error.object, error.path, error.message, error.fix));
  }

  const findings: PolicyFinding[] = [];
  const exempted: ExemptedFinding[] = [];
  const rules: RuleResult[] = [];
  for (const rule of RSPP_POLICY_RULES) {
    if (rule.envs !== undefined && !rule.envs.includes(ctx.env)) {
      rules.push({ id: rule.id, title: rule.title, status: 'not-applicable', findings: 0, exempted: 0 });
      continue;
    }
    const seen = new Set<string>();
    let open = 0;
    let covered = 0;
    for (const v of runRule(rule, ctx)) {
      const f = finding(rule.id, v.object, v.path, v.message, v.fix ?? rule.fix);
      if (seen.has(f.text)) continue;
      seen.add(f.text);
      const exemption = exemptionsByObject.get(v.object)?.find((e) => e.ruleId === rule.id);
      if (exemption !== undefined) {
        suppressed.set(exemption, (suppressed.get(exemption) ?? 0) + 1);
        exempted.push({ ...f, reason: exemption.reason });
        covered++;
      } else {
        findings.push(f);
        open++;
      }
    }
    rules.push({ id: rule.id, title: rule.title, status: open > 0 ? 'failed' : 'passed', findings: open, exempted: covered });
  }

  return {
    env: ctx.env,
    objectCount: ctx.objects.length,
    rules,
    findings,
    exempted,
    exemptions: [...suppressed].map(([e, count]) => ({ ...e, suppressed: count })),
    exemptionErrors,
    passed: findings.length === 0 && exemptionErrors.length === 0,
  };
}

/** The report as the synth summary prints it: counts, every exemption with its reason, every failure. */
export function formatPolicyReport(report: PolicyReport): string {
  const count = (status: RuleResult['status']): number => report.rules.filter((r) => r.status === status).length;
  const lines = [
    `policy (${report.env}): ${report.passed ? 'PASSED' : 'FAILED'}: ${report.rules.length} rules, ` +
      `${count('passed')} passed, ${count('failed')} failed, ${count('not-applicable')} not applicable in ${report.env}; ` +
      `${report.objectCount} objects; ${report.exemptions.length} exemptions`,
  ];
  for (const e of report.exemptions) {
    const usage = e.suppressed === 0 ? `suppresses nothing in ${report.env}` : `suppresses ${e.suppressed} finding${e.suppressed === 1 ? '' : 's'}`;
    lines.push(`  exempt ${e.ruleId} ${formatObjectRef(e.object)}: "${e.reason}" (${usage})`);
  }
  for (const f of [...report.exemptionErrors, ...report.findings]) lines.push(`  ${f.text}`);
  return lines.join('\n');
}

/** Thrown by `assertPolicy`; carries the report. */
export class PolicyCheckError extends Error {
  constructor(readonly report: PolicyReport) {
    const failures = [...report.exemptionErrors, ...report.findings];
    super(
      `manifest policy failed for ${report.env}: ${failures.length} finding${failures.length === 1 ? '' : 's'}\n` +
        failures.map((f) => `  ${f.text}`).join('\n'),
    );
    this.name = 'PolicyCheckError';
  }
}

/** `checkPolicy`, throwing a `PolicyCheckError` that lists every finding when any remains. */
export function assertPolicy(objects: readonly unknown[], options: CheckPolicyOptions): PolicyReport {
  const report = checkPolicy(objects, options);
  if (!report.passed) throw new PolicyCheckError(report);
  return report;
}
