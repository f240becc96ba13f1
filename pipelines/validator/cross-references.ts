/**
 * Rules that span artifacts (and a few that span fields of one artifact): every digest reference
 * resolves to an artifact of the right kind; a bundle's parts agree with each other; a rollout's
 * rollback is an earlier bundle in the target's lineage; the replay set names bundles and files that
 * exist; the gates manifest mirrors the shared SLO thresholds. Every rule tolerates malformed input
 * (the schema pass has already reported it) and reports all it finds.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SLO_GATES } from '../../runtime/contracts/runtime-interface';
import type { ArtifactFile } from '../artifacts/artifact-files';
import { isDigest } from '../artifacts/canonical-digest';
import { DEFAULT_EDGE_KEY } from '../artifacts/artifact-types';
import { isRecord } from '../schema/check-schema';
import { collectDigestRefs } from '../schema/digest-refs';
import type { ArtifactKindName, ArtifactKindSchema } from '../schema/schema-language';
import { GATE_ORDER } from '../gates/gate-types';
import type { ProblemSink } from './problem';

export interface TypedArtifact {
  readonly file: ArtifactFile;
  readonly kind: ArtifactKindSchema;
  readonly value: Record<string, unknown>;
}

export function checkCrossReferences(artifacts: readonly TypedArtifact[], sink: ProblemSink): void {
  const byDigest = new Map<string, TypedArtifact>();
  const byKind = (kind: ArtifactKindName) => artifacts.filter((a) => a.kind.kind === kind);
  for (const a of artifacts) if (a.kind.contentAddressed && a.file.digest) byDigest.set(a.file.digest, a);

  checkDuplicateNames(artifacts, sink);
  checkDigestRefs(artifacts, byDigest, sink);
  for (const a of byKind('PipelineSpec')) checkSpec(a, byDigest, sink);
  for (const a of byKind('ExecutionProfile')) checkBufferPolicy(a, ['edge_buffer_policies', 'default'], sink);
  for (const a of byKind('PipelineBundle')) checkBundle(a, byDigest, sink);
  const gatesManifests = byKind('GatesManifest');
  for (const a of gatesManifests) checkGatesManifest(a, sink);
  for (const a of byKind('Rollout')) checkRollout(a, byDigest, gatesManifests, sink);
  for (const a of byKind('ReplaySet')) checkReplaySet(a, sink);
  for (const a of byKind('CompatMatrix')) checkCompatMatrix(a, sink);
  for (const a of byKind('Extension')) checkExtension(a, sink);
  for (const a of byKind('Example')) checkExample(a, byKind('Rollout'), sink);
}

function checkDuplicateNames(artifacts: readonly TypedArtifact[], sink: ProblemSink): void {
  const seen = new Map<string, TypedArtifact>();
  for (const a of artifacts) {
    if (typeof a.value.name !== 'string') continue;
    const key = `${a.kind.kind}/${a.value.name}`;
    const first = seen.get(key);
    if (first) sink.report(a.file, ['name'], 'artifact.duplicate_name', `another ${a.kind.kind} is named '${a.value.name}' (${first.file.file})`, 'give each artifact a unique name; a changed artifact gets a new versioned name');
    else seen.set(key, a);
  }
}

function checkDigestRefs(artifacts: readonly TypedArtifact[], byDigest: Map<string, TypedArtifact>, sink: ProblemSink): void {
  for (const a of artifacts) {
    for (const ref of collectDigestRefs(a.value, a.kind.schema)) {
      if (!isDigest(ref.value)) {
        // Mutable: already refused by the schema pass. Name the digest to use when we can tell.
        const suggestion = typeof ref.value === 'string' ? suggestDigest(ref.value, ref.refKind, artifacts) : undefined;
        if (suggestion) sink.report(a.file, ref.path, 'ref.mutable_hint', `'${ref.value}' looks like ${suggestion.file.file}`, `write ${suggestion.file.digest} (the digest of ${suggestion.file.file})`);
        continue;
      }
      const target = byDigest.get(ref.value);
      const edited = target ? undefined : artifacts.find((o) => o.kind.contentAddressed && o.value.digest === ref.value);
      if (edited) {
        sink.report(a.file, ref.path, 'ref.stale', `${edited.file.file} was edited: its content digest is now ${edited.file.digest}, not ${ref.value}`, 'run `npx tsx pipelines/artifacts/restamp-digests.ts` to restamp it and every reference to it, then review the diff');
      } else if (!target) {
        sink.report(a.file, ref.path, 'ref.unresolved', `no ${ref.refKind} has digest ${ref.value}`, `reference an existing ${ref.refKind} by its current digest (\`npm run pipelines:validate -- --digests\`), or add the missing artifact`);
      } else if (target.kind.kind !== ref.refKind) {
        sink.report(a.file, ref.path, 'ref.wrong_kind', `${ref.value} is a ${target.kind.kind} (${target.file.file}), not a ${ref.refKind}`, `reference a ${ref.refKind} here`);
      }
    }
  }
}

function suggestDigest(value: string, kind: ArtifactKindName, artifacts: readonly TypedArtifact[]): TypedArtifact | undefined {
  const bare = value.replace(/[:@].*$/, '').replace(/^.*\//, '');
  return artifacts.find((a) => a.kind.kind === kind && a.value.name === bare && a.file.digest);
}

function resolved(byDigest: Map<string, TypedArtifact>, value: unknown, kind: ArtifactKindName): TypedArtifact | undefined {
  const target = isDigest(value) ? byDigest.get(value) : undefined;
  return target && target.kind.kind === kind ? target : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function checkSpec(a: TypedArtifact, byDigest: Map<string, TypedArtifact>, sink: ProblemSink): void {
  const nodes = asArray(a.value.nodes).filter(isRecord);
  const ids = new Set(nodes.map((n) => n.id).filter((id): id is string => typeof id === 'string'));
  asArray(a.value.edges).forEach((edge, i) => {
    if (!isRecord(edge)) return;
    if (edge.id === DEFAULT_EDGE_KEY) {
      sink.report(a.file, ['edges', i, 'id'], 'spec.reserved_edge_id', `edge id '${DEFAULT_EDGE_KEY}' is reserved for the profile's default buffer policy`, 'rename the edge');
    }
    for (const end of ['from', 'to'] as const) {
      if (typeof edge[end] === 'string' && !ids.has(edge[end] as string)) {
        sink.report(a.file, ['edges', i, end], 'spec.unknown_node', `edge '${String(edge.id)}' ${end} '${edge[end]}' is not a node of this spec`, `use one of the node ids: ${[...ids].join(', ')}`);
      }
    }
    if (isRecord(edge.buffer_policy)) checkBufferPolicy(a, ['edges', i, 'buffer_policy'], sink);
  });
  nodes.forEach((node, i) => {
    if (node.node_type === 'provider' && node.modality === undefined) {
      sink.report(a.file, ['nodes', i], 'spec.provider_modality', `provider node '${String(node.id)}' has no modality`, 'add modality: stt, llm, tts or external');
    }
    const ext = resolved(byDigest, node.extension, 'Extension');
    if (ext && ext.value.node_type !== node.node_type) {
      sink.report(a.file, ['nodes', i, 'node_type'], 'spec.extension_node_type', `node '${String(node.id)}' has node_type '${String(node.node_type)}' but its extension ${ext.file.file} implements '${String(ext.value.node_type)}'`, `set node_type: ${String(ext.value.node_type)}`);
    }
  });
}

/** Buffer-policy rules the schema language cannot say (turn-engine.md §6). */
function checkBufferPolicy(a: TypedArtifact, at: Array<string | number>, sink: ProblemSink): void {
  let policy: unknown = a.value;
  for (const key of at) policy = isRecord(policy) ? policy[key as string] : Array.isArray(policy) ? policy[key as number] : undefined;
  if (!isRecord(policy)) return;
  if (policy.strategy === 'block' && policy.max_block_time_ms === undefined) {
    sink.report(a.file, [...at, 'max_block_time_ms'], 'buffer.block_time', 'strategy block needs max_block_time_ms (no DataLane edge may block indefinitely)', 'add max_block_time_ms ≥ 1');
  }
  const watermarks = policy.watermarks;
  if (isRecord(watermarks)) {
    if (watermarks.queue_items === undefined && watermarks.queue_ms === undefined) {
      sink.report(a.file, [...at, 'watermarks'], 'buffer.watermarks', 'needs a queue_items or queue_ms watermark', 'add queue_items: {high, low} and/or queue_ms: {high, low}');
    }
    for (const which of ['queue_items', 'queue_ms']) {
      const w = watermarks[which];
      if (isRecord(w) && typeof w.high === 'number' && typeof w.low === 'number' && w.low >= w.high) {
        sink.report(a.file, [...at, 'watermarks', which, 'low'], 'buffer.watermark_order', `low ${w.low} is not below high ${w.high}`, 'set low below high so a pressure episode can end');
      }
    }
    if (exceedsBound(watermarks.queue_items, policy.max_queue_items)) {
      sink.report(a.file, [...at, 'watermarks', 'queue_items', 'high'], 'buffer.watermark_bound', `high watermark exceeds max_queue_items ${String(policy.max_queue_items)}`, 'set the high watermark at or below the queue bound');
    }
  }
  const sync = policy.sync_drop_policy;
  if (isRecord(sync)) {
    if (sync.policy !== 'no_sync' && sync.group_by === undefined) sink.report(a.file, [...at, 'sync_drop_policy', 'group_by'], 'buffer.sync_group_by', `sync policy ${String(sync.policy)} needs group_by`, 'add group_by: sync_id, event_id or custom');
    if (sync.policy === 'drop_with_discontinuity' && sync.sync_domain === undefined) sink.report(a.file, [...at, 'sync_drop_policy', 'sync_domain'], 'buffer.sync_domain', 'drop_with_discontinuity needs sync_domain', 'add sync_domain');
  }
}

