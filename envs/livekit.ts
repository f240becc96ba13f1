/**
 * What the Terraform stack (which installs the LiveKit server) and the constructs (which let the
 * runtime, the LiveKit-connected media worker, reach it through default-deny egress) must agree on.
 * The UDP media range is per env (`livekit.udpPortRangeStart..udpPortRangeEnd`).
 */

import { parseCidr } from './cidr';

/** Namespace of the LiveKit server unless an env says otherwise (`livekit.namespace`). */
export const DEFAULT_LIVEKIT_NAMESPACE = 'livekit';

/** LiveKit server ports (its config `port` and `rtc.tcp_port`). */
export const LIVEKIT_PORTS = {
  /** Signalling: HTTP/WebSocket API (`livekit.port`). */
  signal: 7880,
  /** WebRTC over TCP, the fallback when UDP is blocked (`livekit.rtc.tcp_port`). */
  rtcTcp: 7881,
} as const;

/** Most entries `livekit.nodeCidrs` may list: node CIDRs are few; a long list is a sign of per-node addresses that belong in a wider range. */
export const LIVEKIT_NODE_CIDRS_MAX = 32;

/**
 * Why `cidr` cannot be an entry of `livekit.nodeCidrs`; `undefined` when it can: a canonical IPv4/IPv6
 * CIDR that is not a catch-all (`0.0.0.0/0`, `::/0` would open the LiveKit ports to the internet).
 */
export function liveKitNodeCidrProblem(cidr: string): string | undefined {
  const parsed = parseCidr(cidr);
  if (parsed.cidr === undefined) return parsed.problem;
  if (parsed.cidr.prefixLength === 0) {
    return `${JSON.stringify(cidr)} is every address (egress to the internet on the LiveKit ports); list only the CIDRs of the nodes LiveKit runs on, e.g. "10.0.0.0/16"`;
  }
  return undefined;
}
