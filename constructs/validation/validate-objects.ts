/**
 * The dry-run entry points the synth CLI calls over the whole output of an app.
 */
import { ManifestObject, formatObjectRef, objectRef } from '../policy/manifest-object';
import { DeclaredKind, validateObjectSchema } from './schema-validation';
import { ServerDryRunOptions, runServerDryRun } from './server-dry-run';
import { ValidationIssue, objectIssue } from './validation-issue';

export interface ValidateObjectsOptions {
  /**
   * apiVersion/kind pairs served by CRDs that no installed model package knows; without a
   * declaration such objects are errors.
   * @default none
   */
  readonly declaredKinds?: readonly DeclaredKind[];
  /**
   * Server-side dry-run settings; `false` runs the offline validation only (used by callers that
   * run the server path separately).
   * @default {} (runs when KUBECONFIG is set and the cluster answers)
   */
  readonly server?: ServerDryRunOptions | false;
}

/** Same group/kind/namespace/name twice: the second `kubectl apply` silently overwrites the first. */
function duplicates(objects: readonly unknown[]): ValidationIssue[] {
  const seen = new Map<string, number>();
  const issues: ValidationIssue[] = [];
  objects.forEach((object, index) => {
    if (object === null || typeof object !== 'object' || Array.isArray(object)) return;
    const ref = objectRef(object as ManifestObject);
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    const key = `${group} ${formatObjectRef(ref)}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else issues.push(objectIssue('schema', ref, '(object)', `duplicate of document[${first}]; object names must be unique per kind and namespace`));
  });
  return issues;
}

/**
 * Validates every object: offline against the Kubernetes/CRD schemas (required fields, types,
 * unknown fields, unknown kinds), then, when KUBECONFIG names a reachable cluster, with
 * `kubectl apply --dry-run=server --validate=strict`. Notes (severity `note`) say what was skipped.
 */
export function validateObjects(objects: readonly unknown[], options: ValidateObjectsOptions = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  objects.forEach((object, index) => issues.push(...validateObjectSchema(object, index, options.declaredKinds)));
  issues.push(...duplicates(objects));
  if (options.server !== false) {
    const manifests = objects.filter((o): o is ManifestObject => o !== null && typeof o === 'object' && !Array.isArray(o));
    issues.push(...runServerDryRun(manifests, options.server ?? {}));
  }
  return issues;
}

/** Thrown by `assertValid`; carries every issue (errors and notes). */
export class ValidationFailedError extends Error {
  constructor(readonly issues: readonly ValidationIssue[]) {
    const errors = issues.filter((i) => i.severity === 'error');
    super(`manifest validation failed: ${errors.length} error${errors.length === 1 ? '' : 's'}\n${errors.map((i) => `  ${i.text}`).join('\n')}`);
    this.name = 'ValidationFailedError';
  }
}

/** `validateObjects`, throwing a `ValidationFailedError` listing every error; returns the notes otherwise. */
export function assertValid(objects: readonly unknown[], options: ValidateObjectsOptions = {}): ValidationIssue[] {
  const issues = validateObjects(objects, options);
  if (issues.some((i) => i.severity === 'error')) throw new ValidationFailedError(issues);
  return issues;
}
