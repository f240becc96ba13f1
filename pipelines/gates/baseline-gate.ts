/**
 * Baseline gate: the expected OR-02 evidence of the replay sets is complete and the turns end
 * correctly — OR-02 completeness and terminal correctness meet the gates manifest (100 %), measured
 * by the engine's quality-gate evaluator over the recorded timelines and the expected records — and
 * the expected records are exactly what the engine recorded again on replay.
 */
import * as path from 'path';
import { checkBaselineCompleteness, type Or02BaselineRecord } from '../../runtime/contracts/v1';
import { evaluateQualityGates, gateSamplesFromRun, type TurnGateSample } from '../../runtime/engine';
import { canonicalJson, sha256Hex } from '../artifacts/canonical-digest';
import type { GatesManifestArtifact } from '../artifacts/artifact-types';
import { isRecord } from '../schema/check-schema';
import type { GateOutcome } from './gate-types';
import { readJson } from './recorded-contracts';
import type { ReplayRun } from './replay-gate';
import { describeMiss, meetsThreshold, type ThresholdCheck } from './slo-gate';

export function runBaselineGate(manifest: GatesManifestArtifact, runs: readonly ReplayRun[]): GateOutcome {
  const failures: string[] = [];
  const samples: TurnGateSample[] = [];
  const sessions: unknown[] = [];
  for (const run of runs) {
    const at = `${run.replaySet}/${run.session.id}`;
    let expected: Or02BaselineRecord[];
    try {
      const file = readJson(path.join(run.base, run.session.expected_evidence));
      if (!isRecord(file) || !Array.isArray(file.records)) throw new Error(`'${run.session.expected_evidence}' is not {records: [...]}`);
      expected = file.records as Or02BaselineRecord[];
    } catch (e) {
      failures.push(`${at}: ${(e as Error).message}`);
      continue;
    }
    // Completeness and terminal correctness: the recorded timeline with the expected records.
    const sessionSamples = gateSamplesFromRun({ outputs: run.recorded.outputs, records: expected });
    samples.push(...sessionSamples.map((s) => ({ ...s, turn_id: `${at}/${s.turn_id}` })));
    const incomplete = expected.flatMap((r, i) => {
      const c = checkBaselineCompleteness(r);
      return c.complete ? [] : [`${at} turn ${isRecord(r) ? String(r.turn_id) : `#${i}`}: ${c.problems.join(', ')}`];
    });
    const orphans = expected.filter((r) => !sessionSamples.some((s) => isRecord(r) && s.turn_id === r.turn_id));
    for (const r of orphans) failures.push(`${at}: expected evidence for turn ${isRecord(r) ? String(r.turn_id) : '?'} that the recorded timeline never opened`);
    const matchesReplay = canonicalJson(expected) === canonicalJson(run.replayed.records);
    if (!matchesReplay) failures.push(`${at}: expected OR-02 evidence differs from what the engine records on replay (regenerate the set, or the evidence was edited)`);
    sessions.push({ session: at, expected_evidence_sha256: sha256Hex(canonicalJson(expected)), records: expected.length, incomplete, matches_replay: matchesReplay });
    if (incomplete.length > 0) failures.push(...incomplete);
  }
  const report = evaluateQualityGates(samples);
  const checks: ThresholdCheck[] = [];
  for (const gate of manifest.gates.filter((g) => g.stage === 'baseline')) {
    const measured = report.gates.find((g) => g.gate === gate.metric);
    if (!measured) {
      failures.push(`${gate.id}: the engine's quality-gate evaluator has no '${gate.metric}' (it measures ${report.gates.map((g) => g.gate).join(', ')})`);
      continue;
    }
    const figure = measured.measured;
    const check: ThresholdCheck = { gate: gate.id, source: 'replay', metric: gate.metric, figure, comparator: gate.comparator, threshold: gate.threshold, unit: gate.unit, passed: figure !== null && meetsThreshold(gate, figure) };
    checks.push(check);
    if (!check.passed) failures.unshift(figure === null ? `${gate.id}: nothing to measure (${measured.violations.join('; ')})` : `${describeMiss(check)} (${measured.violations.join('; ')})`);
  }
  const evidence = { gates_manifest: manifest.name, accepted_turns: report.accepted_turns, checks, sessions };
  return failures.length === 0 ? { passed: true, evidence } : { passed: false, reason: [...new Set(failures)].join('; '), evidence };
}