function exceedsBound(watermark: unknown, bound: unknown): boolean {
  return isRecord(watermark) && typeof watermark.high === 'number' && typeof bound === 'number' && watermark.high > bound;
}

function checkBundle(a: TypedArtifact, byDigest: Map<string, TypedArtifact>, sink: ProblemSink): void {
  const spec = resolved(byDigest, a.value.spec, 'PipelineSpec');
  if (spec) {
    if (spec.value.pipeline_version !== a.value.pipeline_version) {
      sink.report(a.file, ['pipeline_version'], 'bundle.pipeline_version', `pipeline_version '${String(a.value.pipeline_version)}' differs from the spec's '${String(spec.value.pipeline_version)}' (${spec.file.file})`, `set pipeline_version: ${String(spec.value.pipeline_version)}`);
    }
    const bindings = isRecord(a.value.provider_bindings) ? a.value.provider_bindings : {};
    const bundled = new Set(asArray(a.value.extensions));
    for (const node of asArray(spec.value.nodes).filter(isRecord)) {
      if (node.node_type === 'provider' && typeof node.modality === 'string' && !(node.modality in bindings)) {
        sink.report(a.file, ['provider_bindings'], 'bundle.provider_binding', `the spec's provider node '${String(node.id)}' needs a ${node.modality} binding`, `add provider_bindings.${node.modality}: <provider id>`);
      }
      if (isDigest(node.extension) && !bundled.has(node.extension)) {
        sink.report(a.file, ['extensions'], 'bundle.extension_missing', `the spec's node '${String(node.id)}' uses extension ${node.extension}, which the bundle does not list`, `add ${node.extension} to extensions`);
      }
    }
  }
  // previous_bundle lineage must be acyclic.
  const lineage = bundleLineage(a, byDigest);
  if (lineage.cycle) sink.report(a.file, ['previous_bundle'], 'bundle.lineage_cycle', 'previous_bundle lineage loops back to this bundle', 'point previous_bundle at an earlier bundle only');
}

