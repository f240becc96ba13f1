/**
 * The network-flow registry: every allowed connection in the platform is declared once, as
 * `flows.allow(from, to, ports, why)`, and becomes NetworkPolicies on both ends (egress on the
 * source, ingress on the destination), each naming its peer by labels and the port
 * (manifest-policy RSPP-NET-002). Everything not declared is denied by the namespace's
 * default-deny policies (`MtlsBaseline`).
 *
 * Peers outside the platform namespace (Prometheus, LiveKit) are `externalPeer`s: only the side that
 * lives in this namespace gets a policy; the other namespace's policies are its owner's business.
 * A port may be a range (`{ port, endPort, protocol: 'UDP' }`, e.g. LiveKit's UDP media ports).
 */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { assertPeer, assertPolicyPorts, networkPolicyPeer, networkPolicyPorts, PeerSelector, PolicyPort } from './common/network-policy';
import { isDnsLabel } from './common/kubernetes-names';

/** How NetworkPolicies select a peer: pod labels, plus namespace labels for peers outside the namespace. */
export type FlowPeerSelector = PeerSelector;
export type FlowPort = PolicyPort;

/** A flow port as the registry records it: protocol resolved; `endPort` only for a range. */
export interface DeclaredFlowPort {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  /** Last port of an inclusive range (NetworkPolicy `endPort`). */
  readonly endPort?: number;
}

/** Anything that can be the source or destination of a flow: a workload of ours or an external peer. */
export interface IFlowEndpoint {
  /** Short DNS-label name used in policy names, e.g. `runtime`, `lease-store`. */
  readonly flowName: string;
  readonly flowPeer: FlowPeerSelector;
}

/** One declared flow, as recorded by the registry. */
export interface NetworkFlow {
  readonly from: IFlowEndpoint;
  readonly to: IFlowEndpoint;
  readonly ports: readonly DeclaredFlowPort[];
  /** Why the flow exists; written on both policies as an annotation. */
  readonly description: string;
  /** Names of the NetworkPolicies that implement this flow (one or two). */
  readonly policyNames: readonly string[];
}

export interface NetworkFlowsProps {
  /** Namespace the platform's workloads (and so the policies) live in. */
  readonly namespace: string;
  /** Labels stamped on every NetworkPolicy the registry creates. */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Prefix of generated policy names.
   * @default ''
   */
  readonly namePrefix?: string;
}

/** Annotation carrying the flow's reason on each generated policy. */
export const FLOW_DESCRIPTION_ANNOTATION = 'rspp.io/flow';

/** A peer outside the platform namespace, e.g. the cluster's Prometheus. */
export function externalPeer(flowName: string, selector: Required<FlowPeerSelector>): IFlowEndpoint {
  assertPeer(`externalPeer("${flowName}")`, 'selector', selector);
  return { flowName, flowPeer: selector };
}

function isInternal(e: IFlowEndpoint): boolean {
  return e.flowPeer.namespaceLabels === undefined;
}

/** The registry. One per platform namespace; `MtlsBaseline` owns it as `tls.flows`. */
export class NetworkFlows extends Construct {
  public readonly namespace: string;
  private readonly labels: Readonly<Record<string, string>>;
  private readonly namePrefix: string;
  private readonly declared: NetworkFlow[] = [];

  public constructor(scope: Construct, id: string, props: NetworkFlowsProps) {
    super(scope, id);
    if (!isDnsLabel(props.namespace)) {
      throw new Error(`NetworkFlows: props.namespace "${props.namespace}" is not a DNS label`);
    }
    this.namespace = props.namespace;
    this.labels = props.labels ?? {};
    this.namePrefix = props.namePrefix ?? '';
  }

  /** Every flow declared so far, in declaration order. */
  public get flows(): readonly NetworkFlow[] {
    return [...this.declared];
  }

  /**
   * Allow `from` to open connections to `to` on `ports`. Creates an egress policy selecting `from`
   * (when it is in this namespace) and an ingress policy selecting `to` (when it is in this namespace).
   * Declaring the same pair twice is an error: add the ports to the first declaration instead.
   */
  public allow(from: IFlowEndpoint, to: IFlowEndpoint, ports: ReadonlyArray<number | FlowPort>, description: string): NetworkFlow {
    const where = `NetworkFlows.allow(${from.flowName} -> ${to.flowName})`;
    for (const e of [from, to]) {
      if (!isDnsLabel(e.flowName)) throw new Error(`${where}: flowName "${e.flowName}" is not a DNS label`);
      assertPeer(where, `${e.flowName}.flowPeer`, e.flowPeer);
    }
    if (!isInternal(from) && !isInternal(to)) {
      throw new Error(`${where}: at least one end must be in namespace "${this.namespace}"`);
    }
    if (ports.length === 0) throw new Error(`${where}: ports must not be empty`);
    if (description.trim() === '') throw new Error(`${where}: description must say why the flow exists`);
    const normalized: DeclaredFlowPort[] = ports.map((p) =>
      typeof p === 'number'
        ? { port: p, protocol: 'TCP' as const }
        : { port: p.port, protocol: p.protocol ?? 'TCP', ...(p.endPort !== undefined ? { endPort: p.endPort } : {}) },
    );
    assertPolicyPorts(where, normalized);
    if (this.declared.some((f) => f.from.flowName === from.flowName && f.to.flowName === to.flowName)) {
      throw new Error(`${where}: this flow is already declared; declare each flow once, with all its ports`);
    }

    const k8sPorts = networkPolicyPorts(normalized);
    const annotations = { [FLOW_DESCRIPTION_ANNOTATION]: description };
    const policyNames: string[] = [];
    if (isInternal(from)) {
      const name = `${this.namePrefix}allow-egress-${from.flowName}-to-${to.flowName}`;
      new k8s.KubeNetworkPolicy(this, `egress-${from.flowName}-to-${to.flowName}`, {
        metadata: { name, namespace: this.namespace, labels: { ...this.labels }, annotations },
        spec: {
          podSelector: { matchLabels: { ...from.flowPeer.podLabels } },
          policyTypes: ['Egress'],
          egress: [{ to: [networkPolicyPeer(to.flowPeer)], ports: k8sPorts }],
        },
      });
      policyNames.push(name);
    }
    if (isInternal(to)) {
      const name = `${this.namePrefix}allow-ingress-${to.flowName}-from-${from.flowName}`;
      new k8s.KubeNetworkPolicy(this, `ingress-${to.flowName}-from-${from.flowName}`, {
        metadata: { name, namespace: this.namespace, labels: { ...this.labels }, annotations },
        spec: {
          podSelector: { matchLabels: { ...to.flowPeer.podLabels } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [networkPolicyPeer(from.flowPeer)], ports: k8sPorts }],
        },
      });
      policyNames.push(name);
    }
    const flow: NetworkFlow = { from, to, ports: normalized, description, policyNames };
    this.declared.push(flow);
    return flow;
  }
}
