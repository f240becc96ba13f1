import type { DnsResolverPods } from '../cluster-flavour';

/** CoreDNS / kube-dns pods: `k8s-app: kube-dns` in `kube-system` (EKS, GKE, AKS, kind and kubeadm all label them so). */
export const KUBE_DNS_PODS: DnsResolverPods = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };

/** NodeLocal DNSCache's link-local listen address (the upstream default, also GKE's). */
export const NODE_LOCAL_DNS_ADDRESS = '169.254.20.10';

/** Managed control planes: none of these can be scraped from inside the cluster. */
export const MANAGED_CONTROL_PLANE_JOBS = ['kubeControllerManager', 'kubeScheduler', 'kubeEtcd', 'kubeProxy'] as const;
