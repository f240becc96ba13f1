/**
 * Replay types (`contracts.md` §8).
 */
import { DIVERGENCE_CLASSES, FIXTURE_GATES, PAYLOAD_CLASSES, RECORDING_LEVELS, REDACTION_ACTIONS } from './enums';
import { arrayOf, bool, enumOf, int, obj, opt, req, signedInt, str, type Infer } from './schema-dsl';

/** Scopes read `turn:<turn_id>`, `session:<session_id>`, `trace`, or `invocation_latency_(final|total):<id>`. */
export const DIVERGENCE_SCOPE_PATTERN = '^(trace|(turn|session|invocation_latency_final|invocation_latency_total):.+)$';

export const ReplayDivergenceSchema = obj('ReplayDivergence', {
  class: req(enumOf('DivergenceClass', DIVERGENCE_CLASSES)),
  scope: req(str({ pattern: DIVERGENCE_SCOPE_PATTERN })),
  message: req(str()),
  diff_ms: opt(signedInt()),
  expected: opt(bool()),
});
export type ReplayDivergence = Infer<typeof ReplayDivergenceSchema>;

export const ExpectedDivergenceSchema = obj('ExpectedDivergence', {
  class: req(enumOf('DivergenceClass', DIVERGENCE_CLASSES)),
  scope: req(str({ pattern: DIVERGENCE_SCOPE_PATTERN })),
  approved: opt(bool()),
});
export type ExpectedDivergence = Infer<typeof ExpectedDivergenceSchema>;

export const ReplayFixtureMetadataSchema = obj('ReplayFixtureMetadata', {
  gate: opt(enumOf('FixtureGate', FIXTURE_GATES)),
  timing_tolerance_ms: req(int()),
  final_attempt_latency_threshold_ms: opt(int()),
  total_invocation_latency_threshold_ms: opt(int()),
  expected_divergences: opt(arrayOf(ExpectedDivergenceSchema)),
});
export type ReplayFixtureMetadata = Infer<typeof ReplayFixtureMetadataSchema>;

export const ReplayEvaluationResultSchema = obj('ReplayEvaluationResult', {
  failing: req(arrayOf(ReplayDivergenceSchema)),
  unexplained: req(arrayOf(ReplayDivergenceSchema)),
  missing_expected: req(arrayOf(ExpectedDivergenceSchema)),
});
export type ReplayEvaluationResult = Infer<typeof ReplayEvaluationResultSchema>;

export const ReplayAccessRequestSchema = obj('ReplayAccessRequest', {
  tenant_id: req(str()),
  principal_id: req(str()),
  role: req(str()),
  purpose: req(str()),
  requested_scope: req(str()),
  requested_fidelity: req(enumOf('RecordingLevel', RECORDING_LEVELS)),
  requested_classes: opt(arrayOf(enumOf('PayloadClass', PAYLOAD_CLASSES), { unique: true })),
});
export type ReplayAccessRequest = Infer<typeof ReplayAccessRequestSchema>;

export const ReplayAccessDecisionSchema = obj(
  'ReplayAccessDecision',
  {
    allowed: req(bool()),
    deny_reason: opt(str()),
    redaction_markers: req(
      arrayOf(
        obj('RedactionMarker', {
          payload_class: req(enumOf('PayloadClass', PAYLOAD_CLASSES)),
          action: req(enumOf('RedactionAction', REDACTION_ACTIONS)),
          reason: req(str()),
        }),
      ),
    ),
  },
  [
    {
      id: 'replay_access.deny_reason',
      check: (d) => (!d.allowed && d.deny_reason === undefined ? { path: '.deny_reason', message: 'deny_reason is required when access is denied' } : undefined),
    },
  ],
);
export type ReplayAccessDecision = Infer<typeof ReplayAccessDecisionSchema>;
