/**
 * Checks of a `ResourceSpec` (well-formed positive quantities, request ≤ limit). Shared by the env
 * schema and by the constructs (`constructs/common/quantities.ts`), so both say the same thing.
 */
import type { ResourceSpec } from './environment-config';
import { bytesOf, cpuMillis, isPositiveQuantity } from './quantity';
import { resourceBoundProblems } from './quantity-bounds';

/** Every problem with `spec`, each prefixed by `path` (e.g. `runtime.resources`). Empty when valid. */
export function resourceSpecProblems(spec: ResourceSpec, path: string): string[] {
  const problems: string[] = [];
  const fields: ReadonlyArray<readonly [keyof ResourceSpec, unknown, 'cpu' | 'memory']> = [
    ['cpuRequest', spec.cpuRequest, 'cpu'],
    ['memoryRequest', spec.memoryRequest, 'memory'],
    ['memoryLimit', spec.memoryLimit, 'memory'],
    ['cpuLimit', spec.cpuLimit, 'cpu'],
  ];
  for (const [field, value, kind] of fields) {
    if (value === undefined && field === 'cpuLimit') continue;
    if (typeof value !== 'string' || !isPositiveQuantity(value)) {
      const example = kind === 'cpu' ? `"250m" or "1"` : `"256Mi" or "1Gi"`;
      problems.push(`${path}.${field}: ${JSON.stringify(value)} is not a positive Kubernetes quantity; use e.g. ${example}`);
    }
  }
  if (problems.length === 0) problems.push(...resourceBoundProblems(spec, path));
  if (problems.length === 0) {
    if (bytesOf(spec.memoryRequest)! > bytesOf(spec.memoryLimit)!) {
      problems.push(`${path}.memoryRequest: ${spec.memoryRequest} exceeds memoryLimit ${spec.memoryLimit}; set memoryRequest <= memoryLimit`);
    }
    if (spec.cpuLimit !== undefined && cpuMillis(spec.cpuRequest)! > cpuMillis(spec.cpuLimit)!) {
      problems.push(`${path}.cpuRequest: ${spec.cpuRequest} exceeds cpuLimit ${spec.cpuLimit}; set cpuRequest <= cpuLimit`);
    }
  }
  return problems;
}
