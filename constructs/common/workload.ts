/**
 * Pieces every RSPP workload shares: the writable `/tmp` emptyDir (the root filesystem is read-only),
 * HA scheduling (anti-affinity + topology spread), PodDisruptionBudget sizing, the preStop sleep and
 * a config checksum that rolls pods when their ConfigMap changes.
 */
import { createHash } from 'crypto';
import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

export const TMP_VOLUME_NAME = 'tmp';
export const TMP_MOUNT_PATH = '/tmp';

/** Annotation on pod templates carrying the checksum of the config they read. */
export const CONFIG_CHECKSUM_ANNOTATION = 'rspp.io/config-checksum';

export const HOSTNAME_TOPOLOGY_KEY = 'kubernetes.io/hostname';
export const ZONE_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';

/** An explicit, size-limited emptyDir for `/tmp` (RSPP-POD-007) and its mount. */
export function tmpVolume(sizeLimit = '64Mi'): { readonly volume: k8s.Volume; readonly mount: k8s.VolumeMount } {
  return {
    volume: { name: TMP_VOLUME_NAME, emptyDir: { sizeLimit: k8s.Quantity.fromString(sizeLimit) } },
    mount: { name: TMP_VOLUME_NAME, mountPath: TMP_MOUNT_PATH },
  };
}

export interface SpreadOptions {
  /**
   * Label keys whose values are matched per revision, so a rolling update spreads the new pods too.
   * `pod-template-hash` for Deployments; `controller-revision-hash` for StatefulSets.
   * @default ['pod-template-hash']
   */
  readonly matchLabelKeys?: readonly string[];
}

/**
 * Scheduling for replicated workloads (RSPP-HA-003): prefer one pod per node, spread across zones
 * and nodes. Soft constraints (`ScheduleAnyway`, preferred anti-affinity) so an HPA can scale past
 * the node count and a zone outage does not block rescheduling.
 */
export function spreadAcrossNodes(
  podSelector: Readonly<Record<string, string>>,
  options: SpreadOptions = {},
): Required<Pick<k8s.PodSpec, 'affinity' | 'topologySpreadConstraints'>> {
  const labelSelector: k8s.LabelSelector = { matchLabels: { ...podSelector } };
  const matchLabelKeys = [...(options.matchLabelKeys ?? ['pod-template-hash'])];
  return {
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: HOSTNAME_TOPOLOGY_KEY, labelSelector } },
        ],
      },
    },
    topologySpreadConstraints: [ZONE_TOPOLOGY_KEY, HOSTNAME_TOPOLOGY_KEY].map((topologyKey) => ({
      topologyKey,
      maxSkew: 1,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector,
      ...(matchLabelKeys.length > 0 ? { matchLabelKeys } : {}),
    })),
  };
}

/**
 * `minAvailable` for a stateless workload with at least `minReplicas` pods: one fewer, so a node
 * drain can always evict one pod and `minReplicas >= minAvailable + 1` (RSPP-HA-004) holds.
 */
export function statelessMinAvailable(minReplicas: number): number {
  if (!Number.isInteger(minReplicas) || minReplicas < 2) {
    throw new Error(`statelessMinAvailable: a PodDisruptionBudget needs at least 2 replicas, got ${minReplicas}`);
  }
  return minReplicas - 1;
}

/** `minAvailable` that keeps an etcd-style quorum of `members` (⌊n/2⌋+1). */
export function quorumMinAvailable(members: number): number {
  if (!Number.isInteger(members) || members < 1) throw new Error(`quorumMinAvailable: members must be a positive integer, got ${members}`);
  return Math.floor(members / 2) + 1;
}

/**
 * Adds `lifecycle.preStop.sleep` to a container of a workload object. The sleep action (beta and on
 * by default since Kubernetes 1.30) needs no `sleep` binary in the image; the typed API of
 * cdk8s-plus-27 (Kubernetes 1.27) cannot express it, hence the JSON patch.
 *
 * `workload` must be a plain `ApiObject` (build its spec with `k8s.toJson_DeploymentSpec(...)`):
 * the generated `k8s.Kube*` classes re-filter their JSON after patches and would drop `sleep`.
 * @param containerPath JSON pointer to the container, e.g. `/spec/template/spec/containers/0`.
 */
export function addPreStopSleep(workload: ApiObject, containerPath: string, seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`addPreStopSleep: seconds must be a positive integer, got ${seconds}`);
  workload.addJsonPatch(JsonPatch.add(`${containerPath}/lifecycle`, { preStop: { sleep: { seconds } } }));
}

/** sha256 of a canonical JSON rendering of `data` (keys sorted), for the config checksum annotation. */
export function configChecksum(data: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]]));
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
