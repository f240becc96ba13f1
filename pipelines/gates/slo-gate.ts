/**
 * SLO gate: the measured figures of the bench and load results meet every `stage: slo` threshold of
 * the gates manifest. A missing results file, a missing figure or a figure that is not a number is a
 * failure that names the file and the field.
 */
import type { GateDefinition, GatesManifestArtifact } from '../artifacts/artifact-types';
import type { GateOutcome } from './gate-types';
import { figureAt, readResultsFile, ResultsFileError, type ResultsFile } from './results-files';

export interface SloSources {
  readonly engine: { readonly file: string; readonly producedBy: string };
  readonly load: { readonly file: string; readonly producedBy: string };
}

export interface ThresholdCheck {
  readonly gate: string;
  readonly source: string;
  readonly metric: string;
  readonly figure: number | null;
  readonly comparator: 'lte' | 'gte';
  readonly threshold: number;
  readonly unit: string;
  readonly passed: boolean;
}

/** `figure` against a manifest gate; the one comparison rule for baseline and SLO gates. */
export function meetsThreshold(gate: GateDefinition, figure: number): boolean {
  return gate.comparator === 'lte' ? figure <= gate.threshold : figure >= gate.threshold;
}

export function describeMiss(check: ThresholdCheck): string {
  const op = check.comparator === 'lte' ? 'exceeds the maximum' : 'is below the minimum';
  return `${check.gate}: ${check.metric} = ${check.figure}${check.unit === 'ms' ? ' ms' : ''} ${op} ${check.threshold}`;
}

export function runSloGate(manifest: GatesManifestArtifact, sources: SloSources): GateOutcome {
  const gates = manifest.gates.filter((g) => g.stage === 'slo');
  const files = new Map<string, ResultsFile>();
  const checks: ThresholdCheck[] = [];
  const problems: string[] = [];
  for (const gate of gates) {
    if (gate.source === 'replay') {
      problems.push(`${gate.id}: an slo gate must read the engine or load results, not '${gate.source}'`);
      continue;
    }
    const source = sources[gate.source];
    let file = files.get(gate.source);
    if (!file) {
      try {
        file = readResultsFile(`bench_${gate.source}`, source.file, source.producedBy);
      } catch (e) {
        if (!(e instanceof ResultsFileError)) throw e;
        return { passed: false, reason: e.message, evidence: { checks, missing_file: { role: `bench_${gate.source}` } } };
      }
      files.set(gate.source, file);
    }
    const figure = figureAt(file.value, gate.metric);
    if (typeof figure !== 'number' || !Number.isFinite(figure)) {
      problems.push(`${gate.id}: '${file.path}' has no numeric '${gate.metric}' (found ${JSON.stringify(figure) ?? 'nothing'})`);
      checks.push({ gate: gate.id, source: file.role, metric: gate.metric, figure: null, comparator: gate.comparator, threshold: gate.threshold, unit: gate.unit, passed: false });
      continue;
    }
    const check: ThresholdCheck = { gate: gate.id, source: file.role, metric: gate.metric, figure, comparator: gate.comparator, threshold: gate.threshold, unit: gate.unit, passed: meetsThreshold(gate, figure) };
    checks.push(check);
    if (!check.passed) problems.push(`${describeMiss(check)} (${file.path})`);
  }
  const evidence = {
    gates_manifest: manifest.name,
    files: [...files.values()].map((f) => ({ role: f.role, sha256: f.sha256 })).sort((a, b) => (a.role < b.role ? -1 : 1)),
    checks,
  };
  return problems.length === 0 ? { passed: true, evidence } : { passed: false, reason: problems.join('; '), evidence };
}