/** The earlier bundles of `a`, following previous_bundle, nearest first. */
function bundleLineage(a: TypedArtifact, byDigest: Map<string, TypedArtifact>): { ancestors: string[]; cycle: boolean } {
  const ancestors: string[] = [];
  const seen = new Set<string>([a.file.digest ?? '']);
  let current: TypedArtifact | undefined = a;
  while (current) {
    const prev: unknown = current.value.previous_bundle;
    if (!isDigest(prev)) break;
    if (seen.has(prev)) return { ancestors, cycle: true };
    seen.add(prev);
    ancestors.push(prev);
    current = resolved(byDigest, prev, 'PipelineBundle');
  }
  return { ancestors, cycle: false };
}

function checkRollout(a: TypedArtifact, byDigest: Map<string, TypedArtifact>, gatesManifests: readonly TypedArtifact[], sink: ProblemSink): void {
  const target = resolved(byDigest, a.value.target_bundle, 'PipelineBundle');
  const rollback = a.value.rollback_bundle;
  if (target && isDigest(rollback)) {
    if (rollback === a.value.target_bundle) {
      sink.report(a.file, ['rollback_bundle'], 'rollout.rollback_is_target', 'rollback_bundle is the target itself; a rollback must return to an earlier bundle', `set rollback_bundle to an earlier bundle, e.g. the target's previous_bundle ${String(target.value.previous_bundle ?? '(none declared)')}`);
    } else if (!bundleLineage(target, byDigest).ancestors.includes(rollback) && byDigest.has(rollback)) {
      sink.report(a.file, ['rollback_bundle'], 'rollout.rollback_not_earlier', `rollback_bundle ${rollback} is not an earlier bundle of the target (${target.file.file} previous_bundle lineage)`, `set rollback_bundle to ${String(target.value.previous_bundle ?? "an ancestor listed in the target's previous_bundle")}`);
    }
  }
  let last = 0;
  const steps = asArray(a.value.steps);
  steps.forEach((step, i) => {
    if (!isRecord(step) || typeof step.traffic_percent !== 'number') return;
    if (step.traffic_percent <= last) sink.report(a.file, ['steps', i, 'traffic_percent'], 'rollout.steps_order', `traffic_percent ${step.traffic_percent} does not increase on ${last}`, 'list steps in strictly increasing traffic_percent');
    last = step.traffic_percent;
  });
  const lastStep = steps[steps.length - 1];
  if (isRecord(lastStep) && typeof lastStep.traffic_percent === 'number' && lastStep.traffic_percent !== 100) {
    sink.report(a.file, ['steps', steps.length - 1, 'traffic_percent'], 'rollout.steps_complete', `the last step sends ${lastStep.traffic_percent}% to the target, not 100%`, 'end with a traffic_percent: 100 step');
  }
  if (typeof a.value.gates_manifest !== 'string') return;
  const manifest = gatesManifests.find((g) => g.value.name === a.value.gates_manifest);
  if (!manifest) {
    sink.report(a.file, ['gates_manifest'], 'rollout.gates_manifest', `no GatesManifest named '${a.value.gates_manifest}'`, `use one of: ${gatesManifests.map((g) => String(g.value.name)).join(', ') || '(none in tests/)'}`);
    return;
  }
  const gateIds = new Set(asArray(manifest.value.gates).filter(isRecord).map((g) => g.id));
  asArray(a.value.rollback_on).forEach((id, i) => {
    if (typeof id === 'string' && !gateIds.has(id)) sink.report(a.file, ['rollback_on', i], 'rollout.unknown_gate', `'${id}' is not a gate of ${manifest.file.file}`, `use one of: ${[...gateIds].join(', ')}`);
  });
}

