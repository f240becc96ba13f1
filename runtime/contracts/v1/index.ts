/**
 * `@rspp/platform/contracts/v1`: the public contracts of the turn engine (`contracts.md`):
 * frozen enums, schemas as JSON Schema (TypeBox), types derived from them, strict decoders with typed errors,
 * canonical JSON, and the additive-only compatibility checker. Imports nothing of ours.
 */
export * from './enums';
export type { Schema, ObjectSchema, ObjectRule, RuleRef, RuleViolation, Infer, JsonSchemaDoc } from './schema-dsl';
export { compiledValidator } from './schema-dsl';
export {
  SUPPORTED_MAJOR_VERSION,
  SCHEMA_VERSION_PATTERN,
  ContractDecodeError,
  validateAgainst,
  problemsAgainst,
  decodeWith,
  type ContractError,
  type ContractErrorCode,
  type DecodeResult,
} from './strict-decoder';
export { encodeCanonical } from './canonical-json';
export { SIGNAL_REGISTRY, type SignalRegistryEntry, type SignalExtraField } from './signal-registry';
export * from './event-schemas';
export * from './decision-schemas';
export * from './plan-schemas';
export * from './evidence-schemas';
export * from './replay-schemas';
export * from './authority-schemas';
export * from './contract-registry';
export * from './compatibility';
