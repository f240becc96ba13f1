/**
 * `dist/<env>/images.json` (issue #12 item 2): every image an env pulls, with the object and
 * container that pulls it, the reference, its digest and platforms, and where the reference comes
 * from (our construct output, the Valkey manifests, or a value the stack passes to a third-party
 * chart, named by its values key). A reference passed by tag alone is a synth error naming that
 * source and the value that pins it; `npm run synth` checks before it writes anything.
 *
 * Third-party chart images are pinned through the values the stack passes (cert-manager's five,
 * five of kube-prometheus-stack's), from `envs/third-party-images.ts` where each digest has two
 * public sources. Chart defaults still pulled by tag (no two public sources agree on a digest for
 * them: prometheus-operator, its config reloader, kube-webhook-certgen, Grafana's sidecar, the
 * LiveKit server) are listed apart, under `unpinnedChartDefaults`, each with the values key that
 * would pin it, instead of pretending.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildEnvChart } from '../constructs/env-chart';
import { formatObjectRef, objectRef } from '../constructs/policy/manifest-object';
import { workloadOf } from '../constructs/policy/workloads';
import { clusterFlavourOf } from '../envs/cluster-flavour';
import type { EnvironmentConfig } from '../envs/environment-config';
import { parsePinnedImage, pinnedImageProblem } from '../envs/image-ref';
import { ETCD_IMAGE, RUNTIME_IMAGE_PLATFORMS } from '../envs/pins';
import { CERT_MANAGER_IMAGES, CertManagerComponent, KUBE_PROMETHEUS_STACK_IMAGES, KUBE_PROMETHEUS_STACK_PINNED_VERSION, KubePrometheusStackComponent, METRICS_SERVER_IMAGE, VALKEY_IMAGE } from '../envs/third-party-images';
import { valkeyObjects } from './livekit-transport';

/** One image an env pulls. */
export interface ImageEntry {
  /** `Kind/namespace/name` of the object, or `helm_release.<name>` for a chart's workload. */
  readonly object: string;
  readonly container: string;
  /** The reference as the kubelet gets it. */
  readonly reference: string;
  readonly digest: string;
  readonly platforms: readonly string[];
  /** Where the reference comes from: `constructs (rspp-platform chart)`, `stacks (LiveKit Valkey)`, or `<release> values: <key>`. */
  readonly source: string;
}

/** A chart's default image the stack does not pin yet, with the values key that would pin it. */
export interface UnpinnedChartDefault {
  readonly release: string;
  readonly chart: string;
  readonly image: string;
  /** Values key that takes the digest. */
  readonly pinWith: string;
}

export interface ImagesFile {
  readonly env: string;
  readonly images: readonly ImageEntry[];
  readonly unpinnedChartDefaults: readonly UnpinnedChartDefault[];
}

/** An image reference a source passes, before checking. */
export interface PassedImage {
  readonly object: string;
  readonly container: string;
  readonly reference: string;
  readonly platforms: readonly string[];
  readonly source: string;
}

/** Thrown when a passed reference is not pinned by digest: one line per reference, naming its source. */
export class TagOnlyImageError extends Error {
  public constructor(public readonly env: string, public readonly problems: readonly string[]) {
    super(`${env}: ${problems.length} image reference(s) not pinned by digest (synth wrote nothing):\n  - ${problems.join('\n  - ')}`);
    this.name = 'TagOnlyImageError';
  }
}

/** Platforms of our runtime image index (`RUNTIME_IMAGE_PLATFORMS` in `envs/pins.ts`). */
function runtimePlatforms(): readonly string[] {
  return RUNTIME_IMAGE_PLATFORMS.map((p) => p.platform);
}

/** etcd's official index covers amd64, arm64, ppc64le and s390x; we deploy the first two. */
const ETCD_PLATFORMS = ['linux/amd64', 'linux/arm64'];

function platformsOf(reference: string): readonly string[] {
  if (reference === ETCD_IMAGE) return ETCD_PLATFORMS;
  if (reference === VALKEY_IMAGE.reference) return VALKEY_IMAGE.platforms;
  return runtimePlatforms();
}

/** Every container image of a set of Kubernetes objects. */
export function objectImages(objects: readonly unknown[], source: string): PassedImage[] {
  const out: PassedImage[] = [];
  for (const object of objects) {
    const w = workloadOf(object as never);
    if (w === undefined) continue;
    for (const c of w.containers) {
      const reference = String(c.container.image ?? '');
      out.push({ object: formatObjectRef(objectRef(w.object)), container: c.name, reference, platforms: platformsOf(reference), source });
    }
  }
  return out;
}

