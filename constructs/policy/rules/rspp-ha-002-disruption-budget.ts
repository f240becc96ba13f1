import { PolicyRule, PolicyViolation, violation } from '../policy-rule';
import { disruptionBudgetsFor, isReplicated } from '../replication';

export const RSPP_HA_002: PolicyRule = {
  id: 'RSPP-HA-002',
  title: 'stage/prod: a PodDisruptionBudget for every replicated workload',
  why: 'Without a PDB a node drain may evict every replica at once.',
  fix: "add a PodDisruptionBudget whose selector matches the workload's pod labels",
  envs: ['stage', 'prod'],
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads.filter((x) => isReplicated(ctx, x))) {
      if (disruptionBudgetsFor(ctx, w).length === 0) {
        out.push(violation(w.object, [...w.podMetadataPath, 'labels'], 'no PodDisruptionBudget selects these pods'));
      }
    }
    return out;
  },
};
