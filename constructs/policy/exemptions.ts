/**
 * Policy exemptions: an annotation on the object that needs it, naming the rule and giving the
 * written reason. There is no global switch-off: an exemption covers one rule on one object, it is
 * listed in every report, and an exemption without a reason or naming an unknown rule is itself an
 * error that fails the check.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { FieldPath, ManifestObject, ObjectRef, annotationsOf, objectRef } from './manifest-object';
import { EXEMPTION_ANNOTATION_PREFIX } from './policy-annotations';
import { POLICY_RULE_IDS, PolicyRuleId, isPolicyRuleId } from './policy-rule';

/** Shortest reason accepted: a reason is a sentence a reviewer can judge, not "n/a". */
export const MIN_EXEMPTION_REASON_LENGTH = 10;

export interface PolicyExemption {
  readonly ruleId: PolicyRuleId;
  readonly object: ObjectRef;
  readonly reason: string;
  /** Where the exemption is written. */
  readonly path: FieldPath;
}

/** A malformed exemption annotation: reported like a finding, fails the check. */
export interface ExemptionError {
  readonly object: ManifestObject;
  readonly path: FieldPath;
  readonly message: string;
  readonly fix: string;
}

function reasonProblem(reason: string): string | undefined {
  const trimmed = reason.trim();
  if (trimmed === '') return 'has no reason';
  if (trimmed.length < MIN_EXEMPTION_REASON_LENGTH) {
    return `reason "${trimmed}" is too short (at least ${MIN_EXEMPTION_REASON_LENGTH} characters: say why the object needs it)`;
  }
  return undefined;
}

/** The exemptions written on one object, and the errors in them. */
export function exemptionsOf(object: ManifestObject): {
  readonly exemptions: readonly PolicyExemption[];
  readonly errors: readonly ExemptionError[];
} {
  const exemptions: PolicyExemption[] = [];
  const errors: ExemptionError[] = [];
  for (const [key, reason] of Object.entries(annotationsOf(object))) {
    if (!key.startsWith(EXEMPTION_ANNOTATION_PREFIX)) continue;
    const ruleId = key.slice(EXEMPTION_ANNOTATION_PREFIX.length);
    const path: FieldPath = ['metadata', 'annotations', key];
    if (!isPolicyRuleId(ruleId)) {
      errors.push({
        object,
        path,
        message: `exemption names unknown rule "${ruleId}"`,
        fix: `use one of ${POLICY_RULE_IDS.join(', ')}`,
      });
      continue;
    }
    const problem = reasonProblem(reason);
    if (problem !== undefined) {
      errors.push({
        object,
        path,
        message: `exemption from ${ruleId} ${problem}`,
        fix: 'write why this object needs the exemption as the annotation value',
      });
      continue;
    }
    exemptions.push({ ruleId, object: objectRef(object), reason: reason.trim(), path });
  }
  return { exemptions, errors };
}

/**
 * Exempts one object from one rule, with the reason written next to it (an annotation
 * `policy.rspp.io/exempt.<ruleId>: <reason>`). Accepts a cdk8s `ApiObject` or any construct whose
 * default child is one (cdk8s-plus resources). Throws on an unknown rule or a missing reason.
 *
 * @example exemptFromPolicy(livekitPod, 'RSPP-POD-001', 'LiveKit needs host networking for UDP media')
 */
export function exemptFromPolicy(target: IConstruct, ruleId: string, reason: string): void {
  if (!isPolicyRuleId(ruleId)) {
    throw new Error(`exemptFromPolicy: unknown rule "${ruleId}"; use one of ${POLICY_RULE_IDS.join(', ')}`);
  }
  const problem = reasonProblem(reason);
  if (problem !== undefined) {
    throw new Error(`exemptFromPolicy: exemption from ${ruleId} on ${target.node.path} ${problem}`);
  }
  ApiObject.of(target).metadata.addAnnotation(`${EXEMPTION_ANNOTATION_PREFIX}${ruleId}`, reason.trim());
}