/** Values path of each cert-manager component's `image` block (the controller's is top-level). */
const CERT_MANAGER_IMAGE_KEY: Readonly<Record<CertManagerComponent, string>> = {
  controller: 'image',
  webhook: 'webhook.image',
  cainjector: 'cainjector.image',
  acmesolver: 'acmesolver.image',
  startupapicheck: 'startupapicheck.image',
};

/**
 * The cert-manager release values that pin its five images: `<key>.repository`, `.tag` and `.digest`
 * (the chart renders `<repository>:<tag>@<digest>`, the reference `images.json` lists).
 */
export function certManagerImageValues(): Record<string, unknown> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const [component, key] of Object.entries(CERT_MANAGER_IMAGE_KEY) as [CertManagerComponent, string][]) {
    const pinned = parsePinnedImage(CERT_MANAGER_IMAGES[component].reference)!;
    const image = { repository: pinned.repository, tag: pinned.tag, digest: pinned.digest };
    if (key === 'image') values.image = image;
    else values[component] = { image };
  }
  return values;
}

/**
 * How kube-prometheus-stack (65.1.1) and its sub-charts take each pinned image: the `image` block's
 * values path and its digest field. Prometheus, Alertmanager and Grafana render
 * `<registry>/<repository>:<tag>@sha256:<sha>` (`sha` is the bare hex); kube-state-metrics renders
 * `…:<tag>@<sha>` and node-exporter `…:<tag>@<digest>` (both with the `sha256:` prefix).
 */
const KPS_IMAGE_KEY: Readonly<Record<KubePrometheusStackComponent, { readonly path: readonly string[]; readonly digestField: 'sha' | 'digest'; readonly bareHex: boolean }>> = {
  prometheus: { path: ['prometheus', 'prometheusSpec', 'image'], digestField: 'sha', bareHex: true },
  alertmanager: { path: ['alertmanager', 'alertmanagerSpec', 'image'], digestField: 'sha', bareHex: true },
  grafana: { path: ['grafana', 'image'], digestField: 'sha', bareHex: true },
  'kube-state-metrics': { path: ['kube-state-metrics', 'image'], digestField: 'sha', bareHex: false },
  'prometheus-node-exporter': { path: ['prometheus-node-exporter', 'image'], digestField: 'digest', bareHex: false },
};

/** Whether the env installs the kube-prometheus-stack version the image pins were chosen for. */
function kpsPinned(env: EnvironmentConfig): boolean {
  return env.observability.chartVersion === KUBE_PROMETHEUS_STACK_PINNED_VERSION;
}

/**
 * A second values document for the kube-prometheus-stack release (Helm merges it over the first)
 * that pins the images of `KUBE_PROMETHEUS_STACK_IMAGES`: registry, repository, tag and digest of
 * each. Empty for another chart version (see `KUBE_PROMETHEUS_STACK_PINNED_VERSION`).
 */
export function kubePrometheusStackImageValues(env: EnvironmentConfig): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (!kpsPinned(env)) return values;
  for (const [component, key] of Object.entries(KPS_IMAGE_KEY) as [KubePrometheusStackComponent, (typeof KPS_IMAGE_KEY)[KubePrometheusStackComponent]][]) {
    const pinned = parsePinnedImage(KUBE_PROMETHEUS_STACK_IMAGES[component].reference)!;
    const slash = pinned.repository.indexOf('/');
    const image = {
      registry: pinned.repository.slice(0, slash),
      repository: pinned.repository.slice(slash + 1),
      tag: pinned.tag,
      [key.digestField]: key.bareHex ? pinned.digest.slice('sha256:'.length) : pinned.digest,
    };
    let node = values;
    for (const part of key.path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[key.path[key.path.length - 1]] = image;
  }
  return values;
}

