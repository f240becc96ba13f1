import { containerSecurityField } from '../pod-security-context';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

export const RSPP_POD_003: PolicyRule = {
  id: 'RSPP-POD-003',
  title: 'allowPrivilegeEscalation: false',
  why: 'Without it a process can gain more privileges than its parent (setuid binaries, file capabilities).',
  fix: 'set securityContext.allowPrivilegeEscalation: false on every container',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      for (const c of w.containers) {
        const setting = containerSecurityField(c, 'allowPrivilegeEscalation');
        if (setting.value !== false) {
          const state = setting.set ? `is ${JSON.stringify(setting.value)}` : 'is not set (defaults to true)';
          out.push(violation(w.object, setting.path, `container "${c.name}" allowPrivilegeEscalation ${state}`));
        }
      }
    }
    return out;
  },
};
