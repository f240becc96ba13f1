import { checkBaselineCompleteness, encodeCanonical, validateContract } from '../../../runtime/contracts/v1';
import { runInputLog } from '../../../runtime/engine';
import { SCENARIOS } from './support/scenarios';

const entries = Object.entries(SCENARIOS);

/** Per accepted turn: lifecycle signals after turn_open. */
function lifecycleByTurn(name: string) {
  const run = runInputLog(SCENARIOS[name]);
  const byTurn = new Map<string, string[]>();
  for (const o of run.outputs) {
    if (o.kind !== 'signal' || !o.signal.turn_id) continue;
    const s = o.signal.signal;
    if (s === 'turn_open') byTurn.set(o.signal.turn_id, []);
    else if (s === 'commit' || s === 'abort' || s === 'close') byTurn.get(o.signal.turn_id)?.push(s);
  }
  return { run, byTurn };
}

describe('global assertions over every scenario (conformance-cases.md)', () => {
  test.each(entries.map(([n]) => n))('G1 %s: no turn emits both commit and abort; every accepted turn ends with exactly [terminal, close]', (name) => {
    const { byTurn } = lifecycleByTurn(name);
    for (const [, seq] of byTurn) {
      expect(seq).toHaveLength(2);
      expect(['commit', 'abort']).toContain(seq[0]);
      expect(seq[1]).toBe('close');
    }
  });

  test.each(entries.map(([n]) => n))('G2 %s: pre-turn outcomes emit no turn_open, abort or close', (name) => {
    const run = runInputLog(SCENARIOS[name]);
    const preTurnTurns = new Set(run.outputs.flatMap((o) => (o.kind === 'decision' && o.outcome.phase === 'pre_turn' && o.outcome.outcome_kind !== 'admit' && o.outcome.turn_id ? [o.outcome.turn_id] : [])));
    for (const o of run.outputs) {
      if (o.kind === 'signal' && o.signal.turn_id && preTurnTurns.has(o.signal.turn_id)) {
        expect(['turn_open', 'abort', 'close', 'commit']).not.toContain(o.signal.signal);
      }
    }
  });

  test.each(entries.map(([n]) => n))('G3 %s: every transition, decision and control signal passes its validator', (name) => {
    const run = runInputLog(SCENARIOS[name]);
    for (const o of run.outputs) {
      if (o.kind === 'signal' || o.kind === 'intent') expect(validateContract('ControlSignal', o.signal)).toBeUndefined();
      if (o.kind === 'decision') expect(validateContract('DecisionOutcome', o.outcome)).toBeUndefined();
      if (o.kind === 'transition') expect(validateContract('TurnTransition', o.transition)).toBeUndefined();
      if (o.kind === 'plan') expect(validateContract('ResolvedTurnPlan', o.plan)).toBeUndefined();
      if (o.kind === 'data') expect(validateContract('EventRecord', o.event)).toBeUndefined();
    }
  });

  test.each(entries.map(([n]) => n))('G4 %s: two runs with identical inputs give byte-identical outputs in identical order', (name) => {
    const a = encodeCanonical(runInputLog(SCENARIOS[name]).outputs);
    const b = encodeCanonical(runInputLog(JSON.parse(JSON.stringify(SCENARIOS[name]))).outputs);
    expect(b).toBe(a);
  });

  test.each(entries.map(([n]) => n))('G5 %s: every accepted turn leaves one complete OR-02 baseline record', (name) => {
    const { run, byTurn } = lifecycleByTurn(name);
    expect(run.records.map((r) => r.turn_id).sort()).toEqual([...byTurn.keys()].sort());
    for (const r of run.records) expect(checkBaselineCompleteness(r)).toEqual({ complete: true, problems: [] });
  });
});
