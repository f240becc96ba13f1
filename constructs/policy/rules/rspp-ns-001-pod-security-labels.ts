import { labelsOf } from '../manifest-object';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

export const POD_SECURITY_MODES = ['enforce', 'audit', 'warn'] as const;
export const POD_SECURITY_LEVEL = 'restricted';

export const RSPP_NS_001: PolicyRule = {
  id: 'RSPP-NS-001',
  title: 'namespaces carry pod-security.kubernetes.io/enforce: restricted (plus audit and warn)',
  why: 'Pod Security admission is the in-cluster backstop for the pod rules: it rejects what a bad manifest slips through.',
  fix: 'label the Namespace pod-security.kubernetes.io/{enforce,audit,warn}: restricted',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const ns of ctx.objectsOfKind('Namespace')) {
      const labels = labelsOf(ns);
      for (const mode of POD_SECURITY_MODES) {
        const key = `pod-security.kubernetes.io/${mode}`;
        if (labels[key] !== POD_SECURITY_LEVEL) {
          const state = labels[key] === undefined ? 'is missing' : `is "${labels[key]}"`;
          out.push(violation(ns, ['metadata', 'labels', key], `label ${key} ${state}, not "${POD_SECURITY_LEVEL}"`));
        }
      }
    }
    return out;
  },
};
