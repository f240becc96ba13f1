/** Amazon EKS. */
import type { ClusterFlavour } from '../cluster-flavour';
import { KUBE_DNS_PODS, MANAGED_CONTROL_PLANE_JOBS, NODE_LOCAL_DNS_ADDRESS } from './kube-dns';

export const EKS: ClusterFlavour = {
  dnsPods: [KUBE_DNS_PODS],
  // Pods resolve through CoreDNS; NodeLocal DNSCache is an optional add-on that listens on the link-local address.
  dnsAddresses: [NODE_LOCAL_DNS_ADDRESS],
  dnsAddressNotes: [`${NODE_LOCAL_DNS_ADDRESS}: NodeLocal DNSCache, when the add-on is installed`],
  // EKS 1.30+ creates no default StorageClass (the old gp2 one is gone): name one explicitly.
  defaultStorageClass: undefined,
  installMetricsServer: true,
  // Control plane is AWS-managed; kube-proxy binds its metrics to 127.0.0.1.
  disabledScrapeJobs: MANAGED_CONTROL_PLANE_JOBS,
  prerequisites: [
    'the Amazon EBS CSI driver add-on and a StorageClass for it (e.g. "gp3", provisioner ebs.csi.aws.com, volumeBindingMode WaitForFirstConsumer), named in cluster.storageClassName',
    'a CNI that enforces NetworkPolicy (VPC CNI with enableNetworkPolicy=true, or Calico/Cilium)',
    'nodes for both architectures only if you schedule arm64 (the runtime image is multi-platform)',
  ],
};
