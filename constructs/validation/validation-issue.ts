/**
 * One problem the offline (or server-side) validation found, named like a policy finding:
 * `Kind/namespace/name field.path: message`.
 */
import { ObjectRef, formatObjectRef } from '../policy/manifest-object';

export interface ValidationIssue {
  /** `error` fails `assertValid`; `note` is information (e.g. the server-side path was skipped). */
  readonly severity: 'error' | 'note';
  /** `schema`: offline schema check; `server`: `kubectl apply --dry-run=server`. */
  readonly source: 'schema' | 'server';
  /** The object, or undefined for an issue about the whole batch (a skipped server path, a kubectl error no object claims). */
  readonly object?: ObjectRef;
  /** Formatted field path (`spec.template.spec.containers[0].image`), empty for batch issues. */
  readonly path: string;
  readonly message: string;
  /** `Kind/namespace/name field.path: message`, or `(server) message` for batch issues. */
  readonly text: string;
}

export function objectIssue(source: ValidationIssue['source'], object: ObjectRef, path: string, message: string): ValidationIssue {
  return { severity: 'error', source, object, path, message, text: `${formatObjectRef(object)} ${path}: ${message}` };
}

export function batchIssue(severity: ValidationIssue['severity'], source: ValidationIssue['source'], message: string): ValidationIssue {
  return { severity, source, path: '', message, text: `(${source}) ${message}` };
}
