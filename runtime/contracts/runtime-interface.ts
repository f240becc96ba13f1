/**
 * The numbers and names the deployment and the runtime must agree on: ports, probe paths,
 * metric names, drain time. Both `constructs/` (what Kubernetes is told) and `runtime/server`
 * (what the process does) import this module, so there is exactly one spelling of each.
 *
 * Changing a value here changes both sides at once; that is the point.
 */

/** Port on which the runtime accepts session WebSocket connections (`/v1/sessions`). */
export const RUNTIME_SESSION_PORT = 8080;
/** Port on which every RSPP process serves `/healthz`, `/readyz` and `/metrics`. */
export const ADMIN_PORT = 9090;
/** Port of the control-plane HTTP API (bundle resolution, admission, placement). */
export const CONTROL_PLANE_API_PORT = 8081;
/** etcd client and peer ports (upstream defaults). */
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

/** Named ports, as they appear in container specs, Services and ServiceMonitors. */
export const PORT_NAMES = {
  sessions: 'sessions',
  admin: 'admin',
  api: 'api',
  etcdClient: 'client',
  etcdPeer: 'peer',
} as const;

/** HTTP paths of the process endpoints. */
export const PATHS = {
  /** Liveness: the process is alive and its event loop turns. */
  healthz: '/healthz',
  /** Readiness: lease held, lease store reachable, not draining. */
  readyz: '/readyz',
  /** Prometheus text exposition. */
  metrics: '/metrics',
  /** Session WebSocket endpoint. */
  sessions: '/v1/sessions',
} as const;

/**
 * Drain: on SIGTERM the runtime fails readiness at once, refuses new sessions, lets in-flight
 * turns finish for up to `drainSeconds`, then aborts what is left and exits.
 * The Pod's `terminationGracePeriodSeconds` is derived from the same figure (see `gracePeriodFor`).
 */
export const DEFAULT_DRAIN_SECONDS = 30;
/** preStop sleep so endpoints controllers and load balancers stop routing before SIGTERM work starts. */
export const PRESTOP_SLEEP_SECONDS = 5;
/** Slack between the end of the drain deadline and the kubelet's SIGKILL (evidence flush, exit). */
export const DRAIN_EXIT_MARGIN_SECONDS = 5;

/** The one formula for the grace period: preStop + drain + exit margin. */
export function gracePeriodFor(drainSeconds: number): number {
  return PRESTOP_SLEEP_SECONDS + drainSeconds + DRAIN_EXIT_MARGIN_SECONDS;
}

/** Environment variable through which the deployment tells the runtime its drain time. */
export const DRAIN_SECONDS_ENV = 'RSPP_DRAIN_SECONDS';

/**
 * Prometheus metric names exported by the runtime and control plane, and referenced by the
 * ObservabilityStack's alert rules and dashboards. Histograms are in seconds (Prometheus convention).
 */
