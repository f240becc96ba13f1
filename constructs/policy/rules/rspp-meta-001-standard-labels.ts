import { labelsOf } from '../manifest-object';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

export const STANDARD_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
] as const;

export const RSPP_META_001: PolicyRule = {
  id: 'RSPP-META-001',
  title: 'app.kubernetes.io/name, instance, version, component, part-of, managed-by labels',
  why: 'Without the standard labels nobody (human, dashboard or cleanup job) can tell what an object belongs to.',
  fix: `set the labels ${STANDARD_LABELS.join(', ')} on the object`,
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const object of ctx.objects) {
      const labels = labelsOf(object);
      const missing = STANDARD_LABELS.filter((key) => (labels[key] ?? '').trim() === '');
      if (missing.length > 0) {
        out.push(violation(object, ['metadata', 'labels'], `missing ${missing.join(', ')}`));
      }
    }
    return out;
  },
};
