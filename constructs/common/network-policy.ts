/**
 * NetworkPolicy building blocks (manifest-policy RSPP-NET-002: each allowed flow names its peer by
 * labels and its port). Peers use the same `FlowPeerSelector` shape as the platform's flow registry
 * (`constructs/network-flows.ts`).
 */
import { k8s } from 'cdk8s-plus-27';

/** Pod labels, plus namespace labels for peers outside the workload's namespace. */
export interface PeerSelector {
  /** Pod labels of the peer. Must not be empty (an empty selector would admit every pod). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Labels of the peer's namespace. @default - same namespace as the policy */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
}

export interface PolicyPort {
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

/** Namespace label Kubernetes sets on every namespace (1.22+). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Cluster DNS (CoreDNS/kube-dns) in `kube-system`. */
export const CLUSTER_DNS_PEER: PeerSelector = {
  podLabels: { 'k8s-app': 'kube-dns' },
  namespaceLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' },
};

/** A peer selecting pods by labels in the namespace named `namespace`. */
export function peerInNamespace(namespace: string, podLabels: Readonly<Record<string, string>>): PeerSelector {
  return { podLabels, namespaceLabels: { [NAMESPACE_NAME_LABEL]: namespace } };
}

/** Throws `<where>: <what> ...` when the peer would select everything. */
export function assertPeer(where: string, what: string, peer: PeerSelector): void {
  if (Object.keys(peer.podLabels ?? {}).length === 0) {
    throw new Error(`${where}: ${what}.podLabels must not be empty (it would select every pod); name the peer by its labels`);
  }
  if (peer.namespaceLabels !== undefined && Object.keys(peer.namespaceLabels).length === 0) {
    throw new Error(`${where}: ${what}.namespaceLabels must not be empty (it would admit every namespace); omit it for the same namespace`);
  }
}

export function networkPolicyPeer(peer: PeerSelector): k8s.NetworkPolicyPeer {
  return {
    podSelector: { matchLabels: { ...peer.podLabels } },
    ...(peer.namespaceLabels ? { namespaceSelector: { matchLabels: { ...peer.namespaceLabels } } } : {}),
  };
}

export function networkPolicyPorts(ports: readonly PolicyPort[]): k8s.NetworkPolicyPort[] {
  return ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' }));
}

/** Egress to cluster DNS on 53/UDP and 53/TCP. */
export function dnsEgressRule(): k8s.NetworkPolicyEgressRule {
  return {
    to: [networkPolicyPeer(CLUSTER_DNS_PEER)],
    ports: networkPolicyPorts([{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }]),
  };
}