function checkGatesManifest(a: TypedArtifact, sink: ProblemSink): void {
  const stages = asArray(a.value.stages);
  if (stages.length === GATE_ORDER.length && stages.some((s, i) => s !== GATE_ORDER[i])) {
    sink.report(a.file, ['stages'], 'gates.stage_order', `stages are [${stages.join(', ')}]`, `list them in the runner's order: [${GATE_ORDER.join(', ')}]`);
  }
  asArray(a.value.gates).forEach((gate, i) => {
    if (!isRecord(gate) || typeof gate.slo_key !== 'string') return;
    if (!(gate.slo_key in SLO_GATES)) {
      sink.report(a.file, ['gates', i, 'slo_key'], 'gates.slo_key', `'${gate.slo_key}' is not a key of SLO_GATES (runtime/contracts/runtime-interface.ts)`, `use one of: ${Object.keys(SLO_GATES).join(', ')}`);
      return;
    }
    const expected = SLO_GATES[gate.slo_key as keyof typeof SLO_GATES];
    if (gate.threshold !== expected) {
      sink.report(a.file, ['gates', i, 'threshold'], 'gates.threshold_drift', `threshold ${String(gate.threshold)} differs from SLO_GATES.${gate.slo_key} = ${expected}`, `set threshold: ${expected} (SLO_GATES is the one spelling of the thresholds)`);
    }
  });
}