export const METRICS = {
  /** Histogram: turn_open_at - turn_open_proposed_at for accepted turns (gate: p95 <= 120 ms). */
  turnOpenDecisionSeconds: 'rspp_turn_open_decision_seconds',
  /** Histogram: first DataLane output - turn_open_at, happy-path turns (gate: p95 <= 1.5 s). */
  firstOutputSeconds: 'rspp_first_output_seconds',
  /** Histogram: cancel_fence_applied_at - cancel_accepted_at (gate: p95 <= 150 ms). */
  cancelFenceSeconds: 'rspp_cancel_fence_seconds',
  /**
   * Counter: `stale_epoch_reject` decisions of the session engines — ingress envelopes and turn
   * proposals carrying an epoch the session's lease does not hold (and in-engine dispatch checks).
   */
  staleEpochRejectedTotal: 'rspp_stale_epoch_rejections_total',
  /** Counter: outputs refused by the server's egress fence after a lease loss (stamped with an epoch no longer held). */
  staleEpochOutputsFencedTotal: 'rspp_stale_epoch_outputs_fenced_total',
  /** Counter: outputs accepted under a stale epoch (gate: must stay 0). */
  staleEpochAcceptedTotal: 'rspp_stale_epoch_outputs_accepted_total',
  /** Counter: accepted turns (turn_open emitted). */
  acceptedTurnsTotal: 'rspp_accepted_turns_total',
  /** Counter: accepted turns whose OR-02 baseline record is complete (completeness = this / accepted). */
  or02CompleteRecordsTotal: 'rspp_or02_complete_records_total',
  /** Counter, label `lane`: events shed by deterministic shedding (ControlLane must stay 0). */
  shedEventsTotal: 'rspp_shed_events_total',
  /** Counter, label `terminal` (commit|abort) and `reason`: turn terminals. */
  turnTerminalsTotal: 'rspp_turn_terminals_total',
  /** Gauge: sessions currently open on this process. */
  sessionsActive: 'rspp_sessions_active',
  /** Counter: sessions opened since start. */
  sessionsTotal: 'rspp_sessions_total',
  /** Gauge: 1 while this process holds its authority lease. */
  leaseHeld: 'rspp_lease_held',
  /** Gauge: current authority epoch held by this process. */
  leaseEpoch: 'rspp_lease_epoch',
  /** Gauge: 1 while draining. */
  draining: 'rspp_draining',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** Label value of the ControlLane in `rspp_shed_events_total{lane=...}`. */
export const LANE_LABEL_VALUES = ['ControlLane', 'DataLane', 'TelemetryLane'] as const;

/** SLO gate thresholds (turn-engine.md §11). Used by alerts, the gate runner and the bench. */
export const SLO_GATES = {
  turnOpenDecisionP95Ms: 120,
  firstOutputP95Ms: 1500,
  cancelFenceP95Ms: 150,
  staleEpochAcceptedMax: 0,
  or02CompletenessMin: 1.0,
  terminalCorrectnessMin: 1.0,
  /**
   * Runtime server CPU per ingress frame ÷ a bare `ws` JSON echo server's, same client, load and
   * pinning, same run (`npm run bench:load -- --baseline echo`): a ratio, so it holds on any machine.
   */
  serverCpuPerFrameVsEchoMax: 1.2,
} as const;

/** The MVP pipeline profile and transport. */
export const MVP_PROFILE = 'simple/v1';
export const MVP_TRANSPORT = 'livekit';

/** Labels every RSPP object carries (`app.kubernetes.io/part-of`). */
export const PART_OF = 'rspp';
export const MANAGED_BY = 'rspp-platform';

/** Environment variables the runtime reads (names shared with the construct that sets them). */
export const RUNTIME_ENV = {
  bundleDigest: 'RSPP_BUNDLE_DIGEST',
  profile: 'RSPP_PROFILE',
  drainSeconds: DRAIN_SECONDS_ENV,
  leaseStore: 'RSPP_LEASE_STORE', // "memory" | "etcd"
  etcdEndpoints: 'RSPP_ETCD_ENDPOINTS',
  etcdTlsDir: 'RSPP_ETCD_TLS_DIR',
  leaseTtlSeconds: 'RSPP_LEASE_TTL_SECONDS',
  controlPlaneUrl: 'RSPP_CONTROL_PLANE_URL',
  /** The process's own certificate directory (`ca.crt`, `tls.crt`, `tls.key`): mTLS between runtime and control plane. */
  tlsDir: 'RSPP_TLS_DIR',
  configFile: 'RSPP_CONFIG_FILE',
  region: 'RSPP_REGION',
  podName: 'RSPP_POD_NAME',
  namespace: 'RSPP_NAMESPACE',
  /** How the runtime server resolves each turn start: `embedded` or `control-plane` (default `control-plane` when `controlPlaneUrl` is set). */
  turnStartMode: 'RSPP_TURN_START',
  /** Tenant the runtime's sessions are admitted under by the control plane (CP-05). */
  tenantId: 'RSPP_TENANT_ID',
  /** Session WebSocket port of the runtime server (0 picks a free port). */
  sessionPort: 'RSPP_SESSION_PORT',
  /** Admin port of the runtime server: `/healthz`, `/readyz`, `/metrics` (0 picks a free port). */
  adminPort: 'RSPP_ADMIN_PORT',
  /**
   * Worker processes per pod sharing the session port (set by `RsppRuntime` from its CPU limit;
   * unset: the container's cgroup CPU limit, 1 without one).
   */
  workers: 'RSPP_WORKERS',
} as const;

/** Default lease TTL for runtime authority leases. */
export const DEFAULT_LEASE_TTL_SECONDS = 10;

/**
 * Young-generation semi-space of the runtime server process, MiB (`node --max-semi-space-size`).
 * The server allocates short-lived objects per frame; with Node's default (16 MiB) scavenges run
 * every few ms under load. 64 MiB cut server CPU per frame by ~16 % in the load bench
 * (runtime/server/README.md) for ~50-70 MiB more memory. The image's runtime command and the load
 * bench's server process both use it.
 */
export const RUNTIME_SEMI_SPACE_MIB = 64;

/** Node flags of the runtime server process (image `Cmd`, load bench server). */
export function runtimeNodeFlags(semiSpaceMiB: number = RUNTIME_SEMI_SPACE_MIB): string[] {
  return [`--max-semi-space-size=${semiSpaceMiB}`];
}
