/**
 * Alert rules for the MVP SLO gates (turn-engine.md §11), built from the one shared definition of
 * metric names (`METRICS`) and thresholds (`SLO_GATES`). Nothing here spells a metric name or a
 * threshold by hand: a rename in `runtime-interface.ts` changes the runtime and the alerts together.
 */
import { LANE_LABEL_VALUES, METRICS, SLO_GATES } from '../../runtime/contracts/runtime-interface';
import { AlertingRule } from '../crds/prometheus-operator';

export interface SloAlertOptions {
  /**
   * PromQL label matchers (without braces) added to every selector, e.g. `namespace="rspp-prod"`.
   * @default - no extra matchers
   */
  readonly matchers?: string;
  /**
   * Range over which latency quantiles and counter increases are computed.
   * @default '5m'
   */
  readonly window?: string;
  /**
   * Range for the OR-02 completeness ratio (longer, so a record finishing just after its turn is not a false alarm).
   * @default '15m'
   */
  readonly completenessWindow?: string;
  /**
   * How long a latency gate must be breached before the alert fires.
   * @default '10m'
   */
  readonly latencyFor?: string;
}

/** Label stamped on every SLO alert so routes can match the gate. */
export const SLO_GATE_LABEL = 'rspp_slo_gate';

/** The lane whose events must never be shed (first of the lanes, highest priority). */
const CONTROL_LANE: (typeof LANE_LABEL_VALUES)[number] = LANE_LABEL_VALUES[0];

const msToSeconds = (ms: number): number => ms / 1000;

function selector(metric: string, matchers: string, extra?: string): string {
  const all = [extra, matchers].filter((m) => m !== undefined && m !== '').join(',');
  return all === '' ? metric : `${metric}{${all}}`;
}

function p95(histogram: string, matchers: string, window: string): string {
  return `histogram_quantile(0.95, sum by (le) (rate(${selector(`${histogram}_bucket`, matchers)}[${window}])))`;
}

/** The six SLO gate alerts, in gate order. */
export function sloAlertRules(options: SloAlertOptions = {}): AlertingRule[] {
  const m = options.matchers ?? '';
  const w = options.window ?? '5m';
  const cw = options.completenessWindow ?? '15m';
  const latencyFor = options.latencyFor ?? '10m';
  const latency = (alert: string, gate: string, metric: string, thresholdMs: number, what: string): AlertingRule => ({
    alert,
    expr: `${p95(metric, m, w)} > ${msToSeconds(thresholdMs)}`,
    for: latencyFor,
    labels: { severity: 'critical', [SLO_GATE_LABEL]: gate },
    annotations: {
      summary: `${what} p95 above ${thresholdMs} ms`,
      description: `p95 of ${metric} over ${w} is {{ $value | humanizeDuration }}; the SLO gate is ${thresholdMs} ms.`,
    },
  });
  return [
    latency('RsppTurnOpenDecisionP95High', 'turn-open', METRICS.turnOpenDecisionSeconds, SLO_GATES.turnOpenDecisionP95Ms, 'Turn-open decision'),
    latency('RsppFirstOutputP95High', 'first-output', METRICS.firstOutputSeconds, SLO_GATES.firstOutputP95Ms, 'First output'),
    latency('RsppCancelFenceP95High', 'cancel-fence', METRICS.cancelFenceSeconds, SLO_GATES.cancelFenceP95Ms, 'Cancel fence'),
    {
      alert: 'RsppStaleEpochOutputAccepted',
      expr: `sum(increase(${selector(METRICS.staleEpochAcceptedTotal, m)}[${w}])) > ${SLO_GATES.staleEpochAcceptedMax}`,
      labels: { severity: 'critical', [SLO_GATE_LABEL]: 'stale-epoch' },
      annotations: {
        summary: 'An output carrying a stale authority epoch was accepted',
        description: `${METRICS.staleEpochAcceptedTotal} increased by {{ $value }} in ${w}; the gate allows ${SLO_GATES.staleEpochAcceptedMax}. Authority fencing is broken.`,
      },
    },
    {
      alert: 'RsppOr02CompletenessBelowTarget',
      expr:
        `(sum(increase(${selector(METRICS.or02CompleteRecordsTotal, m)}[${cw}])) / sum(increase(${selector(METRICS.acceptedTurnsTotal, m)}[${cw}])))` +
        ` < ${SLO_GATES.or02CompletenessMin}` +
        ` and sum(increase(${selector(METRICS.acceptedTurnsTotal, m)}[${cw}])) > 0`,
      for: w,
      labels: { severity: 'critical', [SLO_GATE_LABEL]: 'or02-completeness' },
      annotations: {
        summary: 'OR-02 baseline records incomplete for accepted turns',
        description: `Completeness over ${cw} is {{ $value | humanizePercentage }}; the gate is ${SLO_GATES.or02CompletenessMin * 100}%.`,
      },
    },
    {
      alert: 'RsppControlLaneShedding',
      expr: `sum(increase(${selector(METRICS.shedEventsTotal, m, `lane="${CONTROL_LANE}"`)}[${w}])) > 0`,
      labels: { severity: 'critical', [SLO_GATE_LABEL]: 'control-lane-shedding' },
      annotations: {
        summary: `Events were shed on the ${CONTROL_LANE}`,
        description: `${METRICS.shedEventsTotal}{lane="${CONTROL_LANE}"} increased by {{ $value }} in ${w}; control events must never be shed.`,
      },
    },
  ];
}
