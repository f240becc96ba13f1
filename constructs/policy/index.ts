/**
 * RSPP manifest policy checks (`manifest-policy.md`), run over the whole synthesized output of an app.
 */
export { assertPolicy, checkPolicy, createPolicyContext, formatFinding, formatPolicyReport, PolicyCheckError, EXEMPTION_ERROR_ID } from './check-policy';
export type { CheckPolicyOptions, ExemptedFinding, PolicyFinding, PolicyReport, ReportedExemption, RuleResult } from './check-policy';
export { exemptFromPolicy, exemptionsOf, MIN_EXEMPTION_REASON_LENGTH } from './exemptions';
export type { ExemptionError, PolicyExemption } from './exemptions';
export { declareExternalRefs, parseExternalRefs, EXTERNAL_REF_KINDS } from './external-refs';
export type { DeclaredExternalRefs, ExternalRef, ExternalRefKind } from './external-refs';
export { DRAIN_SECONDS_ANNOTATION, EXEMPTION_ANNOTATION_PREFIX, EXTERNAL_REFS_ANNOTATION } from './policy-annotations';
export { POLICY_RULE_IDS, isPolicyRuleId } from './policy-rule';
export type { PolicyContext, PolicyRule, PolicyRuleId, PolicyViolation } from './policy-rule';
export { RSPP_POLICY_RULES } from './rules';
export { formatFieldPath, formatObjectRef, objectRef } from './manifest-object';
export type { FieldPath, ManifestObject, ObjectRef } from './manifest-object';
