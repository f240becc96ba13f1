/**
 * Helm release timeouts from the cold-start chain of a fresh cluster (issue #12 item 6). Each
 * release is `atomic` + `wait`: a timeout rolls it back and nothing ordered after it is attempted,
 * so the timeout must cover the slowest honest first install, not the provider's default 300 s.
 *
 * The platform release (`rspp-<env>`) starts serially dependent steps; Helm waits for all of them:
 *
 *   volume provisioning   120 s  etcd PVCs: CSI CreateVolume + attach (EBS/PD/Azure Disk: 10–60 s each;
 *                                WaitForFirstConsumer binds only once the pod is scheduled)
 *   certificate issuance   60 s  cert-manager issues the CA, then every component certificate (seconds
 *                                each once its webhook is up; the pods mount the Secrets)
 *   etcd quorum           120 s  image pull (~20 MB) + 3 members joining; quorum needs 2 of 3 up
 *   control plane ready    90 s  runtime image pull (40.3 MB compressed) + start (118 ms measured
 *                                locally, `runtime/image`) + lease store reachable + readiness
 *   runtime bundle fetch   90 s  runtime resolves its bundle from the control plane (mTLS) and turns ready
 *   ---------------------------
 *   chain                 480 s  → timeout 720 s (1.5 × the chain: image pulls on cold nodes vary most)
 *
 * These are budgets from upstream behaviour, not measurements on a cluster (none is reachable here);
 * the image start time is the only measured part. A user's first `cdktf deploy` should confirm them.
 */

/** One step of the cold-start chain, with its budget in seconds. */
export interface ColdStartStep {
  readonly step: string;
  readonly seconds: number;
}

export const PLATFORM_COLD_START_CHAIN: readonly ColdStartStep[] = [
  { step: 'volume provisioning', seconds: 120 },
  { step: 'certificate issuance', seconds: 60 },
  { step: 'etcd quorum', seconds: 120 },
  { step: 'control plane ready', seconds: 90 },
  { step: 'runtime bundle fetch', seconds: 90 },
];

/** Margin over the chain: cold-node image pulls vary most. */
export const COLD_START_MARGIN = 1.5;

/** Sum of the chain's budgets, seconds. */
export function chainSeconds(chain: readonly ColdStartStep[]): number {
  return chain.reduce((sum, s) => sum + s.seconds, 0);
}

/** Timeouts (seconds) of each release the stack installs. */
export const RELEASE_TIMEOUTS = {
  /** CRDs + three Deployments + the startupapicheck job. */
  certManager: 600,
  /** Operator, Prometheus (PVC in stage/prod: volume provisioning again), Alertmanager, Grafana, node-exporter. */
  observability: 900,
  metricsServer: 300,
  /** LiveKit (+ Valkey rollout before it). */
  livekit: 600,
  /** The cold-start chain × margin, rounded up to a minute. */
  platform: Math.ceil((chainSeconds(PLATFORM_COLD_START_CHAIN) * COLD_START_MARGIN) / 60) * 60,
} as const;
