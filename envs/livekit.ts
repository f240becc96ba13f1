/**
 * What the Terraform stack (which installs the LiveKit server) and the constructs (which let the
 * runtime, the LiveKit-connected media worker, reach it through default-deny egress) must agree on.
 * The UDP media range is per env (`livekit.udpPortRangeStart..udpPortRangeEnd`).
 */

/** Namespace of the LiveKit server unless an env says otherwise (`livekit.namespace`). */
export const DEFAULT_LIVEKIT_NAMESPACE = 'livekit';

/** LiveKit server ports (its config `port` and `rtc.tcp_port`). */
export const LIVEKIT_PORTS = {
  /** Signalling: HTTP/WebSocket API (`livekit.port`). */
  signal: 7880,
  /** WebRTC over TCP, the fallback when UDP is blocked (`livekit.rtc.tcp_port`). */
  rtcTcp: 7881,
} as const;
