/**
 * Third-party Helm charts the stacks install that the env config does not pin itself
 * (LiveKit and kube-prometheus-stack versions live in `envs/pins.ts`, per env).
 * Exact versions, never ranges; bump with a reviewed one-line change.
 */

export interface ChartSource {
  readonly repository: string;
  readonly chart: string;
}

/**
 * cert-manager from the Jetstack repository, its only supported source. v1.21.1 because its images
 * are pinned by digest with two public sources each (`CERT_MANAGER_IMAGES` in `envs/third-party-images.ts`).
 */
export const CERT_MANAGER_CHART: ChartSource & { readonly version: string } = {
  repository: 'https://charts.jetstack.io',
  chart: 'cert-manager',
  version: 'v1.21.1',
};

/** kube-prometheus-stack (version from `env.observability.chartVersion`). */
export const KUBE_PROMETHEUS_STACK_CHART: ChartSource = {
  repository: 'https://prometheus-community.github.io/helm-charts',
  chart: 'kube-prometheus-stack',
};

/** LiveKit server (version from `env.livekit.chartVersion`). */
export const LIVEKIT_SERVER_CHART: ChartSource = {
  repository: 'https://helm.livekit.io',
  chart: 'livekit-server',
};

/** metrics-server (installed when the cluster flavour ships no metrics API: EKS, kind); appVersion 0.7.2. */
export const METRICS_SERVER_CHART: ChartSource & { readonly version: string } = {
  repository: 'https://kubernetes-sigs.github.io/metrics-server/',
  chart: 'metrics-server',
  version: '3.12.2',
};
