import { isDeepStrictEqual } from 'node:util';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

export const RSPP_POD_012: PolicyRule = {
  id: 'RSPP-POD-012',
  title: 'liveness and readiness probes on every long-running container; they are not identical',
  why: 'Without readiness traffic reaches pods that cannot serve; identical probes restart pods that are only busy or draining.',
  fix: 'add a livenessProbe (process alive, e.g. /healthz) and a distinct readinessProbe (can serve, e.g. /readyz)',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      for (const c of w.containers.filter((x) => x.longRunning)) {
        const liveness = c.container.livenessProbe;
        const readiness = c.container.readinessProbe;
        if (liveness === undefined) {
          out.push(violation(w.object, [...c.path, 'livenessProbe'], `long-running container "${c.name}" has no livenessProbe`));
        }
        if (readiness === undefined) {
          out.push(violation(w.object, [...c.path, 'readinessProbe'], `long-running container "${c.name}" has no readinessProbe`));
        }
        if (liveness !== undefined && readiness !== undefined && isDeepStrictEqual(liveness, readiness)) {
          out.push(violation(w.object, [...c.path, 'readinessProbe'], `container "${c.name}" readinessProbe is identical to its livenessProbe`));
        }
      }
    }
    return out;
  },
};
