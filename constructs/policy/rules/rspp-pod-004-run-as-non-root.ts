import { effectiveSecurityField } from '../pod-security-context';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

export const RSPP_POD_004: PolicyRule = {
  id: 'RSPP-POD-004',
  title: 'runAsNonRoot: true and a non-zero runAsUser',
  why: 'A process running as UID 0 is root on the node if it escapes the container.',
  fix: 'set securityContext.runAsNonRoot: true and runAsUser to a non-zero UID (pod or container level)',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      for (const c of w.containers) {
        const nonRoot = effectiveSecurityField(w, c, 'runAsNonRoot');
        if (nonRoot.value !== true) {
          const state = nonRoot.set ? `is ${JSON.stringify(nonRoot.value)}` : 'is not set';
          out.push(violation(w.object, nonRoot.path, `container "${c.name}" runAsNonRoot ${state}`));
        }
        const user = effectiveSecurityField(w, c, 'runAsUser');
        if (!user.set) {
          out.push(violation(w.object, user.path, `container "${c.name}" runAsUser is not set (the image decides the UID)`));
        } else if (typeof user.value !== 'number' || user.value === 0) {
          out.push(violation(w.object, user.path, `container "${c.name}" runAsUser is ${JSON.stringify(user.value)} (root)`));
        }
      }
    }
    return out;
  },
};
