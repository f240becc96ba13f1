/**
 * Pre-turn step 6: materialize and validate the `ResolvedTurnPlan` (RK-04). The plan hash is the
 * SHA-256 of the canonical JSON of every other frozen field (project rule), so any frozen change
 * alters it. Pure: the same inputs always give the same plan and hash (CT-004).
 */
import { createHash } from 'node:crypto';
import {
  canonicalAdaptiveActions,
  encodeCanonical,
  validateContract,
  withDefaultProvenance,
  type EdgeBufferPolicy,
  type PartialSnapshotProvenance,
  type ResolvedTurnPlan,
  type TurnStartBundle,
} from '../contracts/v1';
import type { ExecutionProfile } from './engine-types';
import { deepFreeze } from './execution-profiles';

export type PlanMaterialization = { readonly ok: true; readonly plan: ResolvedTurnPlan } | { readonly ok: false; readonly problem: string };

export interface PlanInputs {
  readonly turn_id: string;
  readonly authority_epoch: number;
  readonly seed: number;
  readonly bundle: TurnStartBundle;
  /** Execution profiles; deep-frozen by the caller (their parts are shared with the plan). */
  readonly profiles: { readonly [name: string]: ExecutionProfile };
  /** Refs reported directly by backends; they win over the bundle's, defaults fill the rest. */
  readonly provenance?: PartialSnapshotProvenance;
  /** Edge policies changed between turns (never mid-turn). */
  readonly edge_overrides?: { readonly [edgeId: string]: EdgeBufferPolicy };
}

export function computePlanHash(planWithoutHash: Omit<ResolvedTurnPlan, 'plan_hash'>): string {
  return createHash('sha256').update(encodeCanonical(planWithoutHash)).digest('hex');
}

/** Canonical JSON of each plan this module materialized, built with its hash (not observable otherwise). */
const planEncodings = new WeakMap<ResolvedTurnPlan, string>();

/**
 * The canonical JSON of a plan from `materializePlan` (byte-identical to `encodeCanonical(plan)`),
 * or undefined for a plan built elsewhere. The hash already needed the canonical JSON of every
 * other field: the plan's own encoding is that text with `plan_hash` in its sorted place, so an
 * egress of the plan does not encode it again.
 */
export function canonicalPlanText(plan: ResolvedTurnPlan): string | undefined {
  return planEncodings.get(plan);
}

/** `{ hash, text }`: the plan hash of `body` and the canonical JSON of `{ ...body, plan_hash: hash }`, from one encoding. */
function hashAndEncode(body: Omit<ResolvedTurnPlan, 'plan_hash'>): { hash: string; text: string } {
  const record = body as unknown as Record<string, unknown>;
  const members: string[] = [];
  const keys = Object.keys(record).sort();
  let hashAt = keys.length;
  for (const key of keys) {
    const value = record[key];
    if (value === undefined) continue;
    if (hashAt === keys.length && key > 'plan_hash') hashAt = members.length;
    members.push(`${JSON.stringify(key)}:${encodeCanonical(value)}`);
  }
  if (hashAt === keys.length) hashAt = members.length;
  const hash = createHash('sha256').update(`{${members.join(',')}}`).digest('hex');
  members.splice(hashAt, 0, `"plan_hash":${JSON.stringify(hash)}`);
  return { hash, text: `{${members.join(',')}}` };
}

export function materializePlan(inputs: PlanInputs): PlanMaterialization {
  const profile = Object.prototype.hasOwnProperty.call(inputs.profiles, inputs.bundle.execution_profile)
    ? inputs.profiles[inputs.bundle.execution_profile]
    : undefined;
  if (!profile) {
    return { ok: false, problem: `execution profile "${inputs.bundle.execution_profile}" is not supported here (have: ${Object.keys(inputs.profiles).join(', ')})` };
  }
  const body: Omit<ResolvedTurnPlan, 'plan_hash'> = {
    turn_id: inputs.turn_id,
    pipeline_version: inputs.bundle.pipeline_version,
    graph_definition_ref: inputs.bundle.graph_definition_ref,
    execution_profile: inputs.bundle.execution_profile,
    authority_epoch: inputs.authority_epoch,
    budgets: profile.budgets,
    provider_bindings: profile.provider_bindings,
    edge_buffer_policies: { ...profile.edge_buffer_policies, ...(inputs.edge_overrides ?? {}) },
    flow_control: profile.flow_control,
    allowed_adaptive_actions: canonicalAdaptiveActions(inputs.bundle.allowed_adaptive_actions),
    snapshot_provenance: withDefaultProvenance({ ...inputs.bundle.snapshot_provenance, ...(inputs.provenance ?? {}) }),
    recording_policy: profile.recording_policy,
    determinism: {
      seed: inputs.seed,
      ordering_markers: profile.ordering_markers,
      merge_rule_id: profile.merge_rule_id,
      merge_rule_version: profile.merge_rule_version,
      nondeterministic_inputs: [],
    },
  };
  // Profile parts are shared with the plan: callers pass frozen profiles (the engine freezes its
  // own copy at construction), so sharing them cannot let anything mutate a frozen plan.
  const { hash, text } = hashAndEncode(body);
  const plan: ResolvedTurnPlan = { ...body, plan_hash: hash };
  const error = validateContract('ResolvedTurnPlan', plan);
  if (error) return { ok: false, problem: `${error.path}: ${error.message}` };
  const frozen = deepFreeze(plan);
  planEncodings.set(frozen, text);
  return { ok: true, plan: frozen };
}