/** The images the stack passes to third-party releases through their values. */
export function releaseValueImages(env: EnvironmentConfig): PassedImage[] {
  const out: PassedImage[] = [];
  for (const [component, key] of Object.entries(CERT_MANAGER_IMAGE_KEY) as [CertManagerComponent, string][]) {
    const image = CERT_MANAGER_IMAGES[component];
    out.push({ object: 'helm_release.cert-manager', container: component, reference: image.reference, platforms: image.platforms, source: `cert-manager values: ${key}.repository + ${key}.tag + ${key}.digest` });
  }
  if (kpsPinned(env)) {
    for (const [component, key] of Object.entries(KPS_IMAGE_KEY) as [KubePrometheusStackComponent, (typeof KPS_IMAGE_KEY)[KubePrometheusStackComponent]][]) {
      const image = KUBE_PROMETHEUS_STACK_IMAGES[component];
      const at = key.path.join('.');
      out.push({ object: `helm_release.${env.observability.prometheusReleaseLabel}`, container: component, reference: image.reference, platforms: image.platforms, source: `${env.observability.prometheusReleaseLabel} values: ${at}.registry + ${at}.repository + ${at}.tag + ${at}.${key.digestField}` });
    }
  }
  if (clusterFlavourOf(env).installMetricsServer) {
    out.push({ object: 'helm_release.metrics-server', container: 'metrics-server', reference: METRICS_SERVER_IMAGE.reference, platforms: METRICS_SERVER_IMAGE.platforms, source: 'metrics-server values: image.repository + image.tag' });
  }
  return out;
}

/** Chart defaults still pulled by tag (see the file comment), per release the env installs. */
export function unpinnedChartDefaults(env: EnvironmentConfig): UnpinnedChartDefault[] {
  const kps = `kube-prometheus-stack ${env.observability.chartVersion}`;
  const livekit = `livekit-server ${env.livekit.chartVersion}`;
  return [
    ...[
      ['prometheus-operator', 'prometheusOperator.image.sha'],
      ['prometheus-config-reloader', 'prometheusOperator.prometheusConfigReloader.image.sha'],
      ['kube-webhook-certgen (admission webhook patch)', 'prometheusOperator.admissionWebhooks.patch.image.sha'],
      ...(kpsPinned(env) ? [] : [
        ['prometheus', 'prometheus.prometheusSpec.image.sha'],
        ['alertmanager', 'alertmanager.alertmanagerSpec.image.sha'],
        ['grafana', 'grafana.image.sha'],
        ['kube-state-metrics', 'kube-state-metrics.image.sha'],
        ['prometheus-node-exporter', 'prometheus-node-exporter.image.digest'],
      ]),
      ['grafana k8s-sidecar', 'grafana.sidecar.image.sha'],
    ].map(([image, pinWith]) => ({ release: env.observability.prometheusReleaseLabel, chart: kps, image: `${image} (chart default tag)`, pinWith })),
    { release: 'livekit-server', chart: livekit, image: 'livekit/livekit-server (chart appVersion tag)', pinWith: 'image.tag (<tag>@sha256:<digest>)' },
  ];
}

/** The env's Kubernetes objects (the rspp-platform chart), synthesized in memory. */
function platformObjects(env: EnvironmentConfig): unknown[] {
  const app = new App({ outdir: '/nonexistent-unused' });
  return buildEnvChart(app, env).toJson();
}

/**
 * The images file of `env`; throws `TagOnlyImageError` when any passed reference is not pinned by
 * digest, naming the object, the container, the source and the fix.
 * @param extra more passed references (tests: a tag-only value introduced on purpose)
 */
export function imagesFileOf(env: EnvironmentConfig, extra: readonly PassedImage[] = []): ImagesFile {
  const passed = [
    ...objectImages(platformObjects(env), 'constructs (rspp-platform chart)'),
    ...(env.livekit.replicas > 1 ? objectImages(valkeyObjects(env).objects, 'stacks (LiveKit Valkey manifests)') : []),
    ...releaseValueImages(env),
    ...extra,
  ];
  const problems: string[] = [];
  const images: ImageEntry[] = [];
  for (const p of passed) {
    const problem = pinnedImageProblem(p.reference);
    const pinned = problem === undefined ? parsePinnedImage(p.reference) : undefined;
    if (pinned === undefined) {
      problems.push(`${p.object} container "${p.container}" (from ${p.source}): ${problem}`);
      continue;
    }
    images.push({ object: p.object, container: p.container, reference: p.reference, digest: pinned.digest, platforms: [...p.platforms], source: p.source });
  }
  if (problems.length > 0) throw new TagOnlyImageError(env.name, problems);
  return { env: env.name, images, unpinnedChartDefaults: unpinnedChartDefaults(env) };
}

/** Writes `<outRoot>/<env>/images.json` (temp file + rename, so a reader never sees half a file). */
export function writeImagesFile(outRoot: string, file: ImagesFile): string {
  const target = path.join(outRoot, file.env, 'images.json');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`);
  fs.renameSync(temp, target);
  return target;
}
