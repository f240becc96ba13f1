/** Google GKE (Standard and Autopilot). */
import type { ClusterFlavour } from '../cluster-flavour';
import { KUBE_DNS_PODS, MANAGED_CONTROL_PLANE_JOBS, NODE_LOCAL_DNS_ADDRESS } from './kube-dns';

/** The GCE metadata server, which answers DNS when Cloud DNS for GKE is the cluster DNS provider. */
export const GCE_METADATA_RESOLVER = '169.254.169.254';

export const GKE: ClusterFlavour = {
  dnsPods: [KUBE_DNS_PODS],
  dnsAddresses: [NODE_LOCAL_DNS_ADDRESS, GCE_METADATA_RESOLVER],
  dnsAddressNotes: [
    `${NODE_LOCAL_DNS_ADDRESS}: NodeLocal DNSCache (on by default in newer clusters, always on Autopilot)`,
    `${GCE_METADATA_RESOLVER}: the metadata server, the resolver under Cloud DNS for GKE`,
  ],
  defaultStorageClass: 'standard-rwo',
  installMetricsServer: false,
  disabledScrapeJobs: MANAGED_CONTROL_PLANE_JOBS,
  prerequisites: [
    'NetworkPolicy enforcement (Dataplane V2, or network policy enabled on the cluster)',
    'the Compute Engine persistent disk CSI driver (default; StorageClass "standard-rwo")',
  ],
};
