/**
 * The offline checks `npm run synth` runs on each env's synthesized objects before anything is
 * written to `dist/`: strict schema validation (`constructs/validation`: types, required and unknown
 * fields, unknown kinds; plus `kubectl apply --dry-run=server` when KUBECONFIG names a reachable
 * cluster) and the manifest policy (`constructs/policy`, every rule over the whole env output).
 */
import type { EnvName } from '../../envs/environment-config';
import { checkPolicy, formatPolicyReport, PolicyReport } from '../policy';
import { validateObjects } from '../validation';

export interface SchemaValidationResult {
  /** One line per invalid field or object (`Kind/namespace/name field.path: message`). */
  readonly errors: readonly string[];
  /** Information, e.g. that the server-side dry-run was skipped. */
  readonly notes: readonly string[];
}

export interface OfflineCheckResult {
  readonly env: EnvName;
  readonly validation: SchemaValidationResult;
  readonly policy: PolicyReport;
  readonly passed: boolean;
  /** Wall time of validation + policy, milliseconds. */
  readonly millis: number;
  /** Human-readable report lines (validation and policy). */
  readonly report: string;
}

/** Strict schema validation of the objects (the single call site of `constructs/validation`). */
export function validateSchemas(objects: readonly Record<string, unknown>[]): SchemaValidationResult {
  const issues = validateObjects(objects);
  return {
    errors: issues.filter((i) => i.severity === 'error').map((i) => i.text),
    notes: issues.filter((i) => i.severity === 'note').map((i) => i.text),
  };
}

export function runOfflineChecks(env: EnvName, objects: readonly Record<string, unknown>[]): OfflineCheckResult {
  const started = process.hrtime.bigint();
  const validation = validateSchemas(objects);
  const policy = checkPolicy(objects, { env });
  const lines = [
    `validation (${env}): ${validation.errors.length === 0 ? 'PASSED' : `FAILED: ${validation.errors.length} error(s)`}`,
    ...validation.errors.map((e) => `  ${e}`),
    formatPolicyReport(policy),
  ];
  const millis = Number(process.hrtime.bigint() - started) / 1e6;
  return { env, validation, policy, passed: policy.passed && validation.errors.length === 0, millis, report: lines.join('\n') };
}
