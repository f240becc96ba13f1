/**
 * Offline dry-run of synthesized manifests: strict schema validation (types, required fields,
 * unknown fields, unknown kinds) plus `kubectl apply --dry-run=server` when a cluster is configured.
 */
export { assertValid, validateObjects, ValidationFailedError } from './validate-objects';
export type { ValidateObjectsOptions } from './validate-objects';
export type { ValidationIssue } from './validation-issue';
export type { DeclaredKind } from './schema-validation';
export { MODEL_PACKAGES, schemaFor } from './model-registry';
export {
  defaultKubectl,
  manifestStream,
  parseServerDryRun,
  reachabilityCommand,
  runServerDryRun,
  serverDryRunCommand,
} from './server-dry-run';
export type { CommandResult, CommandRunner, CommandSpec, ServerDryRunOptions } from './server-dry-run';
