/**
 * Container resources from the env config's `ResourceSpec`, checked (well-formed, positive,
 * request ≤ limit) and converted to Kubernetes types (manifest-policy RSPP-POD-010).
 * The parser and the checks live in `envs/` so the env schema and the constructs agree.
 */
import { k8s } from 'cdk8s-plus-27';
import type { ResourceSpec } from '../../envs/environment-config';
import { resourceSpecProblems } from '../../envs/resource-spec';

export { bytesOf, cpuMillis, isPositiveQuantity, parseQuantity } from '../../envs/quantity';
export { resourceSpecProblems } from '../../envs/resource-spec';

/** Kubernetes `resources` for a container; throws `<where>: <every problem>` when `spec` is invalid. */
export function containerResources(spec: ResourceSpec, where: string, path = 'props.resources'): k8s.ResourceRequirements {
  const problems = resourceSpecProblems(spec, path);
  if (problems.length > 0) throw new Error(`${where}: ${problems.join('; ')}`);
  return {
    requests: { cpu: k8s.Quantity.fromString(spec.cpuRequest), memory: k8s.Quantity.fromString(spec.memoryRequest) },
    limits: {
      memory: k8s.Quantity.fromString(spec.memoryLimit),
      ...(spec.cpuLimit !== undefined ? { cpu: k8s.Quantity.fromString(spec.cpuLimit) } : {}),
    },
  };
}
