import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

export const RSPP_NS_002: PolicyRule = {
  id: 'RSPP-NS-002',
  title: 'each namespace has a ResourceQuota and a LimitRange',
  why: 'Without a quota one runaway workload starves the cluster; without a LimitRange a container without resources gets none.',
  fix: 'add a ResourceQuota and a LimitRange to the namespace',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const namespace of ctx.namespaces) {
      for (const kind of ['ResourceQuota', 'LimitRange']) {
        if (ctx.objectsOfKind(kind, namespace).length === 0) {
          out.push(violation(ctx.namespaceObject(namespace), [], `namespace "${namespace}" has no ${kind}`));
        }
      }
    }
    return out;
  },
};