function checkReplaySet(a: TypedArtifact, sink: ProblemSink): void {
  const base = path.dirname(a.file.absPath);
  asArray(a.value.sessions).forEach((session, i) => {
    if (!isRecord(session)) return;
    for (const field of ['input_log', 'recorded_outputs', 'expected_evidence']) {
      const rel = session[field];
      if (typeof rel !== 'string') continue;
      if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) {
        sink.report(a.file, ['sessions', i, field], 'replay.path_escape', `'${rel}' leaves the replay set's folder`, 'use a path relative to the replay set, inside its folder');
      } else if (!fs.existsSync(path.join(base, rel))) {
        sink.report(a.file, ['sessions', i, field], 'replay.missing_file', `'${rel}' does not exist next to ${a.file.file}`, `regenerate the set (${String(a.value.generated_by ?? 'see the replay README')}) or fix the path`);
      }
    }
    asArray(session.expected_divergences).forEach((d, j) => {
      if (isRecord(d) && d.class === 'ORDERING_DIVERGENCE' && d.approved !== true) {
        sink.report(a.file, ['sessions', i, 'expected_divergences', j, 'approved'], 'replay.ordering_unapproved', 'an expected ORDERING_DIVERGENCE only passes with approved: true', 'add approved: true after review, or remove the declaration');
      }
    });
  });
}

