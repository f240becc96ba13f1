/** Azure AKS. */
import type { ClusterFlavour } from '../cluster-flavour';
import { KUBE_DNS_PODS, MANAGED_CONTROL_PLANE_JOBS } from './kube-dns';

export const AKS: ClusterFlavour = {
  // Pods resolve through CoreDNS (which forwards to Azure DNS itself); no node-local address by default.
  dnsPods: [KUBE_DNS_PODS],
  dnsAddresses: [],
  dnsAddressNotes: [],
  defaultStorageClass: 'managed-csi',
  installMetricsServer: false,
  disabledScrapeJobs: MANAGED_CONTROL_PLANE_JOBS,
  prerequisites: [
    'a network policy engine (--network-policy azure, calico or cilium); without one, policies are not enforced',
    'the Azure Disk CSI driver (default; StorageClass "managed-csi")',
  ],
};
