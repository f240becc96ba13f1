/**
 * Third-party container images: the ones the platform itself runs (Valkey, metrics-server) and the
 * chart images the stacks pin through release values (cert-manager, kube-prometheus-stack; turned
 * into values and `images.json` entries by `stacks/release-images.ts`). Each is pinned by
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

/** The cert-manager components whose images the chart deploys (values key prefix: `''` is the controller). */
export type CertManagerComponent = 'controller' | 'webhook' | 'cainjector' | 'acmesolver' | 'startupapicheck';

/**
 * cert-manager v1.21.1 images (chart `cert-manager` v1.21.1, `stacks/chart-pins.ts`), passed to the
 * chart as `<component>.image.tag` + `<component>.image.digest`. The chart moved from v1.17.2 to
 * v1.21.1 for this: no public source pins any v1.17.x digest, while v1.21.1's five images are each
 * pinned by several independent projects. Each digest names the multi-platform index (one source
 * resolved them from quay.io's `docker-content-digest` of each tag's manifest list).
 */
export const CERT_MANAGER_IMAGES: Readonly<Record<CertManagerComponent, ThirdPartyImage>> = {
  controller: {
    reference: 'quay.io/jetstack/cert-manager-controller:v1.21.1@sha256:416a2d76870d996460e62bd7f521bf14fa017be9e3e904aab92163a331fcb61a',
    platforms: ['linux/amd64', 'linux/arm64'],
    sources: [
      'a Nix/Argo CD home-cluster module, cert-manager Helm values (version = "v1.21.1"; image = … "quay.io/jetstack/cert-manager-controller" "sha256:416a2d76…31fcb61a")',
      'an egress vendoring note: "quay.io/jetstack/cert-manager-controller:v1.21.1 | sha256:416a2d76…31fcb61a", read from quay.io\'s docker-content-digest of the multi-arch index',
    ],
  },
  webhook: {
    reference: 'quay.io/jetstack/cert-manager-webhook:v1.21.1@sha256:d8b3961b51c8c7320633f8208dc46bf88aa13804d0f7cbe48a096b2c523cee42',
    platforms: ['linux/amd64', 'linux/arm64'],
    sources: [
      'the same Nix/Argo CD module (webhook.image = … "quay.io/jetstack/cert-manager-webhook" "sha256:d8b3961b…2c523cee42")',
      'the same egress vendoring note ("quay.io/jetstack/cert-manager-webhook:v1.21.1 | sha256:d8b3961b…2c523cee42")',
    ],
  },
  cainjector: {
    reference: 'quay.io/jetstack/cert-manager-cainjector:v1.21.1@sha256:ccf6b919ec0500745a47a910118f834f9636d0aac1ff221245cd2557ed8c7c98',
    platforms: ['linux/amd64', 'linux/arm64'],
    sources: [
      'the same Nix/Argo CD module (cainjector.image = … "quay.io/jetstack/cert-manager-cainjector" "sha256:ccf6b919…ed8c7c98")',
      'the same egress vendoring note ("quay.io/jetstack/cert-manager-cainjector:v1.21.1 | sha256:ccf6b919…ed8c7c98")',
    ],
  },
  acmesolver: {
    reference: 'quay.io/jetstack/cert-manager-acmesolver:v1.21.1@sha256:dbc7cc1354f603918e7c5af7f55a0a620537394452c93a565bde75c6f48e8837',
    platforms: ['linux/amd64', 'linux/arm64'],
    sources: [
      'the same Nix/Argo CD module (acmesolver.image = … "quay.io/jetstack/cert-manager-acmesolver" "sha256:dbc7cc13…f48e8837")',
      'a TypeScript LiveKit operations package, CERT_MANAGER_IMAGES.acmeSolver: "quay.io/jetstack/cert-manager-acmesolver:v1.21.1@sha256:dbc7cc13…f48e8837"',
    ],
  },
  startupapicheck: {
    reference: 'quay.io/jetstack/cert-manager-startupapicheck:v1.21.1@sha256:d8ab6416e6e7303a86fa0a8daa82c94a8001f21c9d78eb2e7db20534e5d07ae8',
    platforms: ['linux/amd64', 'linux/arm64'],
    sources: [
      'the same Nix/Argo CD module (startupapicheck.image = … "quay.io/jetstack/cert-manager-startupapicheck" "sha256:d8ab6416…e5d07ae8")',
      'a Python platform chart catalogue (cert-manager images next to external-dns 1.21.1): "quay.io/jetstack/cert-manager-startupapicheck:v1.21.1@sha256:d8ab6416…e5d07ae8"',
    ],
  },
};

/** kube-prometheus-stack images pinned through its values (the rest are listed as unpinned in images.json). */
export type KubePrometheusStackComponent = 'prometheus' | 'alertmanager' | 'grafana' | 'kube-state-metrics' | 'prometheus-node-exporter';

