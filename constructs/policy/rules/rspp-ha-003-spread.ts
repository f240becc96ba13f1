import { asArray, asRecord } from '../manifest-object';
import { labelSelectorMatches } from '../label-selector';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';
import { isReplicated } from '../replication';
import { Workload } from '../workloads';

export const NODE_TOPOLOGY_KEY = 'kubernetes.io/hostname';

/** A term spreads the workload across nodes when it is keyed on the node and selects the workload's own pods. */
function spreadsAcrossNodes(term: unknown, w: Workload): boolean {
  const t = asRecord(term);
  return t.topologyKey === NODE_TOPOLOGY_KEY && t.labelSelector !== undefined && labelSelectorMatches(t.labelSelector, w.podLabels);
}

export const RSPP_HA_003: PolicyRule = {
  id: 'RSPP-HA-003',
  title: 'stage/prod: pod anti-affinity or topology spread across nodes',
  why: 'Replicas the scheduler packs onto one node all die with that node.',
  fix: `add podAntiAffinity or a topologySpreadConstraint on ${NODE_TOPOLOGY_KEY} whose labelSelector matches the pod's own labels`,
  envs: ['stage', 'prod'],
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads.filter((x) => isReplicated(ctx, x))) {
      const antiAffinity = asRecord(asRecord(w.podSpec.affinity).podAntiAffinity);
      const terms = [
        ...asArray(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution),
        ...asArray(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution).map((p) => asRecord(p).podAffinityTerm),
        ...asArray(w.podSpec.topologySpreadConstraints),
      ];
      if (!terms.some((term) => spreadsAcrossNodes(term, w))) {
        out.push(violation(w.object, [...w.podSpecPath, 'affinity'], 'nothing spreads the replicas across nodes'));
      }
    }
    return out;
  },
};
