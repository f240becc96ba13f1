/**
 * Replay gate: every recorded session of every replay set is replayed through today's engine under
 * the bundle the set names, and must show no failing divergence (turn-engine.md §12, evaluated by
 * the engine against the session's declared expectations).
 *
 * The log's recorded engine configuration is re-derived from the named bundle before replaying, so
 * a bundle whose content no longer matches the recording shows up as the divergence it causes
 * (PLAN_DIVERGENCE on the plan hash), not as a silent pass.
 */
import * as path from 'path';
import type { EngineOutput, InputLog, RecordedRun } from '../../runtime/engine';
import { replay } from '../../runtime/engine';
import type { Or02BaselineRecord, ReplayFixtureMetadata } from '../../runtime/contracts/v1';
import { canonicalJson, sha256Hex } from '../artifacts/canonical-digest';
import { loadBundle, type ArtifactSet } from '../artifacts/artifact-loader';
import { enginePoliciesOf } from '../artifacts/engine-profile';
import type { ReplaySessionArtifact } from '../artifacts/artifact-types';
import { isRecord } from '../schema/check-schema';
import type { GateOutcome } from './gate-types';
import { outputsOf, readJson } from './recorded-contracts';

/** One replayed session, handed to the baseline gate. */
export interface ReplayRun {
  readonly replaySet: string;
  readonly session: ReplaySessionArtifact;
  /** Absolute path of the replay set's folder. */
  readonly base: string;
  readonly recorded: RecordedRun;
  readonly replayed: RecordedRun;
}

export function runReplayGate(set: ArtifactSet, runs: ReplayRun[]): GateOutcome {
  const failures: string[] = [];
  const sessions: unknown[] = [];
  if (set.replaySets.length === 0) failures.push('no ReplaySet under replay/: nothing proves the engine reproduces recorded sessions');
  for (const replaySet of set.replaySets) {
    const base = path.dirname(replaySet.absPath);
    for (const session of replaySet.artifact.sessions) {
      const at = `${replaySet.artifact.name}/${session.id}`;
      let log: InputLog;
      let recorded: RecordedRun;
      try {
        log = asInputLog(readJson(path.join(base, session.input_log)));
        const outputs = outputsOf(readJson(path.join(base, session.recorded_outputs))) as EngineOutput[];
        recorded = { outputs, records: outputs.flatMap((o) => (o.kind === 'evidence' ? [o.record as Or02BaselineRecord] : [])) };
      } catch (e) {
        failures.push(`${at}: ${(e as Error).message}`);
        continue;
      }
      const underBundle: InputLog = { ...log, config: { ...log.config, ...enginePoliciesOf(loadBundle(session.bundle, set)) } };
      const fixture: ReplayFixtureMetadata = {
        gate: session.gate,
        timing_tolerance_ms: session.timing_tolerance_ms,
        expected_divergences: session.expected_divergences.map((d) => ({ class: d.class, scope: d.scope, ...(d.approved !== undefined ? { approved: d.approved } : {}) })),
      };
      const result = replay(underBundle, recorded, fixture);
      runs.push({ replaySet: replaySet.artifact.name, session, base, recorded, replayed: result.replayed });
      if (!result.passed) {
        const failing = [...result.evaluation.failing, ...result.evaluation.unexplained].map((d) => `${d.class} ${d.scope}: ${d.message}`);
        const missing = result.evaluation.missing_expected.map((d) => `expected ${d.class} ${d.scope} not observed`);
        failures.push(`${at}: ${[...new Set([...failing, ...missing])].join('; ')}`);
      }
      sessions.push({
        session: at,
        bundle: session.bundle,
        input_log_sha256: sha256Hex(canonicalJson(log)),
        recorded_outputs_sha256: sha256Hex(canonicalJson(recorded.outputs)),
        replayed_outputs_sha256: sha256Hex(canonicalJson(result.replayed.outputs)),
        divergences: result.divergences,
        evaluation: result.evaluation,
        passed: result.passed,
      });
    }
  }
  const evidence = { sessions };
  return failures.length === 0 ? { passed: true, evidence } : { passed: false, reason: failures.join('; '), evidence };
}

function asInputLog(value: unknown): InputLog {
  if (!isRecord(value) || !isRecord(value.config) || !Array.isArray(value.entries)) {
    throw new Error('input log is not an engine InputLog ({config, entries}); regenerate the replay set');
  }
  return value as unknown as InputLog;
}
