import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

const HOST_NAMESPACE_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

export const RSPP_POD_001: PolicyRule = {
  id: 'RSPP-POD-001',
  title: 'no hostNetwork, hostPID, hostIPC',
  why: "Sharing the node's network, process or IPC namespace lets a compromised pod see and reach everything on the node.",
  fix: 'remove hostNetwork/hostPID/hostIPC (or set them to false)',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      for (const field of HOST_NAMESPACE_FIELDS) {
        if (w.podSpec[field] === true) {
          out.push(violation(w.object, [...w.podSpecPath, field], `${field} is true; the pod shares the node's namespace`));
        }
      }
    }
    return out;
  },
};
