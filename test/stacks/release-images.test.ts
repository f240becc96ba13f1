/**
 * Third-party chart image pins (issue #12 item 2): the kube-prometheus-stack pins hold for the chart
 * version they were chosen for only; another version gets no image values and its defaults are listed
 * as unpinned, never reported as pinned. Every pin carries its two public sources.
 */
import type { EnvironmentConfig } from '../../envs/environment-config';
import { loadEnvironment } from '../../envs/load-environment';
import { parsePinnedImage } from '../../envs/image-ref';
import { CERT_MANAGER_IMAGES, KUBE_PROMETHEUS_STACK_IMAGES, KUBE_PROMETHEUS_STACK_PINNED_VERSION, METRICS_SERVER_IMAGE, VALKEY_IMAGE } from '../../envs/third-party-images';
import { imagesFileOf, kubePrometheusStackImageValues } from '../../stacks/release-images';

const dev = loadEnvironment('dev', { builtImageFile: false });
const withKps = (version: string): EnvironmentConfig => ({ ...dev, observability: { ...dev.observability, chartVersion: version } });

describe('kube-prometheus-stack image pins follow the chart version', () => {
  test(`at ${KUBE_PROMETHEUS_STACK_PINNED_VERSION}: five images pinned by values, four defaults listed as unpinned`, () => {
    const env = withKps(KUBE_PROMETHEUS_STACK_PINNED_VERSION);
    expect(Object.keys(kubePrometheusStackImageValues(env)).sort()).toEqual(['alertmanager', 'grafana', 'kube-state-metrics', 'prometheus', 'prometheus-node-exporter']);
    const file = imagesFileOf(env);
    expect(file.images.filter((i) => i.object === 'helm_release.kube-prometheus-stack')).toHaveLength(5);
    expect(file.unpinnedChartDefaults.filter((u) => u.release === 'kube-prometheus-stack')).toHaveLength(4);
  });

  test('at another version: no image values, and its nine defaults are listed as unpinned', () => {
    const env = withKps('66.0.0');
    expect(kubePrometheusStackImageValues(env)).toEqual({});
    const file = imagesFileOf(env);
    expect(file.images.filter((i) => i.object === 'helm_release.kube-prometheus-stack')).toEqual([]);
    const unpinned = file.unpinnedChartDefaults.filter((u) => u.release === 'kube-prometheus-stack');
    expect(unpinned).toHaveLength(9);
    expect(unpinned.every((u) => u.chart === 'kube-prometheus-stack 66.0.0')).toBe(true);
    expect(unpinned.map((u) => u.pinWith)).toEqual(expect.arrayContaining(['prometheus.prometheusSpec.image.sha', 'grafana.image.sha', 'prometheus-node-exporter.image.digest']));
  });
});

describe('every third-party image pin names its two sources', () => {
  const pins = [
    ['Valkey', VALKEY_IMAGE], ['metrics-server', METRICS_SERVER_IMAGE],
    ...Object.entries(CERT_MANAGER_IMAGES).map(([c, i]) => [`cert-manager ${c}`, i] as const),
    ...Object.entries(KUBE_PROMETHEUS_STACK_IMAGES).map(([c, i]) => [`kube-prometheus-stack ${c}`, i] as const),
  ] as const;
  test.each(pins)('%s: tag + digest, two different sources, each quoting the digest it vouches for', (_name, image) => {
    const pinned = parsePinnedImage(image.reference);
    expect(pinned).toBeDefined();
    expect(pinned!.tag).toBeTruthy();
    expect(image.platforms).toEqual(expect.arrayContaining(['linux/amd64', 'linux/arm64']));
    expect(new Set(image.sources).size).toBe(2);
    const hex = pinned!.digest.slice('sha256:'.length);
    for (const source of image.sources) expect(source).toContain(hex.slice(0, 8));
  });
});
