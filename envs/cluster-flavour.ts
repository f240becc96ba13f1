/**
 * Cluster flavours (architecture §10): what a fresh cluster of each kind already has and lacks, as
 * data. Each flavour is one small file in `envs/flavours/`; constructs and stacks read a flavour's
 * data (`clusterFlavourOf(env)`), never test its name.
 */
import type { ClusterFlavourName } from './environment-config';
import { AKS } from './flavours/aks';
import { EKS } from './flavours/eks';
import { GENERIC } from './flavours/generic';
import { GKE } from './flavours/gke';
import { KIND } from './flavours/kind';

/** Pods that answer DNS, named by labels (`k8s-app: kube-dns` in `kube-system` on every flavour here). */
export interface DnsResolverPods {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

/** kube-prometheus-stack components that scrape the control plane or node-level daemons. */
export type ControlPlaneScrapeJob = 'kubeControllerManager' | 'kubeScheduler' | 'kubeEtcd' | 'kubeProxy';

export interface ClusterFlavour {
  /** DNS served by pods (CoreDNS / kube-dns). */
  readonly dnsPods: readonly DnsResolverPods[];
  /**
   * DNS resolver addresses a pod selector cannot match (NodeLocal DNSCache's link-local address, a
   * metadata server resolver): egress on 53/UDP+TCP to each, as a single-host ipBlock.
   */
  readonly dnsAddresses: readonly string[];
  /** Why each address is there (printed in the README table and kept beside the data). */
  readonly dnsAddressNotes: readonly string[];
  /** StorageClass a fresh cluster marks default; `undefined` when there is none (EKS ≥ 1.30). */
  readonly defaultStorageClass?: string;
  /** The cluster ships no metrics API: the stack installs the pinned metrics-server release (the runtime HPA needs it). */
  readonly installMetricsServer: boolean;
  /** Extra metrics-server arguments on this flavour (kind: kubelets serve self-signed certificates). */
  readonly metricsServerArgs?: readonly string[];
  /** Control-plane scrape jobs kube-prometheus-stack turns off (managed control planes cannot be scraped: TargetDown forever). */
  readonly disabledScrapeJobs: readonly ControlPlaneScrapeJob[];
  /** Prerequisites a user must meet before `cdktf deploy` (README "Deploying to EKS / GKE / AKS / kind"). */
  readonly prerequisites: readonly string[];
}

export const CLUSTER_FLAVOURS: Readonly<Record<ClusterFlavourName, ClusterFlavour>> = { eks: EKS, gke: GKE, aks: AKS, kind: KIND, generic: GENERIC };
export const CLUSTER_FLAVOUR_NAMES = Object.keys(CLUSTER_FLAVOURS) as ClusterFlavourName[];

/** The flavour data of an env, with the env's extra resolver addresses (`cluster.dnsResolverAddresses`) added. */
export function clusterFlavourOf(env: { readonly cluster: { readonly flavour: ClusterFlavourName; readonly dnsResolverAddresses?: readonly string[] } }): ClusterFlavour {
  const base = CLUSTER_FLAVOURS[env.cluster.flavour];
  const extra = (env.cluster.dnsResolverAddresses ?? []).filter((a) => !base.dnsAddresses.includes(a));
  return extra.length === 0 ? base : { ...base, dnsAddresses: [...base.dnsAddresses, ...extra], dnsAddressNotes: [...base.dnsAddressNotes, ...extra.map((a) => `${a}: cluster.dnsResolverAddresses of the env`)] };
}

/** StorageClass the env's volumes use: the env's own, else the flavour's default, else the cluster default (unset). */
export function storageClassOf(env: { readonly cluster: { readonly flavour: ClusterFlavourName; readonly storageClassName?: string } }): string | undefined {
  return env.cluster.storageClassName ?? CLUSTER_FLAVOURS[env.cluster.flavour].defaultStorageClass;
}
