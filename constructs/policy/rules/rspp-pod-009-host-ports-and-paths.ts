import { asArray, asRecord, asString } from '../manifest-object';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

export const RSPP_POD_009: PolicyRule = {
  id: 'RSPP-POD-009',
  title: 'no hostPort, no hostPath',
  why: 'hostPort pins pods to nodes and bypasses NetworkPolicy; hostPath exposes the node filesystem.',
  fix: 'expose ports through a Service and store data in emptyDir or a PVC',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      for (const c of w.containers) {
        asArray(c.container.ports).forEach((raw, i) => {
          const hostPort = asRecord(raw).hostPort;
          if (hostPort !== undefined && hostPort !== 0) {
            out.push(violation(w.object, [...c.path, 'ports', i, 'hostPort'], `container "${c.name}" binds hostPort ${JSON.stringify(hostPort)}`));
          }
        });
      }
      asArray(w.podSpec.volumes).forEach((raw, i) => {
        const volume = asRecord(raw);
        if (volume.hostPath !== undefined) {
          const name = asString(volume.name) ?? `#${i}`;
          out.push(violation(w.object, [...w.podSpecPath, 'volumes', i, 'hostPath'], `volume "${name}" mounts a host path`));
        }
      });
    }
    return out;
  },
};
