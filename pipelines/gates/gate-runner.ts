/**
 * `runGates(opts)`: contract → replay → baseline → SLO → publish. Each gate returns a verdict with
 * its evidence; the runner stops at the first failure with that gate's reason and writes nothing.
 * When all pass, the publish gate writes the release manifest (image digest, bundle digests, each
 * gate's verdict and evidence sha256). No clock, host or path enters the evidence or the manifest,
 * so the same inputs give byte-identical output.
 */
import * as path from 'path';
import { CONTRACT_SCHEMA_SET_V1 } from '../../runtime/contracts/v1';
import { defaultPipelinesDir, loadArtifacts, PipelineArtifactsError, type ArtifactSet } from '../artifacts/artifact-loader';
import { canonicalJson, sha256Hex } from '../artifacts/canonical-digest';
import type { Problem } from '../validator/problem';
import { runBaselineGate } from './baseline-gate';
import { runContractGate } from './contract-gate';
import type { GateName, GateOutcome, GateRunResult, GateVerdict, RunGatesOptions } from './gate-types';
import { planPublish, writeRelease, type PublishInputs } from './publish-gate';
import { runReplayGate, type ReplayRun } from './replay-gate';
import { runSloGate } from './slo-gate';

export const DEFAULT_GATES_MANIFEST = 'mvp_gates_manifest_v1';
const RELEASE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

export function runGates(opts: RunGatesOptions = {}): GateRunResult {
  const root = path.resolve(opts.rootDir ?? process.cwd());
  const pipelinesDir = path.resolve(opts.pipelinesDir ?? defaultPipelinesDir());
  const gatesManifestName = opts.gatesManifest ?? DEFAULT_GATES_MANIFEST;
  if (opts.releaseName !== undefined && !RELEASE_NAME_PATTERN.test(opts.releaseName)) {
    throw new Error(`runGates: releaseName '${opts.releaseName}' must match ${RELEASE_NAME_PATTERN} (it becomes a file name)`);
  }
  const verdicts: GateVerdict[] = [];
  const record = (gate: GateName, outcome: GateOutcome): GateVerdict => {
    const evidence = outcome.evidence;
    const verdict: GateVerdict = {
      gate,
      passed: outcome.passed,
      ...(outcome.passed ? {} : { reason: outcome.reason ?? 'failed' }),
      evidence,
      evidence_sha256: sha256Hex(canonicalJson(evidence)),
    };
    verdicts.push(verdict);
    return verdict;
  };
  const stop = (v: GateVerdict): GateRunResult => ({ passed: false, failedGate: v.gate, reason: `${v.gate} gate failed: ${v.reason}`, verdicts });

  // 1. contract
  let set: ArtifactSet | undefined;
  let problems: readonly Problem[] = [];
  try {
    set = loadArtifacts(pipelinesDir);
  } catch (e) {
    if (!(e instanceof PipelineArtifactsError)) throw e;
    problems = e.problems;
  }
  const contract = record('contract', runContractGate({ problems, set, current: opts.currentContracts ?? CONTRACT_SCHEMA_SET_V1, gatesManifest: gatesManifestName }));
  if (!contract.passed || !set) return stop(contract);

  const manifest = set.gatesManifests.find((g) => g.artifact.name === gatesManifestName)!.artifact; // the contract gate proved it exists

  // 2. replay
  const replayed: ReplayRun[] = [];
  const replay = record('replay', runReplayGate(set, replayed));
  if (!replay.passed) return stop(replay);

  // 3. baseline
  const baseline = record('baseline', runBaselineGate(manifest, replayed));
  if (!baseline.passed) return stop(baseline);

  // 4. SLO
  const slo = record(
    'slo',
    runSloGate(manifest, {
      engine: { file: path.resolve(root, opts.benchEngineFile ?? path.join('dist', 'bench', 'engine.json')), producedBy: '`npm run bench`' },
      load: { file: path.resolve(root, opts.benchLoadFile ?? path.join('dist', 'bench', 'load.json')), producedBy: '`npm run bench:load`' },
    }),
  );
  if (!slo.passed) return stop(slo);

  // 5. publish
  const publishInputs: Omit<PublishInputs, 'releaseName'> = {
    set,
    releaseDir: path.resolve(root, opts.releaseDir ?? path.join('dist', 'release')),
    gatesManifest: gatesManifestName,
    image: opts.image,
    imageFile: path.resolve(root, opts.imageFile ?? path.join('dist', 'image', 'runtime.json')),
    bundles: opts.bundles,
    createdAt: opts.createdAt,
  };
  const planned = planPublish(publishInputs);
  const publish = record('publish', planned);
  if (!publish.passed || !planned.plan) return stop(publish);
  const releaseName = opts.releaseName ?? planned.plan.bundles.map((b) => b.name).join('+');
  const written = writeRelease({ ...publishInputs, releaseName }, planned.plan, verdicts);
  return { passed: true, verdicts, manifestPath: written.manifestPath, manifest: written.manifest };
}
