/**
 * Third-party chart image pins (issue #12 item 2): the kube-prometheus-stack pins hold for the chart
 * version they were chosen for only; another version gets no image values and its defaults are listed
 * as unpinned, never reported as pinned.
 */
import type { EnvironmentConfig } from '../../envs/environment-config';
import { loadEnvironment } from '../../envs/load-environment';
import { KUBE_PROMETHEUS_STACK_PINNED_VERSION } from '../../envs/third-party-images';
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
