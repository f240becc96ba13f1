import { asArray, asNumber, asRecord, asString, formatObjectRef, objectRef } from '../manifest-object';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';
import { autoscalerMin, disruptionBudgetsFor, availabilityFloor } from '../replication';

/** autoscaling/v2 metric source field for each metric `type`. */
const METRIC_SOURCE: Readonly<Record<string, string>> = {
  Resource: 'resource',
  ContainerResource: 'containerResource',
  Pods: 'pods',
  Object: 'object',
  External: 'external',
};

export const RSPP_HA_004: PolicyRule = {
  id: 'RSPP-HA-004',
  title: 'HPA min ≤ max, min ≥ PDB minAvailable + 1, targets set',
  why: 'An HPA whose minimum equals the PDB floor blocks every drain; one without a target or metrics never scales.',
  fix: 'set minReplicas ≤ maxReplicas and ≥ the PDB minAvailable + 1, a scaleTargetRef in the output and a metric target',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const hpa of ctx.objectsOfKind('HorizontalPodAutoscaler')) {
      const spec = asRecord(hpa.spec);
      const min = autoscalerMin(hpa);
      const max = asNumber(spec.maxReplicas);
      if (max === undefined) {
        out.push(violation(hpa, ['spec', 'maxReplicas'], 'maxReplicas is not set'));
      } else if (min > max) {
        out.push(violation(hpa, ['spec', 'minReplicas'], `minReplicas ${min} > maxReplicas ${max}`));
      }
      const hasMetrics =
        asArray(spec.metrics).length > 0 || asNumber(spec.targetCPUUtilizationPercentage) !== undefined;
      if (!hasMetrics) out.push(violation(hpa, ['spec', 'metrics'], 'no metric targets'));
      asArray(spec.metrics).forEach((raw, i) => {
        const metric = asRecord(raw);
        const source = METRIC_SOURCE[asString(metric.type) ?? ''];
        if (source === undefined || asRecord(metric[source]).target === undefined) {
          out.push(violation(hpa, ['spec', 'metrics', i], `metric of type ${JSON.stringify(metric.type ?? null)} has no target`));
        }
      });
      const targetRef = asRecord(spec.scaleTargetRef);
      const workload = ctx.workloads.find((w) => w.object.kind === targetRef.kind && w.name === targetRef.name && w.namespace === objectRef(hpa).namespace);
      if (workload === undefined) {
        out.push(violation(hpa, ['spec', 'scaleTargetRef'], `target ${asString(targetRef.kind) ?? '?'}/${asString(targetRef.name) ?? '?'} is not in the output`));
        continue;
      }
      for (const pdb of disruptionBudgetsFor(ctx, workload)) {
        const floor = availabilityFloor(pdb, min);
        if (floor !== undefined && min < floor + 1) {
          out.push(
            violation(hpa, ['spec', 'minReplicas'], `minReplicas ${min} < minAvailable ${floor} + 1 of ${formatObjectRef(objectRef(pdb))}: at the minimum no pod could be evicted`),
          );
        }
      }
    }
    return out;
  },
};
