import { containerSecurityField } from '../pod-security-context';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

export const RSPP_POD_007: PolicyRule = {
  id: 'RSPP-POD-007',
  title: 'readOnlyRootFilesystem: true; writable paths are explicit emptyDir volumes',
  why: 'A writable root filesystem lets an attacker drop tools and persist changes inside the container.',
  fix: 'set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process writes',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      for (const c of w.containers) {
        const setting = containerSecurityField(c, 'readOnlyRootFilesystem');
        if (setting.value !== true) {
          const state = setting.set ? `is ${JSON.stringify(setting.value)}` : 'is not set';
          out.push(violation(w.object, setting.path, `container "${c.name}" readOnlyRootFilesystem ${state}`));
        }
      }
    }
    return out;
  },
};
