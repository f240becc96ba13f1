import { asRecord } from '../manifest-object';
import { effectiveSecurityField } from '../pod-security-context';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

const ALLOWED_PROFILES = ['RuntimeDefault', 'Localhost'];

export const RSPP_POD_005: PolicyRule = {
  id: 'RSPP-POD-005',
  title: 'seccompProfile.type: RuntimeDefault (or Localhost)',
  why: 'Without a seccomp profile every syscall is reachable, including the ones container escapes use.',
  fix: 'set securityContext.seccompProfile.type: RuntimeDefault on the pod',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      for (const c of w.containers) {
        const profile = effectiveSecurityField(w, c, 'seccompProfile');
        const type = asRecord(profile.value).type;
        if (typeof type !== 'string' || !ALLOWED_PROFILES.includes(type)) {
          const state = profile.set ? `type is ${JSON.stringify(type)}` : 'is not set';
          out.push(violation(w.object, profile.path, `container "${c.name}" seccompProfile ${state}`));
        }
      }
    }
    return out;
  },
};
