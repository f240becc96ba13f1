/**
 * Loading validated artifacts, for code that consumes them (the control plane resolves bundles here,
 * the gate runner reads the replay set and gates manifest). Loading refuses a directory with any
 * problem: a consumer never sees an artifact the validator would reject.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readArtifactFiles } from './artifact-files';
import { artifactDigest, isDigest, type Digest } from './canonical-digest';
import type {
  AnyArtifact,
  CompatMatrixArtifact,
  ExampleArtifact,
  ExecutionProfileArtifact,
  ExtensionArtifact,
  GatesManifestArtifact,
  PipelineBundleArtifact,
  PipelineSpecArtifact,
  PolicyArtifact,
  ReplaySetArtifact,
  ResolvedBundle,
  RolloutArtifact,
} from './artifact-types';
import { validateArtifactFiles } from '../validator/validate-pipelines';
import { formatProblem, type Problem } from '../validator/problem';

/** An artifact with where it came from. */
export interface LoadedArtifact<T extends AnyArtifact = AnyArtifact> {
  readonly artifact: T;
  /** Relative to the pipelines directory (`bundles/simple_v1.yaml`). */
  readonly file: string;
  readonly absPath: string;
  /** Content digest (for every artifact; only content-addressed kinds are referenced by it). */
  readonly digest: Digest;
}

export interface ArtifactSet {
  readonly dir: string;
  readonly specs: readonly LoadedArtifact<PipelineSpecArtifact>[];
  readonly profiles: readonly LoadedArtifact<ExecutionProfileArtifact>[];
  readonly policies: readonly LoadedArtifact<PolicyArtifact>[];
  readonly extensions: readonly LoadedArtifact<ExtensionArtifact>[];
  readonly bundles: readonly LoadedArtifact<PipelineBundleArtifact>[];
  readonly rollouts: readonly LoadedArtifact<RolloutArtifact>[];
  readonly compat: readonly LoadedArtifact<CompatMatrixArtifact>[];
  readonly replaySets: readonly LoadedArtifact<ReplaySetArtifact>[];
  readonly gatesManifests: readonly LoadedArtifact<GatesManifestArtifact>[];
  readonly examples: readonly LoadedArtifact<ExampleArtifact>[];
  /** Any content-addressed artifact by digest. */
  byDigest(digest: string): LoadedArtifact | undefined;
}

export type { ResolvedBundle } from './artifact-types';

export class PipelineArtifactsError extends Error {
  constructor(
    readonly dir: string,
    readonly problems: readonly Problem[],
  ) {
    super(`pipelines at '${dir}' have ${problems.length} problem(s); run \`npm run pipelines:validate\`:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'PipelineArtifactsError';
  }
}

/**
 * The directory holding this package's artifacts: `pipelines/` beside this source tree, or, from the
 * compiled `lib/pipelines/...`, the `pipelines/` folder of the package root.
 */
export function defaultPipelinesDir(): string {
  const candidates = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..', '..', 'pipelines')];
  return candidates.find((c) => fs.existsSync(path.join(c, 'bundles'))) ?? candidates[0];
}

/** Reads, validates and indexes every artifact under `dir`; throws `PipelineArtifactsError` listing every problem. */
export function loadArtifacts(dir: string = defaultPipelinesDir()): ArtifactSet {
  const root = path.resolve(dir);
  const { problems, artifacts } = validateArtifactFiles(readArtifactFiles(root));
  if (problems.length > 0) throw new PipelineArtifactsError(root, problems);
  // Validation passed, so every value has the shape its kind's schema describes.
  const loaded = artifacts.map((a) => ({ artifact: a.value as unknown as AnyArtifact, file: a.file.file, absPath: a.file.absPath, digest: a.file.digest!, contentAddressed: a.kind.contentAddressed }));
  const of = <K extends AnyArtifact['kind']>(kind: K) =>
    loaded.filter((l) => l.artifact.kind === kind).map(({ contentAddressed: _, ...l }) => l) as unknown as LoadedArtifact<Extract<AnyArtifact, { kind: K }>>[];
  const index = new Map<string, LoadedArtifact>();
  for (const l of loaded) if (l.contentAddressed) index.set(l.digest, l);
  return {
    dir: root,
    specs: of('PipelineSpec'),
    profiles: of('ExecutionProfile'),
    policies: of('Policy'),
    extensions: of('Extension'),
    bundles: of('PipelineBundle'),
    rollouts: of('Rollout'),
    compat: of('CompatMatrix'),
    replaySets: of('ReplaySet'),
    gatesManifests: of('GatesManifest'),
    examples: of('Example'),
    byDigest: (digest) => index.get(digest),
  };
}

/**
 * Resolves a bundle by content digest, with its spec, profile, policy and extensions. Refuses
 * anything that is not a digest (names, tags, `latest`): a bundle reference never moves.
 */
export function loadBundle(digest: string, dirOrSet: string | ArtifactSet = defaultPipelinesDir()): ResolvedBundle {
  if (!isDigest(digest)) {
    throw new Error(`loadBundle: '${digest}' is not a content digest; bundles are referenced as sha256:<64 lowercase hex> only (mutable references such as names, tags or 'latest' are refused)`);
  }
  const set = typeof dirOrSet === 'string' ? loadArtifacts(dirOrSet) : dirOrSet;
  const found = set.bundles.find((b) => b.digest === digest);
  if (!found) {
    throw new Error(`loadBundle: no bundle with digest ${digest} under '${set.dir}'; known bundles: ${set.bundles.map((b) => `${b.artifact.name}=${b.digest}`).join(', ') || '(none)'}`);
  }
  const part = <T extends AnyArtifact>(ref: string): T => (set.byDigest(ref) as LoadedArtifact<T>).artifact; // validation guarantees resolution
  const bundle = found.artifact;
  return {
    digest,
    bundle,
    spec: part<PipelineSpecArtifact>(bundle.spec),
    profile: part<ExecutionProfileArtifact>(bundle.profile),
    policy: part<PolicyArtifact>(bundle.policy),
    extensions: (bundle.extensions ?? []).map((e) => part<ExtensionArtifact>(e)),
  };
}

/** The content digest of a bundle (its `digest` field excluded): `sha256:<64 hex>`. */
export function bundleDigest(bundle: PipelineBundleArtifact | Record<string, unknown>): Digest {
  return artifactDigest(bundle);
}
