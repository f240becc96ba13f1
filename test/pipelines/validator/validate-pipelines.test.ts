/**
 * The validator reports every problem with file, line, path and fix; one bad-input case per artifact
 * kind, each a minimal edit of the shipped (valid) artifacts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { validatePipelines, type Problem } from '../../../pipelines';
import { restampDigests } from '../../../pipelines/artifacts/restamp-digests';
import { lineContaining, pipelinesCopy, removeDir, replaceOnce, SHIPPED_PIPELINES, type Edit } from '../pipelines-fixture';

const SPEC = 'specs/simple_v1.yaml';
const PROFILE = 'profiles/simple_v1.yaml';
const POLICY = 'policies/default_voice_policy_v1.yaml';
const BUNDLE = 'bundles/simple_v1.yaml';
const PREV_BUNDLE = 'bundles/simple_v1_prev.yaml';
const ROLLOUT = 'rollouts/canary_10pct_v1.yaml';
const COMPAT = 'compat/contract_skew_v1.yaml';
const EXTERNAL = 'extensions/sentiment_scorer_v1.yaml';
const GATES = 'tests/mvp_gates_manifest_v1.yaml';
const EXAMPLE = 'examples/simple_livekit_voice_v1/manifest.yaml';
const REPLAY = 'replay/or02_baseline_v1/manifest.yaml';

function digestOf(file: string): string {
  return /^digest: (sha256:[0-9a-f]{64})/m.exec(fs.readFileSync(path.join(SHIPPED_PIPELINES, file), 'utf8'))![1];
}

let dirs: string[] = [];
afterEach(() => {
  dirs.forEach(removeDir);
  dirs = [];
});

function problemsAfter(edits: Record<string, Edit>): { dir: string; problems: Problem[] } {
  const dir = pipelinesCopy(edits);
  dirs.push(dir);
  return { dir, problems: validatePipelines(dir) };
}

function expectProblem(problems: readonly Problem[], expected: Partial<Problem>): Problem {
  const found = problems.find((p) => Object.entries(expected).every(([k, v]) => p[k as keyof Problem] === v));
  if (!found) throw new Error(`no problem matching ${JSON.stringify(expected)} among:\n${problems.map((p) => JSON.stringify(p)).join('\n')}`);
  expect(found.fix.length).toBeGreaterThan(0);
  return found;
}

describe('validatePipelines', () => {
  test('the shipped artifacts have no problem', () => {
    expect(validatePipelines(SHIPPED_PIPELINES)).toEqual([]);
  });

  test('PipelineSpec: an edge to an unknown node is reported at the edge end line, and the stale digest too', () => {
    const { dir, problems } = problemsAfter({ [SPEC]: replaceOnce('    to: llm\n', '    to: nowhere\n') });
    expectProblem(problems, { file: SPEC, line: lineContaining(dir, SPEC, 'to: nowhere'), path: 'edges[1].to', code: 'spec.unknown_node' });
    const stale = expectProblem(problems, { file: SPEC, path: 'digest', code: 'digest.mismatch' });
    expect(stale.line).toBe(lineContaining(dir, SPEC, 'digest: sha256'));
    expect(stale.fix).toMatch(/^set digest: sha256:[0-9a-f]{64}/);
    const ref = expectProblem(problems, { file: BUNDLE, line: lineContaining(dir, BUNDLE, 'spec: sha256'), path: 'spec', code: 'ref.stale' });
    expect(ref.message).toContain(`${SPEC} was edited`);
    expect(ref.fix).toContain('restamp-digests');
  });

  test('ExecutionProfile: a missing budget is reported at its parent line; a bad enum at its own line', () => {
    const { dir, problems } = problemsAfter({
      [PROFILE]: (t) => replaceOnce('  turn_budget_ms: 5000\n', '')(replaceOnce('    strategy: drop\n', '    strategy: fifo\n')(t)),
    });
    expectProblem(problems, { file: PROFILE, line: lineContaining(dir, PROFILE, 'budgets:'), path: 'budgets.turn_budget_ms', code: 'schema.required' });
    expectProblem(problems, { file: PROFILE, line: lineContaining(dir, PROFILE, 'strategy: fifo'), path: 'edge_buffer_policies.default.strategy', code: 'schema.enum' });
  });

  test('ExecutionProfile: a watermark whose low is not below high, and an unknown field', () => {
    const { dir, problems } = problemsAfter({
      [PROFILE]: (t) => replaceOnce('determinism:\n', '  burst: 3\ndeterminism:\n')(replaceOnce('queue_items: { high: 48, low: 24 }', 'queue_items: { high: 48, low: 48 }')(t)),
    });
    expectProblem(problems, { file: PROFILE, line: lineContaining(dir, PROFILE, 'high: 48, low: 48'), path: 'edge_buffer_policies.default.watermarks.queue_items.low', code: 'buffer.watermark_order' });
    expectProblem(problems, { file: PROFILE, line: lineContaining(dir, PROFILE, 'burst: 3'), path: 'flow_control.burst', code: 'schema.unknown_field' });
  });

  test('Policy: an unknown payload class and a bad adaptive action', () => {
    const { dir, problems } = problemsAfter({
      [POLICY]: (t) => replaceOnce('  PHI: drop\n', '  PHI: drop\n  biometrics: drop\n')(replaceOnce('[retry, provider_switch, fallback]', '[retry, reboot]')(t)),
    });
    expectProblem(problems, { file: POLICY, line: lineContaining(dir, POLICY, 'biometrics: drop'), path: 'redaction.biometrics', code: 'schema.key' });
    expectProblem(problems, { file: POLICY, line: lineContaining(dir, POLICY, '[retry, reboot]'), path: 'allowed_adaptive_actions[1]', code: 'schema.enum' });
  });

  test('PipelineBundle: a spec named instead of pinned is refused as mutable, with the digest to use', () => {
    const specDigest = digestOf(SPEC);
    const { dir, problems } = problemsAfter({ [BUNDLE]: replaceOnce(`spec: ${specDigest}`, 'spec: simple_v1:latest') });
    const line = lineContaining(dir, BUNDLE, 'spec: simple_v1:latest');
    const refused = expectProblem(problems, { file: BUNDLE, line, path: 'spec', code: 'ref.mutable' });
    expect(refused.message).toMatch(/latest.*mutable/);
    const hint = expectProblem(problems, { file: BUNDLE, line, path: 'spec', code: 'ref.mutable_hint' });
    expect(hint.fix).toContain(specDigest);
  });

  test('PipelineBundle: a digest that names nothing, and a missing provider binding', () => {
    const { dir, problems } = problemsAfter({
      [BUNDLE]: (t) => replaceOnce('  tts: cartesia/sonic-2\n', '')(replaceOnce(digestOf(POLICY), `sha256:${'0'.repeat(64)}`)(t)),
    });
    expectProblem(problems, { file: BUNDLE, line: lineContaining(dir, BUNDLE, `policy: sha256:${'0'.repeat(64)}`), path: 'policy', code: 'ref.unresolved' });
    expectProblem(problems, { file: BUNDLE, line: lineContaining(dir, BUNDLE, 'provider_bindings:'), path: 'provider_bindings', code: 'bundle.provider_binding' });
  });

  test('Rollout: a `latest` target is refused; a rollback that is not an earlier bundle is refused', () => {
    const target = digestOf(BUNDLE);
    const rollback = digestOf(PREV_BUNDLE);
    const { dir, problems } = problemsAfter({
      [ROLLOUT]: (t) => replaceOnce(`target_bundle: ${target}`, 'target_bundle: latest')(t),
    });
    const refused = expectProblem(problems, { file: ROLLOUT, line: lineContaining(dir, ROLLOUT, 'target_bundle: latest'), path: 'target_bundle', code: 'ref.mutable' });
    expect(refused.message).toContain("'latest' names whatever is current");

    const swapped = problemsAfter({
      [ROLLOUT]: (t) => t.replace(`target_bundle: ${target}`, 'TARGET').replace(`rollback_bundle: ${rollback}`, `rollback_bundle: ${target}`).replace('TARGET', `target_bundle: ${rollback}`),
    });
    expectProblem(swapped.problems, { file: ROLLOUT, line: lineContaining(swapped.dir, ROLLOUT, 'rollback_bundle:'), path: 'rollback_bundle', code: 'rollout.rollback_not_earlier' });

    const itself = problemsAfter({ [ROLLOUT]: replaceOnce(`rollback_bundle: ${rollback}`, `rollback_bundle: ${target}`) });
    expectProblem(itself.problems, { file: ROLLOUT, path: 'rollback_bundle', code: 'rollout.rollback_is_target' });
  });

  test('Rollout: steps that do not reach 100% and a rollback trigger that is not a gate', () => {
    const { dir, problems } = problemsAfter({
      [ROLLOUT]: (t) => replaceOnce('  - traffic_percent: 100\n', '  - traffic_percent: 50\n')(replaceOnce('  - cancel_fence\n', '  - cancel_fencing\n')(t)),
    });
    expectProblem(problems, { file: ROLLOUT, line: lineContaining(dir, ROLLOUT, 'traffic_percent: 50'), path: 'steps[1].traffic_percent', code: 'rollout.steps_complete' });
    expectProblem(problems, { file: ROLLOUT, line: lineContaining(dir, ROLLOUT, '- cancel_fencing'), path: 'rollback_on[2]', code: 'rollout.unknown_gate' });
  });

  test('CompatMatrix: N must read N-1, and a missing snapshot is reported', () => {
    const { dir, problems } = problemsAfter({
      [COMPAT]: (t) =>
        replaceOnce('{ producer: N-1, consumer: N, supported: true, rule: additive_backward }', '{ producer: N-1, consumer: N, supported: false, rule: additive_backward }')(
          replaceOnce('snapshot: contracts_n-1.snapshot.json', 'snapshot: contracts_gone.json')(t),
        ),
    });
    expectProblem(problems, { file: COMPAT, line: lineContaining(dir, COMPAT, 'supported: false'), path: 'cells[2].supported', code: 'compat.backward_required' });
    expectProblem(problems, { file: COMPAT, line: lineContaining(dir, COMPAT, 'contracts_gone.json'), path: 'previous.snapshot', code: 'compat.missing_snapshot' });
  });

  test('Extension: a spec node using an extension must match its node_type, and its bundle must list it', () => {
    const kws = digestOf('extensions/keyword_spotter_v1.yaml');
    const dir = pipelinesCopy({ [SPEC]: replaceOnce('  - id: transport_out\n', `  - id: kws\n    node_type: keyword_spotting\n    extension: ${kws}\n  - id: transport_out\n`) });
    dirs.push(dir);
    expect(restampDigests(dir)).toBeGreaterThanOrEqual(2); // the spec, then the bundle that pins it
    const problems = validatePipelines(dir);
    expectProblem(problems, { file: SPEC, line: lineContaining(dir, SPEC, 'node_type: keyword_spotting'), path: 'nodes[4].node_type', code: 'spec.extension_node_type' });
    expectProblem(problems, { file: BUNDLE, line: lineContaining(dir, BUNDLE, 'kind: PipelineBundle'), path: 'extensions', code: 'bundle.extension_missing' });
    expect(problems.filter((p) => p.code === 'digest.mismatch' || p.code === 'ref.unresolved')).toEqual([]);
  });

  test('Extension: an external node image by tag is refused as mutable', () => {
    const { dir, problems } = problemsAfter({ [EXTERNAL]: replaceOnce(/^image: .*$/m, 'image: ghcr.io/rspp/sentiment-scorer:1.4') });
    expectProblem(problems, { file: EXTERNAL, line: lineContaining(dir, EXTERNAL, 'image: ghcr.io'), path: 'image', code: 'ref.mutable_image' });
  });

  test('GatesManifest: a threshold that drifts from SLO_GATES is reported', () => {
    const { dir, problems } = problemsAfter({ [GATES]: replaceOnce('    threshold: 150\n', '    threshold: 200\n') });
    const drift = expectProblem(problems, { file: GATES, line: lineContaining(dir, GATES, 'threshold: 200'), path: 'gates[4].threshold', code: 'gates.threshold_drift' });
    expect(drift.fix).toBe('set threshold: 150 (SLO_GATES is the one spelling of the thresholds)');
  });

  test('Example: an unknown rollout and an inline field are reported', () => {
    const { dir, problems } = problemsAfter({ [EXAMPLE]: (t) => replaceOnce('rollout: canary_10pct_v1', 'rollout: canary_50pct_v1')(replaceOnce('  language: en-US\n', '  language: en-US\n  api_secret: inline-value\n')(t)) });
    expectProblem(problems, { file: EXAMPLE, line: lineContaining(dir, EXAMPLE, 'rollout: canary_50pct_v1'), path: 'rollout', code: 'example.rollout' });
    expectProblem(problems, { file: EXAMPLE, line: lineContaining(dir, EXAMPLE, 'api_secret: inline-value'), path: 'session.api_secret', code: 'schema.unknown_field' });

    const older = problemsAfter({ [EXAMPLE]: replaceOnce(digestOf(BUNDLE), digestOf(PREV_BUNDLE)) });
    expectProblem(older.problems, { file: EXAMPLE, line: lineContaining(older.dir, EXAMPLE, 'bundle: sha256'), path: 'bundle', code: 'example.bundle_not_rolled_out' });
  });

  test('ReplaySet: a session naming an unknown bundle and a missing input log', () => {
    const { dir, problems } = problemsAfter({
      [REPLAY]: (t) => replaceOnce('input_log: sessions/happy_path_commit.input.json', 'input_log: sessions/gone.input.json')(t.replace(digestOf(BUNDLE), `sha256:${'a'.repeat(64)}`)),
    });
    expectProblem(problems, { file: REPLAY, line: lineContaining(dir, REPLAY, 'sessions/gone.input.json'), path: 'sessions[0].input_log', code: 'replay.missing_file' });
    expectProblem(problems, { file: REPLAY, line: lineContaining(dir, REPLAY, `bundle: sha256:${'a'.repeat(64)}`), path: 'sessions[0].bundle', code: 'ref.unresolved' });
  });

  test('YAML syntax errors, wrong folder and name mismatches are reported with their lines', () => {
    const { dir, problems } = problemsAfter({
      [POLICY]: replaceOnce('late_event_policy: drop\n', 'late_event_policy: [drop\n'),
      [PREV_BUNDLE]: replaceOnce('name: simple_v1_prev', 'name: simple_v0'),
    });
    const syntax = expectProblem(problems, { file: POLICY, code: 'yaml.syntax' });
    expect(syntax.line).toBeGreaterThanOrEqual(lineContaining(dir, POLICY, 'late_event_policy: [drop'));
    expectProblem(problems, { file: PREV_BUNDLE, line: lineContaining(dir, PREV_BUNDLE, 'name: simple_v0'), path: 'name', code: 'artifact.name' });

    const moved = pipelinesCopy();
    dirs.push(moved);
    fs.renameSync(path.join(moved, POLICY), path.join(moved, 'profiles', 'default_voice_policy_v1.yaml'));
    expectProblem(validatePipelines(moved), { file: 'profiles/default_voice_policy_v1.yaml', path: 'kind', code: 'artifact.folder' });
    fs.mkdirSync(path.join(moved, 'bundle'));
    fs.renameSync(path.join(moved, PREV_BUNDLE), path.join(moved, 'bundle', 'simple_v1_prev.yaml'));
    const stray = expectProblem(validatePipelines(moved), { file: 'bundle/simple_v1_prev.yaml', code: 'artifact.unknown_folder' });
    expect(stray.fix).toBe('move the file to bundles/');
  });

  test('every problem is reported at once, sorted by file and line', () => {
    const { problems } = problemsAfter({
      [SPEC]: replaceOnce('    to: llm\n', '    to: nowhere\n'),
      [ROLLOUT]: replaceOnce(`target_bundle: ${digestOf(BUNDLE)}`, 'target_bundle: main'),
      [EXTERNAL]: replaceOnce(/^image: .*$/m, 'image: sentiment:latest'),
    });
    const files = new Set(problems.map((p) => p.file));
    expect([...files]).toEqual(expect.arrayContaining([SPEC, ROLLOUT, EXTERNAL]));
    const keys = problems.map((p) => `${p.file}\u0000${String(p.line).padStart(6, '0')}`);
    expect(keys).toEqual([...keys].sort());
  });
});
