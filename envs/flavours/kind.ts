/** kind (Kubernetes in Docker), for local and CI clusters. */
import type { ClusterFlavour } from '../cluster-flavour';
import { KUBE_DNS_PODS } from './kube-dns';

export const KIND: ClusterFlavour = {
  dnsPods: [KUBE_DNS_PODS],
  dnsAddresses: [],
  dnsAddressNotes: [],
  // rancher local-path-provisioner, marked default by kind.
  defaultStorageClass: 'standard',
  // kind ships no metrics-server; the runtime HPA holds minReplicas without it.
  installMetricsServer: true,
  metricsServerArgs: ['--kubelet-insecure-tls'],
  // kubeadm control plane on the node: scrapeable once its bind addresses are opened (kind config); left on.
  disabledScrapeJobs: [],
  prerequisites: [
    'a CNI that enforces NetworkPolicy: kind\'s default kindnet enforces it from kind v0.24 (Kubernetes ≥ 1.31 node images); otherwise install Calico',
    'arm64 hosts pull the linux/arm64 image of the index',
  ],
};
