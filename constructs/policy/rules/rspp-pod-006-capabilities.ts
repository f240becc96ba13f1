import { asArray, asRecord } from '../manifest-object';
import { containerSecurityField } from '../pod-security-context';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

/** The one capability a non-root process may need: binding ports below 1024. */
const ALLOWED_ADDED = ['NET_BIND_SERVICE'];

export const RSPP_POD_006: PolicyRule = {
  id: 'RSPP-POD-006',
  title: 'capabilities drop ALL; add nothing beyond NET_BIND_SERVICE',
  why: 'Default capabilities (NET_RAW, CHOWN, SETUID, ...) give an attacker tools the process does not need.',
  fix: 'set securityContext.capabilities.drop: [ALL] and add at most NET_BIND_SERVICE',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      for (const c of w.containers) {
        const capabilities = containerSecurityField(c, 'capabilities');
        const drop = asArray(asRecord(capabilities.value).drop);
        if (!drop.includes('ALL')) {
          out.push(violation(w.object, [...capabilities.path, 'drop'], `container "${c.name}" does not drop ALL capabilities`));
        }
        asArray(asRecord(capabilities.value).add).forEach((cap, i) => {
          if (typeof cap !== 'string' || !ALLOWED_ADDED.includes(cap)) {
            out.push(violation(w.object, [...capabilities.path, 'add', i], `container "${c.name}" adds capability ${JSON.stringify(cap)}`));
          }
        });
      }
    }
    return out;
  },
};
