/**
 * `LiveKitNodeEgress`: the opt-in egress from a workload (the runtime) to the NODE addresses LiveKit
 * runs on, on the LiveKit ports only, for clusters whose CNI cannot select host-network pods.
 *
 * LiveKit runs with `hostNetwork: true` (WebRTC needs the node address). Kubernetes leaves
 * NetworkPolicy semantics for host-network pods undefined, and on common CNIs (Calico, Cilium) a
 * namespace selector never matches them: the runtime's namespace-selected egress to LiveKit stays
 * denied, and its media goes to the node addresses LiveKit advertises anyway. This policy names
 * those nodes by `ipBlock`, which RSPP-NET-002 forbids; it carries the written exemption
 * (`exemptFromPolicy`), so the synth summary lists it with its reason.
 *
 * One NetworkPolicy, `allow-egress-<from>-to-livekit-nodes`: Egress only, one rule, one `ipBlock`
 * peer per CIDR (no `except`), exactly the given ports. It widens nothing else.
 */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { LIVEKIT_NODE_CIDRS_MAX, liveKitNodeCidrProblem } from '../envs/livekit';
import { assertPeer, assertPolicyPorts, networkPolicyPorts, PolicyPort } from './common/network-policy';
import { isDnsLabel } from './common/kubernetes-names';
import { FLOW_DESCRIPTION_ANNOTATION, IFlowEndpoint } from './network-flows';
import { exemptFromPolicy } from './policy/exemptions';

/** The written reason of the RSPP-NET-002 exemption on the node-CIDR policy (printed in the synth summary). */
export const LIVEKIT_NODE_EGRESS_EXEMPTION_REASON =
  'LiveKit runs with hostNetwork for WebRTC; host-network pods are not selectable by pod/namespace selectors on common CNIs ' +
  '(Calico, Cilium), so the runtime reaches LiveKit at node addresses (livekit.nodeCidrs); scoped to the LiveKit ports only ' +
  '(signalling, RTC/TCP, the UDP media range)';

export interface LiveKitNodeEgressProps {
  /** Namespace of the policy (the platform namespace). */
  readonly namespace: string;
  /** Labels of the policy (the six recommended labels, RSPP-META-001). */
  readonly labels: Readonly<Record<string, string>>;
  /** The workload allowed out: a pod-labelled endpoint of this namespace (the runtime). */
  readonly from: IFlowEndpoint;
  /** Canonical node CIDRs (`livekit.nodeCidrs`): 1..`LIVEKIT_NODE_CIDRS_MAX`, distinct, none a catch-all. */
  readonly nodeCidrs: readonly string[];
  /** The LiveKit ports: signalling, RTC/TCP and the UDP media range (the same list as the namespace flow). */
  readonly ports: readonly PolicyPort[];
}

export class LiveKitNodeEgress extends Construct {
  public readonly policyName: string;
  public readonly policy: k8s.KubeNetworkPolicy;

  public constructor(scope: Construct, id: string, props: LiveKitNodeEgressProps) {
    super(scope, id);
    const where = `LiveKitNodeEgress(${id})`;
    const { from, nodeCidrs, ports } = props;
    if (!isDnsLabel(props.namespace)) throw new Error(`${where}: namespace "${props.namespace}" is not a DNS label`);
    if (!isDnsLabel(from.flowName)) throw new Error(`${where}: from.flowName "${from.flowName}" is not a DNS label`);
    if (from.flowPeer.namespaceLabels !== undefined) throw new Error(`${where}: from must be a workload of namespace "${props.namespace}" (pod labels only)`);
    assertPeer(where, 'from.flowPeer', from.flowPeer);
    if (nodeCidrs.length === 0 || nodeCidrs.length > LIVEKIT_NODE_CIDRS_MAX) {
      throw new Error(`${where}: nodeCidrs has ${nodeCidrs.length} entries; list 1..${LIVEKIT_NODE_CIDRS_MAX} node CIDRs (livekit.nodeCidrs), or leave the field unset`);
    }
    nodeCidrs.forEach((cidr, i) => {
      const problem = liveKitNodeCidrProblem(cidr);
      if (problem !== undefined) throw new Error(`${where}: nodeCidrs[${i}]: ${problem}`);
      if (nodeCidrs.indexOf(cidr) !== i) throw new Error(`${where}: nodeCidrs[${i}]: "${cidr}" repeats nodeCidrs[${nodeCidrs.indexOf(cidr)}]; list each CIDR once`);
    });
    assertPolicyPorts(where, ports);

    this.policyName = `allow-egress-${from.flowName}-to-livekit-nodes`;
    this.policy = new k8s.KubeNetworkPolicy(this, 'policy', {
      metadata: {
        name: this.policyName,
        namespace: props.namespace,
        labels: { ...props.labels },
        annotations: {
          [FLOW_DESCRIPTION_ANNOTATION]: `${from.flowName} -> LiveKit at its node addresses (hostNetwork), on the LiveKit ports only`,
        },
      },
      spec: {
        podSelector: { matchLabels: { ...from.flowPeer.podLabels } },
        policyTypes: ['Egress'],
        egress: [{ to: nodeCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: networkPolicyPorts(ports) }],
      },
    });
    exemptFromPolicy(this.policy, 'RSPP-NET-002', LIVEKIT_NODE_EGRESS_EXEMPTION_REASON);
  }
}
