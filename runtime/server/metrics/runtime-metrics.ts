/**
 * The runtime's metric set, named exactly as `METRICS` in the shared runtime interface (the
 * ObservabilityStack's alert rules and dashboards query these names). Every series the hot path
 * touches is resolved here once, so recording is a field access and an add.
 */
import { LANE_LABEL_VALUES, METRICS } from '../../contracts/runtime-interface';
import {
  Counter,
  CounterSeries,
  Gauge,
  Histogram,
  MetricsRegistry,
} from './metrics-registry';

export type LaneLabel = (typeof LANE_LABEL_VALUES)[number];

/** Terminal label values of `rspp_turn_terminals_total{terminal=...}`. */
export type TerminalLabel = 'commit' | 'abort';

export class RuntimeMetrics {
  readonly registry = new MetricsRegistry();

  readonly turnOpenDecisionSeconds: Histogram;
  readonly firstOutputSeconds: Histogram;
  readonly cancelFenceSeconds: Histogram;
  readonly staleEpochRejectedTotal: Counter;
  readonly staleEpochOutputsFencedTotal: Counter;
  /** Not an SLO figure: connections closed with `4008 egress_budget_exceeded`. */
  readonly egressBudgetClosesTotal: Counter;
  readonly staleEpochAcceptedTotal: Counter;
  readonly acceptedTurnsTotal: Counter;
  readonly or02CompleteRecordsTotal: Counter;
  readonly shedEventsTotal: Counter;
  readonly turnTerminalsTotal: Counter;
  readonly sessionsActive: Gauge;
  readonly sessionsTotal: Counter;
  readonly leaseHeld: Gauge;
  readonly leaseEpoch: Gauge;
  readonly draining: Gauge;
  /** Not an SLO figure: frames refused at ingress (decode/protocol errors), by error code. */
  readonly ingressErrorsTotal: Counter;
  /**
   * Not an SLO figure: per-turn `POST /v1/turn-start` requests (control-plane turn-start mode) by
   * outcome: `answered` (valid bundle applied), `failed` (timeout/HTTP error/invalid answer → step-5
   * failure applied), `discarded` (the answer came after the session closed or the turn moved on).
   */
  readonly turnStartRequestsTotal: Counter;
  /** Not an SLO figure: round trip of `POST /v1/turn-start`, seconds. */
  readonly turnStartRequestSeconds: Histogram;

  private readonly shedByLane: Record<LaneLabel, CounterSeries>;

  constructor() {
    const r = this.registry;
    this.turnOpenDecisionSeconds = r.histogram(
      METRICS.turnOpenDecisionSeconds,
      'Turn-open decision latency (turn_open_at - turn_open_proposed_at) of accepted turns, seconds.',
    );
    this.firstOutputSeconds = r.histogram(
      METRICS.firstOutputSeconds,
      'First DataLane output after turn_open on happy-path turns, seconds.',
    );
    this.cancelFenceSeconds = r.histogram(
      METRICS.cancelFenceSeconds,
      'Cancel fence latency (cancel_fence_applied_at - cancel_accepted_at), seconds.',
    );
    this.staleEpochRejectedTotal = r.counter(
      METRICS.staleEpochRejectedTotal,
      'stale_epoch_reject decisions: ingress envelopes and turn proposals carrying an epoch the lease does not hold.',
    );
    this.staleEpochOutputsFencedTotal = r.counter(METRICS.staleEpochOutputsFencedTotal, 'Outputs refused by the egress fence after a lease loss.');
    this.egressBudgetClosesTotal = r.counter(
      'rspp_egress_budget_closes_total',
      'Connections closed (4008) after staying over their egress byte budget longer than the bound.',
    );
    this.staleEpochAcceptedTotal = r.counter(METRICS.staleEpochAcceptedTotal, 'Outputs accepted under a stale authority epoch (must stay 0).');
    this.acceptedTurnsTotal = r.counter(METRICS.acceptedTurnsTotal, 'Accepted turns (turn_open emitted).');
    this.or02CompleteRecordsTotal = r.counter(METRICS.or02CompleteRecordsTotal, 'Accepted turns whose OR-02 baseline record is complete.');
    this.shedEventsTotal = r.counter(METRICS.shedEventsTotal, 'Events shed by deterministic shedding, by lane.', ['lane']);
    this.turnTerminalsTotal = r.counter(METRICS.turnTerminalsTotal, 'Turn terminals by terminal (commit|abort) and reason.', ['terminal', 'reason']);
    this.sessionsActive = r.gauge(METRICS.sessionsActive, 'Sessions currently open on this process.');
    this.sessionsTotal = r.counter(METRICS.sessionsTotal, 'Sessions opened since start.');
    this.leaseHeld = r.gauge(METRICS.leaseHeld, '1 while this process holds its authority lease.');
    this.leaseEpoch = r.gauge(METRICS.leaseEpoch, 'Authority epoch currently held by this process.');
    this.draining = r.gauge(METRICS.draining, '1 while draining.');
    this.ingressErrorsTotal = r.counter('rspp_ingress_frame_errors_total', 'Ingress frames refused with an error frame, by error code.', ['code']);
    this.turnStartRequestsTotal = r.counter('rspp_turn_start_requests_total', 'Control-plane turn-start requests, by outcome (answered|failed|discarded).', ['outcome']);
    this.turnStartRequestSeconds = r.histogram('rspp_turn_start_request_seconds', 'Round trip of POST /v1/turn-start to the control plane, seconds.');

    // Pre-create every lane series so all three are exported (at 0) from the first scrape:
    // an alert on ControlLane shedding must see the series before the first shed happens.
    const shedByLane = {} as Record<LaneLabel, CounterSeries>;
    for (const lane of LANE_LABEL_VALUES) shedByLane[lane] = this.shedEventsTotal.labels(lane);
    this.shedByLane = shedByLane;
  }

  shed(lane: LaneLabel, count = 1): void {
    this.shedByLane[lane].inc(count);
  }

  /** Sets the shed total of a lane from a cumulative source (engine counters, at scrape time). */
  collectShed(lane: LaneLabel, total: number): void {
    this.shedByLane[lane].collect(total);
  }

  terminal(terminal: TerminalLabel, reason: string): void {
    this.turnTerminalsTotal.labels(terminal, reason).inc();
  }

  render(): string {
    return this.registry.render();
  }
}
