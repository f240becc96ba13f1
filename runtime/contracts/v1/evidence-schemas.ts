/**
 * OR-02 baseline evidence record (`contracts.md` §7) and its completeness rule.
 */
import {
  INVOCATION_MODALITIES,
  INVOCATION_OUTCOME_CLASSES,
  PAYLOAD_CLASSES,
  REDACTION_ACTIONS,
  RETRY_DECISIONS,
  TERMINAL_OUTCOMES,
} from './enums';
import { DecisionOutcomeSchema } from './decision-schemas';
import { MERGE_RULE_VERSION_PATTERN, PLAN_HASH_PATTERN, SnapshotProvenanceSchema } from './plan-schemas';
import { arrayOf, bool, enumOf, int, obj, opt, req, signedInt, str, type Infer } from './schema-dsl';
import { validateAgainst, type ContractError } from './strict-decoder';

export const InvocationOutcomeSchema = obj(
  'InvocationOutcome',
  {
    provider_invocation_id: req(str()),
    modality: req(enumOf('InvocationModality', INVOCATION_MODALITIES)),
    provider_id: req(str()),
    outcome_class: req(enumOf('InvocationOutcomeClass', INVOCATION_OUTCOME_CLASSES)),
    retryable: req(bool()),
    retry_decision: req(enumOf('RetryDecision', RETRY_DECISIONS)),
    attempt_count: req(int({ min: 1 })),
    final_attempt_latency_ms: req(int()),
    total_invocation_latency_ms: req(int()),
  },
  [
    {
      id: 'invocation.final_within_total',
      check: (i) =>
        i.final_attempt_latency_ms > i.total_invocation_latency_ms
          ? { path: '.final_attempt_latency_ms', message: 'final_attempt_latency_ms must be <= total_invocation_latency_ms' }
          : undefined,
    },
  ],
);
export type InvocationOutcome = Infer<typeof InvocationOutcomeSchema>;

export const RedactionDecisionSchema = obj('RedactionDecision', {
  payload_class: req(enumOf('PayloadClass', PAYLOAD_CLASSES)),
  action: req(enumOf('RedactionAction', REDACTION_ACTIONS)),
});
export type RedactionDecision = Infer<typeof RedactionDecisionSchema>;

export const Or02BaselineRecordSchema = obj(
  'Or02BaselineRecord',
  {
    session_id: req(str()),
    turn_id: req(str()),
    pipeline_version: req(str()),
    event_id: req(str()),
    envelope_snapshot: req(str()),
    payload_tags: req(arrayOf(enumOf('PayloadClass', PAYLOAD_CLASSES), { minItems: 1, unique: true })),
    redaction_decisions: req(arrayOf(RedactionDecisionSchema)),
    plan_hash: req(str({ pattern: PLAN_HASH_PATTERN })),
    snapshot_provenance: req(SnapshotProvenanceSchema),
    decision_outcomes: req(arrayOf(DecisionOutcomeSchema, { minItems: 1 })),
    invocation_outcomes: req(arrayOf(InvocationOutcomeSchema)),
    determinism_seed: req(signedInt()),
    ordering_markers: req(arrayOf(str(), { minItems: 1, unique: true })),
    merge_rule_id: req(str()),
    merge_rule_version: req(str({ pattern: MERGE_RULE_VERSION_PATTERN })),
    authority_epoch: req(int()),
    migration_markers: opt(arrayOf(str())),
    terminal_outcome: req(enumOf('TerminalOutcome', TERMINAL_OUTCOMES)),
    terminal_reason: opt(str()),
    close_emitted: req(bool()),
    turn_open_proposed_at_ms: opt(int()),
    turn_open_at_ms: opt(int()),
    first_output_at_ms: opt(int()),
    cancel_sent_at_ms: opt(int()),
    cancel_accepted_at_ms: opt(int()),
    cancel_fence_applied_at_ms: opt(int()),
    cancel_ack_at_ms: opt(int()),
    accepted_stale_epoch_output: req(bool()),
  },
  [
    {
      id: 'or02.redaction_one_per_tag',
      check: (r) => {
        const seen = new Set<string>();
        for (let i = 0; i < r.redaction_decisions.length; i++) {
          const cls = r.redaction_decisions[i].payload_class;
          if (seen.has(cls)) return { path: `.redaction_decisions[${i}]`, message: `duplicate redaction decision for ${cls}` };
          if (!r.payload_tags.includes(cls)) return { path: `.redaction_decisions[${i}]`, message: `${cls} is not a payload tag` };
          seen.add(cls);
        }
        for (const tag of r.payload_tags) {
          if (!seen.has(tag)) return { path: '.redaction_decisions', message: `missing redaction decision for payload tag ${tag}` };
        }
        return undefined;
      },
    },
    {
      id: 'or02.abort_needs_reason',
      check: (r) =>
        r.terminal_outcome === 'abort' && r.terminal_reason === undefined
          ? { path: '.terminal_reason', message: 'terminal_reason is required for abort' }
          : undefined,
    },
    {
      id: 'or02.cancel_markers',
      check: (r) => {
        if (r.cancel_accepted_at_ms === undefined) return undefined;
        if (r.cancel_fence_applied_at_ms === undefined) {
          return { path: '.cancel_fence_applied_at_ms', message: 'cancel_fence_applied_at_ms is required when cancel was accepted' };
        }
        if (r.cancel_sent_at_ms === undefined) return { path: '.cancel_sent_at_ms', message: 'cancel_sent_at_ms is required when cancel was accepted' };
        return undefined;
      },
    },
  ],
);
export type Or02BaselineRecord = Infer<typeof Or02BaselineRecordSchema>;

export interface BaselineCompleteness {
  readonly complete: boolean;
  /** Every reason the record is incomplete, each naming the field (empty when complete). */
  readonly problems: readonly string[];
}

/**
 * A baseline record is complete when it validates, the turn was accepted (`turn_open_at_ms` set)
 * with its proposal marker, `close` was emitted, and no stale-epoch output was accepted.
 */
export function checkBaselineCompleteness(record: unknown): BaselineCompleteness {
  const problems: string[] = [];
  const error: ContractError | undefined = validateAgainst(Or02BaselineRecordSchema, record);
  if (error) {
    problems.push(`${error.path}: ${error.message}`);
    return { complete: false, problems };
  }
  const r = record as Or02BaselineRecord;
  if (r.turn_open_proposed_at_ms === undefined) problems.push('$.turn_open_proposed_at_ms: missing timing marker');
  if (r.turn_open_at_ms === undefined) problems.push('$.turn_open_at_ms: missing (turn not accepted)');
  if (!r.close_emitted) problems.push('$.close_emitted: must be true');
  if (r.accepted_stale_epoch_output) problems.push('$.accepted_stale_epoch_output: must be false');
  return { complete: problems.length === 0, problems };
}
