/**
 * Third-party container images the platform itself runs (not the ones a third-party chart pulls:
 * those are pinned in the values the stacks pass, `stacks/release-images.ts`). Each is pinned by
 * digest, and each digest is recorded with two independent public sources that pin the same
 * `<image>:<tag>@sha256:` (found with the code search of public repositories). Re-verify before a
 * release: `skopeo inspect --raw docker://<image>:<tag>` (the digest of the multi-platform index).
 *
 * Kept apart from `pins.ts` (our own runtime image and the bundle) so a third-party bump is a
 * one-line change here.
 */

/** A pinned third-party image and what its digest names. */
export interface ThirdPartyImage {
  /** `registry/repo:tag@sha256:<64 hex>`. */
  readonly reference: string;
  /** Platforms of the multi-platform index the digest names (those RSPP deploys to). */
  readonly platforms: readonly string[];
  /** The two independent public sources that pin this exact digest. */
  readonly sources: readonly [string, string];
}

/**
 * Valkey 8.1.3, the official image (Docker Official Images, `valkey/valkey`), Redis-compatible
 * store for LiveKit's multi-node routing (`constructs/livekit-valkey.ts`). Debian based; runs as
 * the image's `valkey` user (uid/gid 999). The digest names the official multi-platform index.
 */
export const VALKEY_IMAGE: ThirdPartyImage = {
  reference: 'docker.io/valkey/valkey:8.1.3@sha256:fea8b3e67b15729d4bb70589eb03367bab9ad1ee89c876f54327fc7c6e618571',
  platforms: ['linux/amd64', 'linux/arm64'],
  sources: [
    'boba-straw (Java Redis client), scripts/run-benchmarks.sh: valkey_image="valkey/valkey:8.1.3@sha256:fea8b3e6…6e618571"',
    'runnel (Dart Redis client), integration test script: docker run … valkey/valkey:8.1.3@sha256:fea8b3e6…6e618571',
  ],
};

/** uid/gid of the `valkey` user of the official image (Debian variant: `useradd -r -u 999 valkey`). */
export const VALKEY_UID = 999;

/**
 * metrics-server v0.7.2 (chart `metrics-server` 3.12.2, appVersion 0.7.2), installed on flavours
 * without a metrics API (EKS, kind). The digest names the multi-platform index on registry.k8s.io.
 */
export const METRICS_SERVER_IMAGE: ThirdPartyImage = {
  reference: 'registry.k8s.io/metrics-server/metrics-server:v0.7.2@sha256:ffcb2bf004d6aa0a17d90e0247cf94f2865c8901dcab4427034c341951c239f9',
  platforms: ['linux/amd64', 'linux/arm64'],
  sources: [
    'kubernetes/minikube, the metrics-server addon image map ("MetricsServer": "metrics-server/metrics-server:v0.7.2@sha256:ffcb2bf0…1951c239f9")',
    'an air-gap image list script of an independent project: "registry.k8s.io/metrics-server/metrics-server:v0.7.2@sha256:ffcb2bf0…1951c239f9"',
  ],
};
