/**
 * NetworkPolicy building blocks (manifest-policy RSPP-NET-002: each allowed flow names its peer by
 * labels and its port). Peers use the same `FlowPeerSelector` shape as the platform's flow registry
 * (`constructs/network-flows.ts`).
 */
import { k8s } from 'cdk8s-plus-27';

/** Pod labels, plus namespace labels for peers outside the workload's namespace. */
export interface PeerSelector {
  /**
   * Pod labels of the peer. Must not be empty (an empty selector would admit every pod), except for
   * a whole namespace named by `kubernetes.io/metadata.name` (see `allPodsOfNamespace`).
   */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Labels of the peer's namespace. @default - same namespace as the policy */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
}

export interface PolicyPort {
  /** The port, or the first port of a range when `endPort` is set. */
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
  /**
   * Last port of an inclusive range `port..endPort` (NetworkPolicy `endPort`, Kubernetes ≥ 1.25),
   * e.g. a UDP media range.
   * @default - the single port `port`
   */
  readonly endPort?: number;
}

/** Namespace label Kubernetes sets on every namespace (1.22+). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Cluster DNS (CoreDNS/kube-dns) in `kube-system`. */
export const CLUSTER_DNS_PEER: PeerSelector = {
  podLabels: { 'k8s-app': 'kube-dns' },
  namespaceLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' },
};

/** A peer selecting pods by labels in the namespace named `namespace`. */
export function peerInNamespace(namespace: string, podLabels: Readonly<Record<string, string>>): Required<PeerSelector> {
  return { podLabels, namespaceLabels: { [NAMESPACE_NAME_LABEL]: namespace } };
}

/**
 * Every pod of the one namespace named `namespace`: for a namespace dedicated to a single service
 * installed from someone else's chart (LiveKit), whose pod labels are not ours to rely on. The
 * policy then selects the namespace by its `kubernetes.io/metadata.name` label only.
 */
export function allPodsOfNamespace(namespace: string): Required<PeerSelector> {
  return { podLabels: {}, namespaceLabels: { [NAMESPACE_NAME_LABEL]: namespace } };
}

/** True for a peer that names one whole namespace (`allPodsOfNamespace`): no pod labels, exactly the namespace-name label. */
export function isWholeNamespacePeer(peer: PeerSelector): boolean {
  const ns = Object.keys(peer.namespaceLabels ?? {});
  return Object.keys(peer.podLabels ?? {}).length === 0 && ns.length === 1 && ns[0] === NAMESPACE_NAME_LABEL;
}

/** Throws `<where>: <what> ...` when the peer would select everything. */
export function assertPeer(where: string, what: string, peer: PeerSelector): void {
  if (peer.namespaceLabels !== undefined && Object.keys(peer.namespaceLabels).length === 0) {
    throw new Error(`${where}: ${what}.namespaceLabels must not be empty (it would admit every namespace); omit it for the same namespace`);
  }
  if (Object.keys(peer.podLabels ?? {}).length === 0 && !isWholeNamespacePeer(peer)) {
    throw new Error(
      `${where}: ${what}.podLabels must not be empty (it would select every pod); name the peer by its labels ` +
        `(or, for every pod of one namespace, set only namespaceLabels { "${NAMESPACE_NAME_LABEL}": <namespace> }: allPodsOfNamespace())`,
    );
  }
}

export function networkPolicyPeer(peer: PeerSelector): k8s.NetworkPolicyPeer {
  return {
    // A whole namespace keeps an explicit empty podSelector: the same set of pods by the API's
    // definition, and the form some CNIs (OVN-Kubernetes) need to match host-network pods too.
    podSelector: isWholeNamespacePeer(peer) ? {} : { matchLabels: { ...peer.podLabels } },
    ...(peer.namespaceLabels ? { namespaceSelector: { matchLabels: { ...peer.namespaceLabels } } } : {}),
  };
}

/** Throws `<where>: ...` unless every port (and range end) is in 1..65535 with `port <= endPort`. */
export function assertPolicyPorts(where: string, ports: readonly PolicyPort[]): void {
  if (ports.length === 0) throw new Error(`${where}: ports must name at least one port`);
  for (const p of ports) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) throw new Error(`${where}: port ${p.port} is not in 1..65535`);
    if (p.endPort !== undefined && (!Number.isInteger(p.endPort) || p.endPort < p.port || p.endPort > 65535)) {
      throw new Error(`${where}: endPort ${p.endPort} of the range starting at ${p.port} must be an integer in ${p.port}..65535`);
    }
  }
}

export function networkPolicyPorts(ports: readonly PolicyPort[]): k8s.NetworkPolicyPort[] {
  return ports.map((p) => ({
    port: k8s.IntOrString.fromNumber(p.port),
    ...(p.endPort !== undefined && p.endPort !== p.port ? { endPort: p.endPort } : {}),
    protocol: p.protocol ?? 'TCP',
  }));
}

/** The DNS port, the one port an IP-block peer may be allowed on (RSPP-NET-002, `isDnsResolverRule`). */
export const DNS_PORT = 53;

/** Where pods resolve names: DNS pods by labels, plus resolver addresses no selector can match. */
export interface DnsResolvers {
  /** CoreDNS/kube-dns pods. */
  readonly pods: readonly PeerSelector[];
  /** Single resolver IP addresses (NodeLocal DNSCache 169.254.20.10, a metadata resolver), each rendered `/32` or `/128`. */
  readonly addresses: readonly string[];
}

/** kube-dns only: what every cluster has (`generic`, and the default of the constructs). */
export const CLUSTER_DNS_ONLY: DnsResolvers = { pods: [CLUSTER_DNS_PEER], addresses: [] };

/** The single-host CIDR of a resolver address. */
export function resolverCidr(address: string): string {
  return `${address}/${address.includes(':') ? 128 : 32}`;
}

/**
 * Egress to the cluster's DNS on 53/UDP and 53/TCP: the DNS pods by labels, and each resolver
 * address as a single-host `ipBlock` (RSPP-NET-002 admits an IP block only there: 53 only, one host).
 */
export function dnsEgressRule(resolvers: DnsResolvers = CLUSTER_DNS_ONLY): k8s.NetworkPolicyEgressRule {
  return {
    to: [...resolvers.pods.map(networkPolicyPeer), ...resolvers.addresses.map((a) => ({ ipBlock: { cidr: resolverCidr(a) } }))],
    ports: networkPolicyPorts([{ port: DNS_PORT, protocol: 'UDP' }, { port: DNS_PORT, protocol: 'TCP' }]),
  };
}
