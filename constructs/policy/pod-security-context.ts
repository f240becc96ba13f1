/**
 * The effective security setting of a container: the container's `securityContext` overrides the
 * pod's for the fields both carry (runAsNonRoot, runAsUser, seccompProfile), as the kubelet applies
 * them. Rules report the container path when the container sets the field, else the pod path.
 */
import { FieldPath, asRecord } from './manifest-object';
import { Workload, WorkloadContainer } from './workloads';

export interface EffectiveSetting {
  readonly value: unknown;
  /** Where the value comes from (or, when unset, where to set it: the container). */
  readonly path: FieldPath;
  readonly set: boolean;
}

export type InheritableSecurityField = 'runAsNonRoot' | 'runAsUser' | 'seccompProfile';

export function effectiveSecurityField(
  workload: Workload,
  container: WorkloadContainer,
  field: InheritableSecurityField,
): EffectiveSetting {
  const containerContext = asRecord(container.container.securityContext);
  if (containerContext[field] !== undefined) {
    return { value: containerContext[field], path: [...container.path, 'securityContext', field], set: true };
  }
  const podContext = asRecord(workload.podSpec.securityContext);
  if (podContext[field] !== undefined) {
    return { value: podContext[field], path: [...workload.podSpecPath, 'securityContext', field], set: true };
  }
  return { value: undefined, path: [...container.path, 'securityContext', field], set: false };
}

/** A field only a container's securityContext carries (privileged, capabilities, ...). */
export function containerSecurityField(container: WorkloadContainer, field: string): EffectiveSetting {
  const value = asRecord(container.container.securityContext)[field];
  return { value, path: [...container.path, 'securityContext', field], set: value !== undefined };
}
