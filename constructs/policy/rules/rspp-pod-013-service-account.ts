import { asArray, asRecord, asString, namespaceOf } from '../manifest-object';
import { PolicyContext, PolicyRule, PolicyViolation, violation } from '../policy-rule';
import { Workload } from '../workloads';

function serviceAccountNameOf(w: Workload): string | undefined {
  return asString(w.podSpec.serviceAccountName) ?? asString(w.podSpec.serviceAccount);
}

/** A workload "calls the API" when its ServiceAccount is granted a Role or ClusterRole in the output. */
function isBound(ctx: PolicyContext, namespace: string | undefined, serviceAccount: string): boolean {
  const bindings = [...ctx.objectsOfKind('RoleBinding'), ...ctx.objectsOfKind('ClusterRoleBinding')];
  return bindings.some((binding) =>
    asArray(binding.subjects).some((raw) => {
      const subject = asRecord(raw);
      const subjectNamespace = asString(subject.namespace) ?? namespaceOf(binding);
      return subject.kind === 'ServiceAccount' && subject.name === serviceAccount && subjectNamespace === namespace;
    }),
  );
}

export const RSPP_POD_013: PolicyRule = {
  id: 'RSPP-POD-013',
  title: 'automountServiceAccountToken: false unless the workload calls the API; a dedicated ServiceAccount',
  why: 'A mounted token the process does not need is a free API credential for an attacker; a shared account shares its grants.',
  fix: 'give the workload its own ServiceAccount and set automountServiceAccountToken: false unless a RoleBinding grants that account API access',
  check(ctx) {
    const out: PolicyViolation[] = [];
    const users = new Map<string, Workload[]>();
    for (const w of ctx.workloads) {
      const accountName = serviceAccountNameOf(w);
      const namespace = namespaceOf(w.object);
      if (accountName === undefined || accountName === 'default') {
        out.push(violation(w.object, [...w.podSpecPath, 'serviceAccountName'], `pod runs as the namespace's default ServiceAccount`));
      } else {
        const key = `${namespace}/${accountName}`;
        users.set(key, [...(users.get(key) ?? []), w]);
      }
      const effectiveAccount = accountName ?? 'default';
      const account = ctx
        .objectsOfKind('ServiceAccount', namespace)
        .find((sa) => asString(asRecord(sa.metadata).name) === effectiveAccount);
      const automount = w.podSpec.automountServiceAccountToken ?? account?.automountServiceAccountToken ?? true;
      if (automount !== false && !isBound(ctx, namespace, effectiveAccount)) {
        out.push(
          violation(
            w.object,
            [...w.podSpecPath, 'automountServiceAccountToken'],
            `API token of ServiceAccount "${effectiveAccount}" is mounted but no RoleBinding grants that account anything`,
          ),
        );
      }
    }
    for (const [key, sharing] of users) {
      if (sharing.length < 2) continue;
      for (const w of sharing) {
        const others = sharing.filter((o) => o !== w).map((o) => `${o.kind}/${o.name}`);
        out.push(violation(w.object, [...w.podSpecPath, 'serviceAccountName'], `ServiceAccount "${key.split('/').pop()}" is shared with ${others.join(', ')}`));
      }
    }
    return out;
  },
};
