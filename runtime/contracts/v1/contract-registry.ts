/**
 * The one table of contract kinds → schemas, and the typed `decode<Kind>` functions built from it.
 */
import { ControlSignalSchema, EventRecordSchema } from './event-schemas';
import { DecisionOutcomeSchema, TurnTransitionSchema } from './decision-schemas';
import { EdgeBufferPolicySchema, ResolvedTurnPlanSchema } from './plan-schemas';
import { Or02BaselineRecordSchema, InvocationOutcomeSchema } from './evidence-schemas';
import {
  ReplayAccessDecisionSchema,
  ReplayAccessRequestSchema,
  ReplayDivergenceSchema,
  ReplayEvaluationResultSchema,
  ReplayFixtureMetadataSchema,
} from './replay-schemas';
import {
  IngressAuthoritySchema,
  LeaseResolutionSchema,
  PolicyResolutionSchema,
  TurnStartBundleSchema,
  VersionResolutionSchema,
} from './authority-schemas';
import { compiledValidator, type Infer, type JsonSchemaDoc, type ObjectSchema } from './schema-dsl';
import { ContractDecodeError, decodeWith, problemsAgainst, validateAgainst, type ContractError, type DecodeResult } from './strict-decoder';

/** The schema version this module writes. */
export const CONTRACTS_SCHEMA_VERSION = 'v1.0';

export const CONTRACT_SCHEMAS_V1 = Object.freeze({
  EventRecord: EventRecordSchema,
  ControlSignal: ControlSignalSchema,
  DecisionOutcome: DecisionOutcomeSchema,
  TurnTransition: TurnTransitionSchema,
  ResolvedTurnPlan: ResolvedTurnPlanSchema,
  EdgeBufferPolicy: EdgeBufferPolicySchema,
  Or02BaselineRecord: Or02BaselineRecordSchema,
  InvocationOutcome: InvocationOutcomeSchema,
  ReplayDivergence: ReplayDivergenceSchema,
  ReplayFixtureMetadata: ReplayFixtureMetadataSchema,
  ReplayEvaluationResult: ReplayEvaluationResultSchema,
  ReplayAccessRequest: ReplayAccessRequestSchema,
  ReplayAccessDecision: ReplayAccessDecisionSchema,
  LeaseResolution: LeaseResolutionSchema,
  IngressAuthority: IngressAuthoritySchema,
  VersionResolution: VersionResolutionSchema,
  PolicyResolution: PolicyResolutionSchema,
  TurnStartBundle: TurnStartBundleSchema,
});

// Compiled once, at load (≈20 ms for all kinds): the first frame or turn of a server never pays it.
for (const schema of Object.values(CONTRACT_SCHEMAS_V1)) compiledValidator(schema);

export type ContractKind = keyof typeof CONTRACT_SCHEMAS_V1;
export type ContractValue<K extends ContractKind> = Infer<(typeof CONTRACT_SCHEMAS_V1)[K]>;

/** A set of named schemas at one version, the unit the compatibility checker compares. */
export interface ContractSchemaSet {
  readonly version: string;
  /** JSON Schema documents by kind (the live schemas, or a frozen JSON snapshot of them). */
  readonly schemas: { readonly [kind: string]: JsonSchemaDoc };
}

export const CONTRACT_SCHEMA_SET_V1: ContractSchemaSet = Object.freeze({ version: CONTRACTS_SCHEMA_VERSION, schemas: CONTRACT_SCHEMAS_V1 });

/** Decode any kind by name. */
export function decodeContract<K extends ContractKind>(kind: K, json: unknown): DecodeResult<ContractValue<K>> {
  return decodeWith(CONTRACT_SCHEMAS_V1[kind] as ObjectSchema, json) as DecodeResult<ContractValue<K>>;
}

/** Validate a value of a kind: the first violated rule, or undefined (`contracts.md` §1 `validate()`). */
export function validateContract(kind: ContractKind, value: unknown): ContractError | undefined {
  return validateAgainst(CONTRACT_SCHEMAS_V1[kind] as ObjectSchema, value);
}

/** Every violation of a value of a kind at once (structure first; rules once the structure holds). */
export function contractProblems(kind: ContractKind, value: unknown): ContractError[] {
  return problemsAgainst(CONTRACT_SCHEMAS_V1[kind] as ObjectSchema, value);
}

/** Decode or throw `ContractDecodeError` (for call sites where invalid input is a bug). */
export function decodeContractOrThrow<K extends ContractKind>(kind: K, json: unknown): ContractValue<K> {
  const result = decodeContract(kind, json);
  if (!result.ok) throw new ContractDecodeError(result.error);
  return result.value;
}

const decoderFor =
  <K extends ContractKind>(kind: K) =>
  (json: unknown): DecodeResult<ContractValue<K>> =>
    decodeContract(kind, json);

export const decodeEventRecord = decoderFor('EventRecord');
export const decodeControlSignal = decoderFor('ControlSignal');
export const decodeDecisionOutcome = decoderFor('DecisionOutcome');
export const decodeTurnTransition = decoderFor('TurnTransition');
export const decodeResolvedTurnPlan = decoderFor('ResolvedTurnPlan');
export const decodeEdgeBufferPolicy = decoderFor('EdgeBufferPolicy');
export const decodeOr02BaselineRecord = decoderFor('Or02BaselineRecord');
export const decodeInvocationOutcome = decoderFor('InvocationOutcome');
export const decodeReplayDivergence = decoderFor('ReplayDivergence');
export const decodeReplayFixtureMetadata = decoderFor('ReplayFixtureMetadata');
export const decodeReplayEvaluationResult = decoderFor('ReplayEvaluationResult');
export const decodeReplayAccessRequest = decoderFor('ReplayAccessRequest');
export const decodeReplayAccessDecision = decoderFor('ReplayAccessDecision');
export const decodeLeaseResolution = decoderFor('LeaseResolution');
export const decodeIngressAuthority = decoderFor('IngressAuthority');
export const decodeVersionResolution = decoderFor('VersionResolution');
export const decodePolicyResolution = decoderFor('PolicyResolution');
export const decodeTurnStartBundle = decoderFor('TurnStartBundle');
