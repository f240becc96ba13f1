/**
 * The turn-start bundles the control plane serves: every `PipelineBundle` under the pipelines
 * directory, validated by the pipelines loader at start (a directory with any problem is refused,
 * so the service never serves an artifact the validator would reject) and resolved by digest only.
 */
import { defaultPipelinesDir, loadArtifacts, loadBundle, type ArtifactSet, type ResolvedBundle } from '../../pipelines';
import { ControlPlaneError } from './control-plane-errors';
import { assertImmutableReference } from './immutable-reference';

export class BundleCatalog {
  private readonly resolved = new Map<string, ResolvedBundle>();

  private constructor(private readonly set: ArtifactSet) {
    for (const bundle of set.bundles) this.resolved.set(bundle.digest, loadBundle(bundle.digest, set));
  }

  /**
   * Loads and validates the artifacts under `dir`.
   * @param dir @default defaultPipelinesDir() (the package's `pipelines/`)
   */
  static load(dir: string = defaultPipelinesDir()): BundleCatalog {
    return new BundleCatalog(loadArtifacts(dir));
  }

  get dir(): string {
    return this.set.dir;
  }

  /** Digests of every servable bundle, sorted. */
  digests(): string[] {
    return [...this.resolved.keys()].sort();
  }

  /** Resolves a bundle reference; refuses mutable references and unknown digests. */
  resolve(reference: unknown, field = 'bundle_digest'): ResolvedBundle {
    const digest = assertImmutableReference(reference, field);
    const bundle = this.resolved.get(digest);
    if (!bundle) {
      throw new ControlPlaneError(
        'bundle_not_found',
        `${field} ${digest} names no bundle under ${this.set.dir}; servable bundles: ${this.digests().join(', ') || '(none)'}`,
        field,
      );
    }
    return bundle;
  }
}

/**
 * The public view of a resolved bundle (what `GET /v1/bundles/<digest>` returns). `document` is the
 * bundle artifact exactly as loaded, so a client can recompute the content digest itself
 * (`sha256` of the contracts' canonical JSON with the top-level `digest` field left out) and refuse
 * an answer that does not match the digest it asked for.
 */
export function bundleSummary(bundle: ResolvedBundle): Record<string, unknown> {
  return {
    digest: bundle.digest,
    document: bundle.bundle,
    name: bundle.bundle.name,
    pipeline_version: bundle.bundle.pipeline_version,
    graph_definition_ref: bundle.spec.graph_definition_ref,
    execution_profile: bundle.profile.execution_profile,
    spec: bundle.bundle.spec,
    profile: bundle.bundle.profile,
    policy: bundle.bundle.policy,
    extensions: bundle.bundle.extensions ?? [],
    provider_bindings: bundle.bundle.provider_bindings,
    ...(bundle.bundle.previous_bundle ? { previous_bundle: bundle.bundle.previous_bundle } : {}),
  };
}
