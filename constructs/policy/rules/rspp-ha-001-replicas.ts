import { asNumber, asRecord } from '../manifest-object';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';
import { autoscalerFor, autoscalerMin } from '../replication';

/** An etcd-style quorum: an odd member count of at least three (tolerates one member down). */
export function isQuorumSize(members: number): boolean {
  return members >= 3 && members % 2 === 1;
}

export const RSPP_HA_001: PolicyRule = {
  id: 'RSPP-HA-001',
  title: 'stage/prod: ≥2 replicas for every Deployment, quorum sizes for StatefulSets',
  why: 'A single replica makes every node drain, rollout or crash an outage; an even quorum tolerates no more failures than the odd size below it.',
  fix: 'run at least 2 Deployment replicas (HPA minReplicas when autoscaled) and an odd StatefulSet size of at least 3',
  envs: ['stage', 'prod'],
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      if (w.kind === 'Deployment') {
        const hpa = autoscalerFor(ctx, w);
        if (hpa !== undefined) {
          const min = autoscalerMin(hpa);
          if (min < 2) out.push(violation(hpa, ['spec', 'minReplicas'], `autoscaler of Deployment/${w.name} allows ${min} replica`));
        } else {
          const replicas = asNumber(asRecord(w.object.spec).replicas) ?? 1;
          if (replicas < 2) out.push(violation(w.object, ['spec', 'replicas'], `${replicas} replica (default 1 when unset)`));
        }
      } else if (w.kind === 'StatefulSet') {
        const replicas = asNumber(asRecord(w.object.spec).replicas) ?? 1;
        if (!isQuorumSize(replicas)) {
          out.push(violation(w.object, ['spec', 'replicas'], `${replicas} replicas is not a quorum size (odd, at least 3)`));
        }
      }
    }
    return out;
  },
};
