/**
 * The release gate runner: contract → replay → baseline → SLO → publish. One passing run end to end,
 * one run per gate that breaks exactly that gate, and reproducibility (same inputs, same bytes).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONTRACT_SCHEMA_SET_V1, type ContractSchemaSet, type ObjectSchema } from '../../../runtime/contracts/v1';
import { loadArtifacts, runGates, sha256Hex, type GateRunResult } from '../../../pipelines';
import { restampDigests } from '../../../pipelines/artifacts/restamp-digests';
import { lineContaining, pipelinesCopy, removeDir, replaceOnce, SHIPPED_PIPELINES } from '../pipelines-fixture';
import { engineResults, gateRoot, IMAGE, loadResults, type GateRoot } from './gate-fixtures';

const HAPPY = 'replay/or02_baseline_v1/sessions/happy_path_commit';
/** Accepted turns of the shipped replay set (one OR-02 record each), counted from its evidence files. */
const RECORDED_TURNS = fs
  .readdirSync(path.join(SHIPPED_PIPELINES, 'replay', 'or02_baseline_v1', 'sessions'))
  .filter((f) => f.endsWith('.evidence.json'))
  .reduce((n, f) => n + JSON.parse(fs.readFileSync(path.join(SHIPPED_PIPELINES, 'replay', 'or02_baseline_v1', 'sessions', f), 'utf8')).records.length, 0);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const simpleDigest = loadArtifacts().bundles.find((b) => b.artifact.name === 'simple_v1')!.digest;

let cleanup: string[] = [];
afterEach(() => {
  cleanup.forEach(removeDir);
  cleanup = [];
});

function run(root: GateRoot, extra: Parameters<typeof runGates>[0] = {}): GateRunResult {
  cleanup.push(root.root);
  return runGates({ rootDir: root.root, releaseName: 'rspp-mvp', ...extra });
}

function copy(edits: Parameters<typeof pipelinesCopy>[0]): string {
  const dir = pipelinesCopy(edits);
  cleanup.push(dir);
  return dir;
}

function expectStoppedAt(result: GateRunResult, gate: string, reason: RegExp): void {
  expect({ passed: result.passed, failedGate: result.failedGate }).toEqual({ passed: false, failedGate: gate });
  expect(result.reason).toMatch(reason);
  const order = ['contract', 'replay', 'baseline', 'slo', 'publish'];
  expect(result.verdicts.map((v) => v.gate)).toEqual(order.slice(0, order.indexOf(gate) + 1));
  expect(result.verdicts.slice(0, -1).every((v) => v.passed)).toBe(true);
  expect(result.manifestPath).toBeUndefined();
}

