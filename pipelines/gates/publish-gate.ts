/**
 * Publish gate: everything the release names must be immutable — the runtime image by digest, each
 * bundle by digest and present in the artifacts — and then the release manifest is written, evidence
 * files first, the manifest last, each atomically. Same inputs, same bytes: nothing in the manifest
 * depends on the clock, the machine or the paths the inputs were read from.
 */
import * as path from 'path';
import { canonicalJson, isDigest } from '../artifacts/canonical-digest';
import type { ArtifactSet } from '../artifacts/artifact-loader';
import { isRecord, PINNED_IMAGE_PATTERN } from '../schema/check-schema';
import { writeFileAtomic } from './atomic-write';
import type { GateOutcome, GateVerdict, ReleaseManifest } from './gate-types';
import { readResultsFile, ResultsFileError } from './results-files';

export interface PublishInputs {
  readonly set: ArtifactSet;
  readonly releaseName: string;
  readonly releaseDir: string;
  readonly gatesManifest: string;
  /** Explicit image reference, else read from `imageFile`. */
  readonly image?: string;
  readonly imageFile: string;
  readonly bundles?: readonly string[];
  readonly createdAt?: string;
}

export interface PublishPlan {
  readonly image: { readonly reference: string; readonly digest: string };
  readonly bundles: ReadonlyArray<{ readonly name: string; readonly digest: string }>;
  readonly rollouts: ReleaseManifest['rollouts'];
}

/** Resolves and checks what the release names; a mutable or unknown reference fails the gate. */
export function planPublish(inputs: Omit<PublishInputs, 'releaseName'>): GateOutcome & { readonly plan?: PublishPlan } {
  let reference = inputs.image;
  let imageSource = 'option image';
  if (reference === undefined) {
    try {
      const file = readResultsFile('image', inputs.imageFile, '`npm run image`');
      const value = isRecord(file.value) ? file.value.image : undefined;
      if (typeof value !== 'string') return { passed: false, reason: `image build output '${inputs.imageFile}' has no "image" field; rebuild it with \`npm run image\``, evidence: {} };
      reference = value;
      imageSource = `image file (sha256 ${file.sha256})`;
    } catch (e) {
      if (e instanceof ResultsFileError) return { passed: false, reason: e.message, evidence: {} };
      throw e;
    }
  }
  const digest = imageDigestOf(reference);
  if (!digest) {
    return {
      passed: false,
      reason: `mutable reference refused: runtime image '${reference}' (from ${imageSource}) is not pinned by digest; a tag can be moved to other content — publish <repository>@sha256:<64 hex>`,
      evidence: { image: reference },
    };
  }
  const wanted = inputs.bundles ?? [...new Set(inputs.set.rollouts.map((r) => r.artifact.target_bundle))];
  const bundles: Array<{ name: string; digest: string }> = [];
  for (const ref of wanted) {
    if (!isDigest(ref)) {
      return { passed: false, reason: `mutable reference refused: bundle '${ref}' is not a content digest; release bundles by sha256:<64 hex> only`, evidence: { bundle: ref } };
    }
    const found = inputs.set.bundles.find((b) => b.digest === ref);
    if (!found) return { passed: false, reason: `bundle ${ref} is not among the artifacts under ${inputs.set.dir}`, evidence: { bundle: ref } };
    bundles.push({ name: found.artifact.name, digest: ref });
  }
  if (bundles.length === 0) return { passed: false, reason: 'the release names no bundle (no rollout target and no bundles option)', evidence: {} };
  bundles.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const released = new Set(bundles.map((b) => b.digest));
  const rollouts = inputs.set.rollouts
    .filter((r) => released.has(r.artifact.target_bundle))
    .map((r) => ({ name: r.artifact.name, target_bundle: r.artifact.target_bundle, rollback_bundle: r.artifact.rollback_bundle }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const plan: PublishPlan = { image: { reference, digest }, bundles, rollouts };
  return { passed: true, evidence: plan, plan };
}

/** `<repo>@sha256:<hex>` → `sha256:<hex>`; a bare digest is its own digest; anything else is mutable. */
export function imageDigestOf(reference: string): string | undefined {
  if (isDigest(reference)) return reference;
  if (PINNED_IMAGE_PATTERN.test(reference)) return reference.slice(reference.lastIndexOf('@') + 1);
  return undefined;
}

/** Writes each gate's evidence (canonical JSON, so its file hash is `evidence_sha256`), then the manifest. */
export function writeRelease(inputs: PublishInputs, plan: PublishPlan, verdicts: readonly GateVerdict[]): { manifest: ReleaseManifest; manifestPath: string } {
  const evidenceDir = path.join(inputs.releaseDir, `${inputs.releaseName}.evidence`);
  for (const v of verdicts) writeFileAtomic(path.join(evidenceDir, `${v.gate}.json`), canonicalJson(v.evidence));
  const manifest: ReleaseManifest = {
    schema_version: 'v1.0',
    release: inputs.releaseName,
    ...(inputs.createdAt !== undefined ? { created_at: inputs.createdAt } : {}),
    image: plan.image,
    bundles: plan.bundles,
    rollouts: plan.rollouts,
    gates_manifest: inputs.gatesManifest,
    gates: verdicts.map((v) => ({ gate: v.gate, verdict: 'pass' as const, evidence_sha256: v.evidence_sha256 })),
  };
  const manifestPath = path.join(inputs.releaseDir, `${inputs.releaseName}.json`);
  writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, manifestPath };
}
