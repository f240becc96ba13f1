/**
 * `@rspp/platform/engine`: the turn engine of `turn-engine.md` as a pure, deterministic core.
 *
 * Session server: one `TurnEngine` per session; feed it `EngineInput`s (`apply`) or, on the hot
 * path, `ingestData`; it writes outputs to your `EngineSink` synchronously and in timeline order.
 * Record the inputs as an `InputLog` to replay the session later.
 *
 * Gate runner: `replay(log, recorded, fixture)` (§12) and `evaluateQualityGates(samples)` (§11).
 */
export * from './engine-types';
export { RecordingSink } from './recording-sink';
export { SIMPLE_V1_PROFILE, SIMPLE_V1_PROFILE_NAME } from './execution-profiles';
export { resolveQueueKey, queueOverrideProblems, type QueueOverrides } from './lane-router';
export { mergeEvents, type MergedEvent } from './merge-lineage';
export { TurnEngine, EngineInvariantError, REASON, BUDGET_WARNING_FRACTION, budgetWarningAt } from './turn-engine';
export { MAX_DROP_NOTICE_RUN, DROP_NOTICE_MAX_HOLD_MS, BYTES_LOW_FRACTION, REASON_LATENCY_EXCEEDED } from './edge-buffer';
export { engineInputProblem } from './engine-input-validator';
export { materializePlan, computePlanHash, canonicalPlanText, type PlanMaterialization } from './plan-materializer';
export { runInputLog, type RecordedRun } from './input-log-runner';
export { replay, classifyDivergences, type ReplayResult } from './replay';
export { evaluateReplayDivergences } from './divergence-evaluator';
export {
  evaluateQualityGates,
  gateSamplesFromRun,
  nearestRankP95,
  type TurnGateSample,
  type QualityGateId,
  type QualityGateResult,
  type QualityGateReport,
} from './quality-gates';
