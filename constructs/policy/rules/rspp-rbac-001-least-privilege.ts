import { asArray, asRecord } from '../manifest-object';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

export const RSPP_RBAC_001: PolicyRule = {
  id: 'RSPP-RBAC-001',
  title: 'no wildcard verbs or resources; no cluster-admin binding; Roles over ClusterRoles',
  why: 'Wildcards grant tomorrow\'s resources and verbs too; cluster-wide grants turn one compromised pod into a compromised cluster.',
  fix: 'list verbs and resources explicitly in a namespaced Role bound by a RoleBinding',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const role of [...ctx.objectsOfKind('Role'), ...ctx.objectsOfKind('ClusterRole')]) {
      if (role.kind === 'ClusterRole') {
        out.push(violation(role, ['kind'], 'ClusterRole grants cluster-wide; use a namespaced Role'));
      }
      asArray(role.rules).forEach((raw, i) => {
        const rule = asRecord(raw);
        for (const field of ['verbs', 'resources'] as const) {
          if (asArray(rule[field]).includes('*')) {
            out.push(violation(role, ['rules', i, field], `rule grants wildcard ${field}`));
          }
        }
      });
    }
    for (const binding of [...ctx.objectsOfKind('RoleBinding'), ...ctx.objectsOfKind('ClusterRoleBinding')]) {
      if (binding.kind === 'ClusterRoleBinding') {
        out.push(violation(binding, ['kind'], 'ClusterRoleBinding grants cluster-wide; use a RoleBinding'));
      }
      const roleRef = asRecord(binding.roleRef);
      if (roleRef.kind === 'ClusterRole' && roleRef.name === 'cluster-admin') {
        out.push(violation(binding, ['roleRef', 'name'], 'binds cluster-admin'));
      }
    }
    return out;
  },
};
