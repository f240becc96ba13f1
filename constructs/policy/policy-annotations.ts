/**
 * The annotations through which an object tells the policy checks something about itself. They are
 * written next to the object they concern (never in a global list), so a reviewer sees the reason
 * where the exception is.
 */

/**
 * Prefix of an exemption annotation on the object that needs it. The full key is
 * `policy.rspp.io/exempt.<RULE-ID>` and the value is the written reason, e.g.
 * `policy.rspp.io/exempt.RSPP-POD-001: "LiveKit needs host networking for UDP media"`.
 * Use `exemptFromPolicy(apiObject, ruleId, reason)` rather than writing it by hand.
 */
export const EXEMPTION_ANNOTATION_PREFIX = 'policy.rspp.io/exempt.';

/**
 * On a workload's pod template (`spec.template.metadata.annotations`, the Pod's own for a bare
 * Pod): the seconds the workload needs to drain on SIGTERM. RSPP-POD-015 checks that
 * `terminationGracePeriodSeconds` covers `gracePeriodFor(drainSeconds)` (preStop + drain + exit
 * margin, `runtime/contracts/runtime-interface.ts`). Value: a non-negative integer, e.g. `"30"`.
 */
export const DRAIN_SECONDS_ANNOTATION = 'rspp.io/drain-seconds';

/**
 * On the object that references them: ConfigMaps, Secrets, ServiceAccounts and PVCs that exist
 * in the cluster but are not part of this synth output (RSPP-META-003). Value: a comma-separated
 * list of `Kind/name` in the object's namespace, e.g. `"Secret/etcd-client-tls, ConfigMap/ca-bundle"`.
 * Use `declareExternalRefs(apiObject, refs)`.
 */
export const EXTERNAL_REFS_ANNOTATION = 'rspp.io/external-refs';
