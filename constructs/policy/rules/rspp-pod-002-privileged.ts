import { containerSecurityField } from '../pod-security-context';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

export const RSPP_POD_002: PolicyRule = {
  id: 'RSPP-POD-002',
  title: 'no privileged containers',
  why: 'A privileged container has every capability and all host devices: it is root on the node.',
  fix: 'remove securityContext.privileged (or set it to false)',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      for (const c of w.containers) {
        const privileged = containerSecurityField(c, 'privileged');
        if (privileged.value === true) {
          out.push(violation(w.object, privileged.path, `container "${c.name}" is privileged`));
        }
      }
    }
    return out;
  },
};