function releaseFiles(root: string): Map<string, string> {
  const dir = path.join(root, 'dist', 'release');
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else out.set(path.relative(dir, abs), fs.readFileSync(abs, 'utf8'));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

describe('runGates', () => {
  test('a passing run writes the release manifest naming the image digest, bundle digests and evidence hashes', () => {
    const root = gateRoot();
    const result = run(root);
    expect(result.reason).toBeUndefined();
    expect(result.passed).toBe(true);
    expect(result.verdicts.map((v) => [v.gate, v.passed])).toEqual([
      ['contract', true],
      ['replay', true],
      ['baseline', true],
      ['slo', true],
      ['publish', true],
    ]);
    expect(result.manifestPath).toBe(path.join(root.root, 'dist', 'release', 'rspp-mvp.json'));
    const manifest = JSON.parse(fs.readFileSync(result.manifestPath!, 'utf8'));
    expect(manifest.image).toEqual({ reference: IMAGE, digest: `sha256:${'4d'.repeat(32)}` });
    expect(manifest.bundles).toEqual([{ name: 'simple_v1', digest: simpleDigest }]);
    const rollout = loadArtifacts().rollouts[0].artifact;
    expect(manifest.rollouts).toEqual([{ name: 'canary_10pct_v1', target_bundle: simpleDigest, rollback_bundle: rollout.rollback_bundle }]);
    expect(manifest.created_at).toBeUndefined();
    for (const gate of manifest.gates) {
      expect(gate.verdict).toBe('pass');
      const evidence = fs.readFileSync(path.join(root.root, 'dist', 'release', 'rspp-mvp.evidence', `${gate.gate}.json`));
      expect(sha256Hex(evidence)).toBe(gate.evidence_sha256);
    }
    const baseline = JSON.parse(fs.readFileSync(path.join(root.root, 'dist', 'release', 'rspp-mvp.evidence', 'baseline.json'), 'utf8'));
    expect(baseline.checks.map((c: { gate: string; figure: number }) => [c.gate, c.figure])).toEqual([
      ['or02_completeness', 1],
      ['terminal_correctness', 1],
    ]);
    expect(RECORDED_TURNS).toBeGreaterThan(1);
    expect(baseline.accepted_turns).toBe(RECORDED_TURNS);
  });

  test('reproducible: the same inputs give byte-identical manifest and evidence, wherever they live', () => {
    const a = gateRoot();
    const b = gateRoot();
    const first = run(a);
    const again = run(a);
    const elsewhere = run(b);
    expect([first.passed, again.passed, elsewhere.passed]).toEqual([true, true, true]);
    const filesA = releaseFiles(a.root);
    expect(filesA.size).toBe(6);
    expect(releaseFiles(b.root)).toEqual(filesA);
    const stamped = run(gateRoot(), { createdAt: '2026-11-25T12:00:00Z' });
    expect(stamped.manifest!.created_at).toBe('2026-11-25T12:00:00Z');
  });

  test('contract gate: a contract with a removed field breaks N/N-1 compat and stops the run', () => {
    const signal = CONTRACT_SCHEMA_SET_V1.schemas.ControlSignal as ObjectSchema;
    const { reason: _removed, ...properties } = signal.properties;
    expect(_removed).toBeDefined();
    const broken: ContractSchemaSet = { version: CONTRACT_SCHEMA_SET_V1.version, schemas: { ...CONTRACT_SCHEMA_SET_V1.schemas, ControlSignal: { ...signal, properties } } };
    const result = run(gateRoot(), { currentContracts: broken });
    expectStoppedAt(result, 'contract', /ControlSignal\.reason: field reason was removed or renamed \[field_removed\]/);
    expect(result.reason).toMatch(/producer N-1 → consumer N is declared supported but does not hold/);
  });

  test('contract gate: an added optional field is additive (N reads N-1) but refutes a supported N → N-1 cell', () => {
    const event = CONTRACT_SCHEMA_SET_V1.schemas.EventRecord as ObjectSchema;
    const grown: ContractSchemaSet = {
      version: CONTRACT_SCHEMA_SET_V1.version,
      schemas: { ...CONTRACT_SCHEMA_SET_V1.schemas, EventRecord: { ...event, properties: { ...event.properties, region_hint: { type: 'string', minLength: 1 } } } },
    };
    const additive = run(gateRoot(), { currentContracts: grown });
    expect(additive.passed).toBe(true);
    const compat = (additive.verdicts[0].evidence as { compat: Array<{ additions: string[]; cells: Array<{ producer: string; consumer: string; holds: boolean }> }> }).compat[0];
    expect(compat.additions).toEqual(['EventRecord.region_hint: new optional field']);
    expect(compat.cells.find((c) => c.producer === 'N' && c.consumer === 'N-1')!.holds).toBe(false);

    const dir = copy({ 'compat/contract_skew_v1.yaml': replaceOnce('{ producer: N, consumer: N-1, supported: false', '{ producer: N, consumer: N-1, supported: true') });
    const claimed = run(gateRoot(), { pipelinesDir: dir, currentContracts: grown });
    expectStoppedAt(claimed, 'contract', /producer N → consumer N-1 is declared supported but does not hold \(N added EventRecord\.region_hint: new optional field/);
  });

  test('contract gate: a mutable reference in the artifacts stops the run before any replay', () => {
    const dir = copy({ 'rollouts/canary_10pct_v1.yaml': replaceOnce(/^target_bundle: .*$/m, 'target_bundle: simple_v1:latest') });
    const result = run(gateRoot(), { pipelinesDir: dir });
    expectStoppedAt(result, 'contract', /rollouts\/canary_10pct_v1\.yaml:\d+ target_bundle: 'simple_v1:latest' is not a content digest/);
    expect(result.reason).toContain(`:${lineContaining(dir, 'rollouts/canary_10pct_v1.yaml', 'target_bundle:')} `);
  });

  test('replay gate: a recorded log that no longer replays identically stops the run with the divergence', () => {
    const dir = copy({ [`${HAPPY}.input.json`]: replaceOnce('"snapshots": "valid"', '"snapshots": "stale"') });
    const result = run(gateRoot(), { pipelinesDir: dir });
    expectStoppedAt(result, 'replay', /or02_baseline_v1\/happy_path_commit: OUTCOME_DIVERGENCE turn:t1/);
  });

  test('replay gate: a bundle changed after recording replays to a PLAN_DIVERGENCE', () => {
    const dir = copy({ 'bundles/simple_v1.yaml': replaceOnce('  tts: cartesia/sonic-2\n', '  tts: cartesia/sonic-3\n') });
    expect(restampDigests(dir)).toBeGreaterThan(0); // the replay set now names the edited bundle
    const result = run(gateRoot(), { pipelinesDir: dir });
    expectStoppedAt(result, 'replay', /happy_path_commit: PLAN_DIVERGENCE turn:t1: plan_hash/);
  });

  test('contract gate: a gates manifest that does not exist is named', () => {
    expectStoppedAt(run(gateRoot(), { gatesManifest: 'mvp_gates_manifest_v9' }), 'contract', /no GatesManifest named 'mvp_gates_manifest_v9' under tests\/ \(have: mvp_gates_manifest_v1\)/);
  });

  test('baseline gate: an evidence record missing a field fails OR-02 completeness', () => {
    const dir = copy({ [`${HAPPY}.evidence.json`]: replaceOnce(/\n\s*"plan_hash": "[0-9a-f]{64}",/, '') });
    const result = run(gateRoot(), { pipelinesDir: dir });
    // One incomplete record out of RECORDED_TURNS.
    const ratio = escapeRegExp(String((RECORDED_TURNS - 1) / RECORDED_TURNS));
    expectStoppedAt(result, 'baseline', new RegExp(`^baseline gate failed: or02_completeness: or02_completeness = ${ratio} is below the minimum 1`));
    expect(result.reason).toMatch(/happy_path_commit turn t1: \$\.plan_hash/);
  });

  test('SLO gate: a figure over its threshold stops the run naming the gate, figure and file', () => {
    const root = gateRoot({ load: loadResults({ turnOpenP95: 120.5 }) });
    const result = run(root);
    expectStoppedAt(result, 'slo', /turn_open_decision: clientSide\.turnOpen\.p95Ms = 120\.5 ms exceeds the maximum 120/);
    expect(result.reason).toContain(root.loadFile);
    const stale = run(gateRoot({ engine: engineResults({ stale_epoch_accepted: 1 }) }));
    expectStoppedAt(stale, 'slo', /authority_safety: stale_epoch_accepted = 1 exceeds the maximum 0/);
  });

  test('SLO gate: runtime CPU per frame over 1.2 × the echo baseline fails; a run without --baseline echo cannot pass it', () => {
    expectStoppedAt(run(gateRoot({ load: loadResults({ cpuPerFrameRatio: 1.25 }) })), 'slo', /server_cpu_per_frame_vs_echo: comparison\.cpuPerFrameRatio = 1\.25 exceeds the maximum 1\.2/);
    const withoutBaseline = { ...(loadResults() as Record<string, unknown>), comparison: undefined };
    expectStoppedAt(run(gateRoot({ load: withoutBaseline })), 'slo', /server_cpu_per_frame_vs_echo: .*comparison\.cpuPerFrameRatio/);
  });

  test('SLO gate: a figure the bench could not measure (null p95) fails, naming the field', () => {
    const result = run(gateRoot({ load: loadResults({ cancelFenceP95: null }) }));
    expectStoppedAt(result, 'slo', /cancel_fence: '.*load\.json' has no numeric 'clientSide\.cancelFence\.p95Ms' \(found null\)/);
  });

  test('SLO gate: a missing results file is a failure that names it', () => {
    const root = gateRoot();
    fs.rmSync(root.loadFile);
    const result = run(root);
    expectStoppedAt(result, 'slo', /bench_load results file '.*dist\/bench\/load\.json' is missing/);
  });

  test('publish gate: a runtime image by tag is a mutable reference and nothing is published', () => {
    const root = gateRoot({ image: { image: 'ghcr.io/rspp/runtime:latest' } });
    const result = run(root);
    expectStoppedAt(result, 'publish', /mutable reference refused: runtime image 'ghcr\.io\/rspp\/runtime:latest'/);
    expect(fs.existsSync(path.join(root.root, 'dist', 'release'))).toBe(false);
  });

  test('publish gate: a bundle named instead of pinned is refused', () => {
    const result = run(gateRoot(), { bundles: ['simple_v1'] });
    expectStoppedAt(result, 'publish', /mutable reference refused: bundle 'simple_v1'/);
  });

  test('the shipped pipelines directory is the default', () => {
    expect(loadArtifacts().dir).toBe(SHIPPED_PIPELINES);
  });
});