/**
 * The kube-prometheus-stack chart version these pins were chosen for: its defaults (and those of the
 * sub-charts it packaged on 2024-10-08: grafana 8.5.2, kube-state-metrics 5.25.1,
 * prometheus-node-exporter 4.39.0) deploy these tags, or the same minor line. Another chart version
 * gets no image values from us (its defaults are listed as unpinned instead).
 */
export const KUBE_PROMETHEUS_STACK_PINNED_VERSION = '65.1.1';

/**
 * kube-prometheus-stack images pinned by digest (two independent public sources each). Prometheus
 * publishes the same manifests to quay.io and Docker Hub (node-exporter v1.8.2's digest is pinned on
 * both registries by unrelated projects), so a Docker Hub source of `prom/<name>` counts for
 * `quay.io/prometheus/<name>` at the same digest. No source pins prometheus-operator or
 * prometheus-config-reloader v0.77.x, kube-webhook-certgen v20221220-controller-v1.5.1-58-g787ea74b6
 * or k8s-sidecar 1.27.x/1.28.0: those stay chart defaults (listed in images.json).
 */
export const KUBE_PROMETHEUS_STACK_IMAGES: Readonly<Record<KubePrometheusStackComponent, ThirdPartyImage>> = {
  prometheus: {
    reference: 'quay.io/prometheus/prometheus:v2.54.1@sha256:f6639335d34a77d9d9db382b92eeb7fc00934be8eae81dbc03b31cfe90411a94',
    platforms: ['linux/amd64', 'linux/arm64'],
    sources: [
      'an LLM inference benchmark environment file: PROMETHEUS_IMAGE=\'quay.io/prometheus/prometheus:v2.54.1@sha256:f6639335…fe90411a94\' (next to PROMETHEUS_STACK_VERSION)',
      'an image inventory of an unrelated compose deployment: "prom/prometheus | v2.54.1 | sha256:f6639335…fe90411a94 | Docker Hub" (also pinned so by several other projects)',
    ],
  },
  alertmanager: {
    reference: 'quay.io/prometheus/alertmanager:v0.27.0@sha256:e13b6ed5cb929eeaee733479dce55e10eb3bc2e9c4586c705a4e8da41e5eacf5',
    platforms: ['linux/amd64', 'linux/arm64'],
    sources: [
      'a docker-compose change pinning "quay.io/prometheus/alertmanager:v0.27.0" as "quay.io/prometheus/alertmanager@sha256:e13b6ed5…41e5eacf5"',
      'a Terraform module variable default: "prom/alertmanager:v0.27.0@sha256:e13b6ed5…41e5eacf5" (also an Ansible compose module and other projects)',
    ],
  },
  grafana: {
    // Chart default is 11.2.1 (grafana chart 8.5.2); 11.2.0 is the same minor line (grafana chart 8.5.1's default).
    reference: 'docker.io/grafana/grafana:11.2.0@sha256:408afb9726de5122b00a2576763a8a57a3c86d5b0eff5305bc994ceb3eb96c3f',
    platforms: ['linux/amd64', 'linux/arm64'],
    sources: [
      'a production image policy of an unrelated project, "Pinned index digest" column: "grafana/grafana:11.2.0 | sha256:408afb97…eb96c3f"',
      'a NixOS oci-containers module: image = "grafana/grafana:11.2.0@sha256:408afb97…eb96c3f"',
    ],
  },
  'kube-state-metrics': {
    reference: 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0@sha256:639a1e2da549210adddc0391ff91e270e83f7873014aec53258462812f741e6f',
    platforms: ['linux/amd64', 'linux/arm64'],
    sources: [
      'the same production image policy, "Pinned index digest" column: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0 | sha256:639a1e2d…2f741e6f"',
      'a Python image catalogue of an unrelated Kubernetes installer: Image(name="kube-state-metrics", version="v2.13.0", digest="sha256:639a1e2d…2f741e6f")',
    ],
  },
  'prometheus-node-exporter': {
    reference: 'quay.io/prometheus/node-exporter:v1.8.2@sha256:4032c6d5bfd752342c3e631c2f1de93ba6b86c41db6b167b9a35372c139e7706',
    platforms: ['linux/amd64', 'linux/arm64'],
    sources: [
      'a Dockerfile: FROM quay.io/prometheus/node-exporter:v1.8.2@sha256:4032c6d5…c139e7706',
      'a NixOS oci-containers module: image = "quay.io/prometheus/node-exporter:v1.8.2@sha256:4032c6d5…c139e7706" (Docker Hub prom/node-exporter:v1.8.2 is pinned at the same digest elsewhere)',
    ],
  },
};
