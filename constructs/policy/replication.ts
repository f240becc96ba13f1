/**
 * Who scales and who protects a workload: the HorizontalPodAutoscaler that targets it and the
 * PodDisruptionBudgets that select its pods. Shared by the RSPP-HA-* rules.
 */
import { ManifestObject, asNumber, asRecord, asString, namespaceOf } from './manifest-object';
import { labelSelectorMatches } from './label-selector';
import { PolicyContext } from './policy-rule';
import { Workload } from './workloads';

/** The HPA whose `scaleTargetRef` names this workload (same namespace, kind and name). */
export function autoscalerFor(ctx: PolicyContext, workload: Workload): ManifestObject | undefined {
  return ctx.objectsOfKind('HorizontalPodAutoscaler', namespaceOf(workload.object)).find((hpa) => {
    const target = asRecord(asRecord(hpa.spec).scaleTargetRef);
    return target.kind === workload.kind && target.name === workload.name;
  });
}

/** `spec.minReplicas` of an HPA (Kubernetes default 1). */
export function autoscalerMin(hpa: ManifestObject): number {
  return asNumber(asRecord(hpa.spec).minReplicas) ?? 1;
}

/** The fewest replicas the workload runs: the HPA's minimum when autoscaled, else `spec.replicas` (default 1). */
export function minimumReplicas(ctx: PolicyContext, workload: Workload): number {
  const hpa = autoscalerFor(ctx, workload);
  if (hpa !== undefined) return autoscalerMin(hpa);
  return asNumber(asRecord(workload.object.spec).replicas) ?? 1;
}

/** Deployments and StatefulSets: the kinds whose replicas HA is about. */
export function isReplicaWorkload(workload: Workload): boolean {
  return workload.kind === 'Deployment' || workload.kind === 'StatefulSet';
}

/** Replica workloads that run at least two pods. */
export function isReplicated(ctx: PolicyContext, workload: Workload): boolean {
  return isReplicaWorkload(workload) && minimumReplicas(ctx, workload) >= 2;
}

/** PodDisruptionBudgets in the workload's namespace whose selector matches its pod labels. */
export function disruptionBudgetsFor(ctx: PolicyContext, workload: Workload): readonly ManifestObject[] {
  return ctx
    .objectsOfKind('PodDisruptionBudget', namespaceOf(workload.object))
    .filter((pdb) => labelSelectorMatches(asRecord(pdb.spec).selector, workload.podLabels));
}

/** An int-or-percent PDB field scaled to `replicas`, rounded up as the disruption controller does. */
function scaled(value: unknown, replicas: number): number | undefined {
  const count = asNumber(value);
  if (count !== undefined) return count;
  const percent = asString(value)?.match(/^(\d+)%$/);
  return percent ? Math.ceil((replicas * Number(percent[1])) / 100) : undefined;
}

/**
 * Pods a PDB keeps available when the workload runs `replicas` pods: `minAvailable`, or
 * `replicas - maxUnavailable`; undefined when the PDB sets neither (or a malformed value).
 */
export function availabilityFloor(pdb: ManifestObject, replicas: number): number | undefined {
  const spec = asRecord(pdb.spec);
  const minAvailable = scaled(spec.minAvailable, replicas);
  if (minAvailable !== undefined) return minAvailable;
  const maxUnavailable = scaled(spec.maxUnavailable, replicas);
  return maxUnavailable === undefined ? undefined : Math.max(0, replicas - maxUnavailable);
}
