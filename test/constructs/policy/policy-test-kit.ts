/** Helpers for rule tests: run the whole policy and keep one rule's findings. */
import { RSPP_POLICY_RULES, checkPolicy } from '../../../constructs/policy';
import type { DeclaredExternalRefs, PolicyRuleId } from '../../../constructs/policy';
import type { EnvName } from '../../../envs/environment-config';

export function findingsOf(objects: unknown[], ruleId: PolicyRuleId, env: EnvName = 'prod', declaredExternal?: DeclaredExternalRefs): string[] {
  return checkPolicy(objects, { env, declaredExternal })
    .findings.filter((f) => f.ruleId === ruleId)
    .map((f) => f.text);
}

/** The exact finding line for `ruleId`, with the rule's own fix text. */
export function line(ruleId: PolicyRuleId, object: string, path: string, message: string): string {
  const rule = RSPP_POLICY_RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  return `${ruleId} ${object} ${path}: ${message} (fix: ${rule.fix})`;
}

export const POD = 'spec.template.spec';
export const C0 = `${POD}.containers[0]`;
export const RUNTIME = 'Deployment/rspp/rspp-runtime';
