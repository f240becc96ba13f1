import { asArray, asRecord } from '../manifest-object';
import { isEmptyLabelSelector } from '../label-selector';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

const DIRECTIONS = [
  ['Ingress', 'ingress'],
  ['Egress', 'egress'],
] as const;

export const RSPP_NET_001: PolicyRule = {
  id: 'RSPP-NET-001',
  title: 'a default-deny NetworkPolicy for ingress and egress in every namespace',
  why: 'Without a default deny every pod can reach every other pod and the internet; allow rules mean nothing.',
  fix: 'add a NetworkPolicy with podSelector: {}, policyTypes: [Ingress, Egress] and no rules',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const namespace of ctx.namespaces) {
      const policies = ctx.objectsOfKind('NetworkPolicy', namespace).map((p) => asRecord(p.spec));
      for (const [type, rulesField] of DIRECTIONS) {
        const denies = policies.some(
          (spec) =>
            isEmptyLabelSelector(spec.podSelector) &&
            asArray(spec.policyTypes).includes(type) &&
            asArray(spec[rulesField]).length === 0,
        );
        if (!denies) {
          out.push(violation(ctx.namespaceObject(namespace), [], `namespace "${namespace}" has no default-deny ${type} NetworkPolicy`));
        }
      }
    }
    return out;
  },
};
