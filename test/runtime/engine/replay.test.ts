import type { Or02BaselineRecord, ReplayDivergence, ReplayFixtureMetadata } from '../../../runtime/contracts/v1';
import { classifyDivergences, evaluateReplayDivergences, replay, runInputLog, type RecordedRun } from '../../../runtime/engine';
import { healthyStart, propose } from './support/engine-fixtures';
import { SCENARIOS } from './support/scenarios';

const fixture = (o: Partial<ReplayFixtureMetadata> = {}): ReplayFixtureMetadata => ({ timing_tolerance_ms: 10, ...o });
const patchRecord = (run: RecordedRun, patch: Partial<Or02BaselineRecord>): RecordedRun => ({
  outputs: run.outputs,
  records: run.records.map((r) => ({ ...r, ...patch })),
});

describe('replay divergence classes (turn-engine.md §12)', () => {
  test.each(Object.keys(SCENARIOS))('RD-001 recorded run "%s" replays with zero failing divergences', (name) => {
    const recorded = runInputLog(SCENARIOS[name]);
    const result = replay(JSON.parse(JSON.stringify(SCENARIOS[name])), JSON.parse(JSON.stringify(recorded)), fixture());
    expect(result.divergences).toEqual([]);
    expect(result.passed).toBe(true);
  });

  test('RD-002 timing diff 5 ms within tolerance 10 passes; 15 ms fails; missing diff_ms fails', () => {
    const d = (diff?: number): ReplayDivergence => ({ class: 'TIMING_DIVERGENCE', scope: 'turn:T', message: 'cancel timing', ...(diff !== undefined ? { diff_ms: diff } : {}) });
    expect(evaluateReplayDivergences([d(5)], fixture()).failing).toEqual([]);
    expect(evaluateReplayDivergences([d(15)], fixture()).failing).toHaveLength(1);
    expect(evaluateReplayDivergences([d()], fixture()).failing).toHaveLength(1);
    // And the classifier measures diff_ms from the records.
    const recorded = runInputLog(SCENARIOS.cancel);
    const shifted = patchRecord(recorded, { cancel_fence_applied_at_ms: recorded.records[0].cancel_accepted_at_ms! + 5 });
    const divergences = classifyDivergences(recorded, shifted, fixture());
    expect(divergences).toEqual([expect.objectContaining({ class: 'TIMING_DIVERGENCE', diff_ms: 5 })]);
  });

  test('RD-003 accepted-turn set must be 100 % complete', () => {
    const run = runInputLog(SCENARIOS['two-turns']);
    expect(run.records).toHaveLength(2);
    // Covered end to end by QG-005/006 and G5; here: a replay missing one record is an outcome divergence.
    const missing: RecordedRun = { outputs: run.outputs, records: run.records.slice(1) };
    expect(classifyDivergences(run, missing, fixture()).map((d) => d.class)).toEqual(['OUTCOME_DIVERGENCE']);
  });

  test('RD-004 one provenance ref changed → PLAN_DIVERGENCE; fails unless declared; declared-but-absent also fails', () => {
    const log = SCENARIOS.happy;
    const recorded = runInputLog(log);
    const start = healthyStart({ provenance: { routing_view_snapshot: 'routing-view/r43' } });
    const changed = { ...log, entries: [propose(0, 'T', start), ...log.entries.slice(1)] };
    const undeclared = replay(changed, recorded, fixture());
    expect(undeclared.divergences.map((d) => [d.class, d.scope])).toEqual([['PLAN_DIVERGENCE', 'turn:T']]);
    expect(undeclared.passed).toBe(false);
    const declared = replay(changed, recorded, fixture({ expected_divergences: [{ class: 'PLAN_DIVERGENCE', scope: 'turn:T' }] }));
    expect(declared.passed).toBe(true);
    const absent = replay(log, recorded, fixture({ expected_divergences: [{ class: 'PLAN_DIVERGENCE', scope: 'turn:T' }] }));
    expect(absent.evaluation.missing_expected).toEqual([{ class: 'PLAN_DIVERGENCE', scope: 'turn:T' }]);
    expect(absent.passed).toBe(false);
  });

  test('RD-005 invocation latency over thresholds → TIMING_DIVERGENCE invocation_latency_final/total, failing regardless of tolerance', () => {
    const recorded = runInputLog(SCENARIOS.happy);
    const slow = patchRecord(recorded, {
      invocation_outcomes: [
        { provider_invocation_id: 'inv-1', modality: 'tts', provider_id: 'tts-default', outcome_class: 'success', retryable: false, retry_decision: 'none', attempt_count: 2, final_attempt_latency_ms: 700, total_invocation_latency_ms: 1500 },
      ],
    });
    const meta = fixture({ timing_tolerance_ms: 100_000, final_attempt_latency_threshold_ms: 500, total_invocation_latency_threshold_ms: 1000 });
    const divergences = classifyDivergences(slow, slow, meta);
    expect(divergences.map((d) => d.scope)).toEqual(['invocation_latency_final:inv-1', 'invocation_latency_total:inv-1']);
    const declared = meta.expected_divergences ?? [];
    const evaluation = evaluateReplayDivergences(divergences, { ...meta, expected_divergences: [...declared, ...divergences.map((d) => ({ class: d.class, scope: d.scope }))] });
    expect(evaluation.failing).toHaveLength(2);
  });

  test('RD-006 epoch differs in replay → AUTHORITY_DIVERGENCE, failing even if declared expected', () => {
    const recorded = runInputLog(SCENARIOS.happy);
    const replayed = patchRecord(recorded, { authority_epoch: 99 });
    const divergences = classifyDivergences(recorded, replayed, fixture());
    expect(divergences.map((d) => d.class)).toEqual(['AUTHORITY_DIVERGENCE']);
    const evaluation = evaluateReplayDivergences(divergences, fixture({ expected_divergences: [{ class: 'AUTHORITY_DIVERGENCE', scope: 'turn:T', approved: true }] }));
    expect(evaluation.failing).toHaveLength(1);
  });

  test('RD-007 order swapped: declared expected without approved → fails; with approved: true → passes', () => {
    const recorded = runInputLog(SCENARIOS.happy);
    const outputs = [...recorded.outputs];
    const i = outputs.findIndex((o) => o.kind === 'data');
    [outputs[i], outputs[i + 1]] = [outputs[i + 1], outputs[i]];
    const swapped: RecordedRun = { outputs, records: recorded.records };
    const divergences = classifyDivergences(recorded, swapped, fixture());
    expect(divergences.map((d) => [d.class, d.scope])).toEqual([['ORDERING_DIVERGENCE', 'trace']]);
    expect(evaluateReplayDivergences(divergences, fixture({ expected_divergences: [{ class: 'ORDERING_DIVERGENCE', scope: 'trace' }] })).failing).toHaveLength(1);
    expect(
      evaluateReplayDivergences(divergences, fixture({ expected_divergences: [{ class: 'ORDERING_DIVERGENCE', scope: 'trace', approved: true }] })).failing,
    ).toEqual([]);
  });

  test('ML-003 identical lineage → no divergence; replay missing one lineage entry → exactly one OUTCOME_DIVERGENCE', () => {
    const recorded = runInputLog(SCENARIOS['edge-pressure']);
    const drops = recorded.outputs.filter((o) => o.kind === 'signal' && o.signal.signal === 'drop_notice');
    expect(drops.length).toBeGreaterThan(0);
    expect(classifyDivergences(recorded, runInputLog(SCENARIOS['edge-pressure']), fixture())).toEqual([]);
    const withoutOneDrop: RecordedRun = { outputs: recorded.outputs.filter((o) => o !== drops[0]), records: recorded.records };
    const divergences = classifyDivergences(recorded, withoutOneDrop, fixture());
    expect(divergences).toHaveLength(1);
    expect(divergences[0]).toMatchObject({ class: 'OUTCOME_DIVERGENCE', message: expect.stringContaining('lineage') });
  });

  test('a recorded output absent in replay without lineage is an OUTCOME_DIVERGENCE; with drop lineage it is explained', () => {
    const recorded = runInputLog(SCENARIOS.happy);
    const noData: RecordedRun = { outputs: recorded.outputs.filter((o) => !(o.kind === 'data' && o.event.event_id === 'evt-2')), records: recorded.records };
    expect(classifyDivergences(recorded, noData, fixture()).map((d) => d.class)).toEqual(['OUTCOME_DIVERGENCE']);
  });
});