function checkCompatMatrix(a: TypedArtifact, sink: ProblemSink): void {
  const current = isRecord(a.value.current) ? a.value.current.schema_version : undefined;
  const previous = isRecord(a.value.previous) ? a.value.previous : {};
  if (typeof current === 'string' && typeof previous.schema_version === 'string') {
    if (compareVersions(previous.schema_version, current) > 0) {
      sink.report(a.file, ['previous', 'schema_version'], 'compat.order', `N-1 speaks ${previous.schema_version}, newer than N's ${current}`, 'set previous.schema_version to the version release N-1 shipped');
    }
    if (previous.schema_version.split('.')[0] !== current.split('.')[0]) {
      sink.report(a.file, ['previous', 'schema_version'], 'compat.major', `N-1 (${previous.schema_version}) and N (${current}) differ in major version; N/N-1 skew is supported within one major only`, 'keep N-1 on the same major, or ship the new major as a new contracts module');
    }
  }
  const cells = asArray(a.value.cells).filter(isRecord);
  for (const producer of ['N', 'N-1']) {
    for (const consumer of ['N', 'N-1']) {
      const matching = cells.filter((c) => c.producer === producer && c.consumer === consumer);
      if (matching.length === 0) sink.report(a.file, ['cells'], 'compat.cell_missing', `no cell for producer ${producer} → consumer ${consumer}`, `add {producer: ${producer}, consumer: ${consumer}, supported: ..., rule: ...}`);
    }
  }
  const expectedRule = (c: Record<string, unknown>) => (c.producer === c.consumer ? 'identical' : c.producer === 'N-1' ? 'additive_backward' : 'strict_forward');
  asArray(a.value.cells).forEach((c, i) => {
    if (!isRecord(c) || typeof c.producer !== 'string' || typeof c.consumer !== 'string') return;
    if (cells.findIndex((o) => o.producer === c.producer && o.consumer === c.consumer) !== cells.indexOf(c)) {
      sink.report(a.file, ['cells', i], 'compat.cell_duplicate', `a second cell for producer ${c.producer} → consumer ${c.consumer}`, 'keep one cell per pair');
    }
    if (typeof c.rule === 'string' && c.rule !== expectedRule(c)) {
      sink.report(a.file, ['cells', i, 'rule'], 'compat.cell_rule', `producer ${c.producer} → consumer ${c.consumer} holds by '${expectedRule(c)}', not '${c.rule}'`, `set rule: ${expectedRule(c)}`);
    }
    // Within one major, N must read N-1 (the additive-only rule): that cell cannot be unsupported.
    if (c.producer === 'N-1' && c.consumer === 'N' && c.supported !== true) {
      sink.report(a.file, ['cells', i, 'supported'], 'compat.backward_required', 'release N must decode records written by N-1 (contracts.md §1, additive-only)', 'set supported: true; a change that breaks it needs a new major version');
    }
  });
  if (typeof previous.snapshot === 'string' && !fs.existsSync(path.resolve(path.dirname(a.file.absPath), previous.snapshot))) {
    sink.report(a.file, ['previous', 'snapshot'], 'compat.missing_snapshot', `'${previous.snapshot}' does not exist`, 'freeze the N-1 contracts with `npx tsx pipelines/gates/contract-snapshot.ts <file>` or fix the path');
  }
}

function compareVersions(a: string, b: string): number {
  const parse = (v: string) => v.replace(/^v/, '').split('.').map(Number);
  const [pa, pb] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function checkExtension(a: TypedArtifact, sink: ProblemSink): void {
  if (a.value.extension_type === 'external_node') {
    if (a.value.image === undefined) sink.report(a.file, ['image'], 'extension.image', 'an external node needs its image', 'add image: <repository>@sha256:<64 hex>');
    if (a.value.endpoint === undefined) sink.report(a.file, ['endpoint'], 'extension.endpoint', 'an external node needs an endpoint', 'add endpoint: {protocol, port, mtls: true}');
  } else if (a.value.extension_type === 'custom_node' && a.value.module === undefined) {
    sink.report(a.file, ['module'], 'extension.module', 'a custom node needs the module implementing it', 'add module: <module path>');
  }
}

function checkExample(a: TypedArtifact, rollouts: readonly TypedArtifact[], sink: ProblemSink): void {
  if (typeof a.value.rollout !== 'string') return;
  const rollout = rollouts.find((r) => r.value.name === a.value.rollout);
  if (!rollout) {
    sink.report(a.file, ['rollout'], 'example.rollout', `no Rollout named '${a.value.rollout}'`, `use one of: ${rollouts.map((r) => String(r.value.name)).join(', ')}`);
  } else if (isDigest(a.value.bundle) && isDigest(rollout.value.target_bundle) && a.value.bundle !== rollout.value.target_bundle) {
    sink.report(a.file, ['bundle'], 'example.bundle_not_rolled_out', `the example runs ${a.value.bundle} but rollout '${a.value.rollout}' rolls out ${String(rollout.value.target_bundle)}`, `set bundle: ${String(rollout.value.target_bundle)} (the rollout's target)`);
  }
}

