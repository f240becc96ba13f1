/** Any other conformant cluster: nothing assumed beyond kube-dns; name the rest in the env. */
import type { ClusterFlavour } from '../cluster-flavour';
import { KUBE_DNS_PODS } from './kube-dns';

export const GENERIC: ClusterFlavour = {
  dnsPods: [KUBE_DNS_PODS],
  dnsAddresses: [],
  dnsAddressNotes: [],
  defaultStorageClass: undefined,
  installMetricsServer: false,
  disabledScrapeJobs: [],
  prerequisites: [
    'a NetworkPolicy-enforcing CNI, a metrics API for the HPA, and a StorageClass named in cluster.storageClassName (stage/prod)',
    'node-local or other DNS resolver addresses listed in cluster.dnsResolverAddresses',
  ],
};
