import { evaluateQualityGates, gateSamplesFromRun, nearestRankP95, runInputLog, type TurnGateSample } from '../../../runtime/engine';
import { SCENARIOS } from './support/scenarios';

const turn = (i: number, o: Partial<TurnGateSample> = {}): TurnGateSample => ({
  turn_id: `T${i}`,
  turn_open_proposed_at_ms: 1000 * i,
  turn_open_at_ms: 1000 * i + 10,
  first_output_at_ms: 1000 * i + 300,
  happy_path: true,
  terminal_sequence: ['commit', 'close'],
  or02_complete: true,
  accepted_stale_epoch_outputs: 0,
  ...o,
});
const gate = (samples: TurnGateSample[], id: string) => evaluateQualityGates(samples).gates.find((g) => g.gate === id)!;

describe('quality-gate evaluator (turn-engine.md §11)', () => {
  test('QG-001 20 open latencies 6..120 ms → p95 114 (index 18) passes; two largest at 121 → p95 121 fails', () => {
    const latencies = Array.from({ length: 20 }, (_, i) => 6 * (i + 1));
    expect(nearestRankP95(latencies)).toBe(114);
    const samples = latencies.map((l, i) => turn(i, { turn_open_at_ms: 1000 * i + l }));
    expect(gate(samples, 'turn_open_decision')).toMatchObject({ passed: true, measured: 114 });
    const variant = [...latencies.slice(0, 18), 121, 121].map((l, i) => turn(i, { turn_open_at_ms: 1000 * i + l }));
    expect(gate(variant, 'turn_open_decision')).toMatchObject({ passed: false, measured: 121 });
  });

  test('QG-002 first output 1501 ms on every happy-path turn fails the first-output gate', () => {
    const samples = [1, 2, 3].map((i) => turn(i, { first_output_at_ms: 1000 * i + 10 + 1501 }));
    expect(gate(samples, 'first_output')).toMatchObject({ passed: false, measured: 1501 });
    expect(gate([turn(1)], 'first_output').passed).toBe(true);
  });

  test('QG-003 cancel fence 151 ms fails the cancel-fence gate', () => {
    const samples = [turn(1, { happy_path: false, terminal_sequence: ['abort', 'close'], cancel_accepted_at_ms: 50, cancel_fence_applied_at_ms: 201 })];
    expect(gate(samples, 'cancel_fence')).toMatchObject({ passed: false, measured: 151 });
    expect(gate([turn(1, { cancel_accepted_at_ms: 50, cancel_fence_applied_at_ms: 200 })], 'cancel_fence').passed).toBe(true);
  });

  test('QG-004 one accepted stale-epoch output fails the authority gate', () => {
    expect(gate([turn(1), turn(2, { accepted_stale_epoch_outputs: 1 })], 'authority_safety')).toMatchObject({ passed: false, measured: 1 });
  });

  test.each([[['abort']], [['commit', 'abort', 'close']]])('QG-005 a turn with %j → terminal correctness < 100 % → fail', (sequence) => {
    const report = evaluateQualityGates([turn(1), turn(2, { terminal_sequence: sequence })]);
    expect(report.gates.find((g) => g.gate === 'terminal_correctness')).toMatchObject({ passed: false, measured: 0.5 });
    expect(report.passed).toBe(false);
  });

  test('QG-006 no accepted turns, or a turn missing turn_open_proposed_at → violation reported, gate fails', () => {
    const none = evaluateQualityGates([{ ...turn(1), turn_open_at_ms: undefined }]);
    expect(none.passed).toBe(false);
    expect(none.gates.every((g) => !g.passed)).toBe(true);
    expect(none.gates[0].violations).toContain('no accepted turns in the run');
    const missing = gate([turn(1, { turn_open_proposed_at_ms: undefined })], 'turn_open_decision');
    expect(missing.passed).toBe(false);
    expect(missing.violations[0]).toContain('missing turn_open_proposed_at');
    const negative = gate([turn(1, { turn_open_at_ms: 500 })], 'turn_open_decision');
    expect(negative.violations[0]).toContain('negative latency');
  });

  test('gate samples derived from engine runs pass all gates for the healthy scenarios', () => {
    for (const name of ['happy', 'two-turns', 'cancel', 'failover', 'edge-pressure']) {
      const report = evaluateQualityGates(gateSamplesFromRun(runInputLog(SCENARIOS[name])));
      expect({ name, failed: report.gates.filter((g) => !g.passed).map((g) => `${g.gate}: ${g.violations.join('; ')}`) }).toEqual({ name, failed: [] });
    }
  });
});
