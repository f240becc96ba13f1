/**
 * Values shared by every environment: the pinned artifacts and the settings that do not vary by env.
 * Each env file spreads these and states only what differs (the architecture §3 table).
 */
import { DEFAULT_DRAIN_SECONDS, DEFAULT_LEASE_TTL_SECONDS, MVP_PROFILE, MVP_TRANSPORT } from '../runtime/contracts/runtime-interface';
import type { EnvironmentConfig, ResourceSpec } from './environment-config';
import { DEFAULT_LIVEKIT_NAMESPACE } from './livekit';
import { CHART_VERSIONS, CONTROL_PLANE_IMAGE, ETCD_IMAGE, RUNTIME_IMAGE, SIMPLE_V1_BUNDLE_DIGEST } from './pins';

/** Platform version stamped on every object (`app.kubernetes.io/version`); equals package.json "version". */
export const PLATFORM_VERSION = '0.1.0';

export const RUNTIME_RESOURCES: ResourceSpec = { cpuRequest: '500m', memoryRequest: '512Mi', memoryLimit: '1Gi' };
export const CONTROL_PLANE_RESOURCES: ResourceSpec = { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '256Mi' };
export const ETCD_RESOURCES: ResourceSpec = { cpuRequest: '250m', memoryRequest: '512Mi', memoryLimit: '1Gi' };

/** Fields identical in every env; env files override what the posture table says differs. */
export const COMMON_ENV = {
  namespace: 'rspp',
  version: PLATFORM_VERSION,
  transport: MVP_TRANSPORT,
  pipeline: { profile: MVP_PROFILE, bundleDigest: SIMPLE_V1_BUNDLE_DIGEST, rollout: 'canary_10pct_v1' },
  runtime: { image: RUNTIME_IMAGE, targetCpuUtilization: 70, drainSeconds: DEFAULT_DRAIN_SECONDS, resources: RUNTIME_RESOURCES },
  controlPlane: { image: CONTROL_PLANE_IMAGE, resources: CONTROL_PLANE_RESOURCES },
  leaseStore: { mode: 'managed', image: ETCD_IMAGE, storageSize: '10Gi', leaseTtlSeconds: DEFAULT_LEASE_TTL_SECONDS, resources: ETCD_RESOURCES },
  tls: { certificateDuration: '2160h', renewBefore: '360h' },
  livekit: { namespace: DEFAULT_LIVEKIT_NAMESPACE, udpPortRangeStart: 50000, udpPortRangeEnd: 60000, chartVersion: CHART_VERSIONS.livekitServer },
  observability: { backend: 'kube-prometheus-stack', chartVersion: CHART_VERSIONS.kubePrometheusStack, prometheusReleaseLabel: 'kube-prometheus-stack' },
} as const satisfies Partial<Record<keyof EnvironmentConfig, unknown>>;
