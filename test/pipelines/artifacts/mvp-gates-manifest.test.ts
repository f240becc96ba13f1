/**
 * tests/mvp_gates_manifest_v1.yaml mirrors SLO_GATES (runtime/contracts/runtime-interface.ts): the one
 * spelling of the thresholds (turn-engine.md §11) is the shared constant; the manifest may not drift.
 */
import { SLO_GATES } from '../../../runtime/contracts/runtime-interface';
import { loadArtifacts } from '../../../pipelines';

describe('mvp_gates_manifest_v1', () => {
  const manifest = loadArtifacts().gatesManifests.find((g) => g.artifact.name === 'mvp_gates_manifest_v1')!.artifact;

  test('every threshold equals its SLO_GATES value', () => {
    for (const gate of manifest.gates) {
      expect(Object.keys(SLO_GATES)).toContain(gate.slo_key);
      expect({ gate: gate.id, threshold: gate.threshold }).toEqual({ gate: gate.id, threshold: SLO_GATES[gate.slo_key as keyof typeof SLO_GATES] });
    }
  });

  test('every SLO_GATES threshold is gated exactly once', () => {
    const keys = manifest.gates.map((g) => g.slo_key).sort();
    expect(keys).toEqual(Object.keys(SLO_GATES).sort());
  });

  test('latency gates are maxima; a gate is a minimum exactly when its SLO_GATES key says Min; the stages are the runner order', () => {
    for (const gate of manifest.gates) {
      expect(gate.comparator).toBe(gate.slo_key.endsWith('Min') ? 'gte' : 'lte');
      if (gate.unit === 'ms') expect(gate.comparator).toBe('lte');
    }
    expect(manifest.stages).toEqual(['contract', 'replay', 'baseline', 'slo', 'publish']);
  });
});
