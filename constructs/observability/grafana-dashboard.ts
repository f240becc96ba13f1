/**
 * The RSPP Grafana dashboard, built from `METRICS` and `SLO_GATES` so its queries and threshold
 * lines can never drift from what the runtime exports or what the alerts enforce.
 * Output is plain Grafana dashboard JSON (schemaVersion 39), loaded by the Grafana sidecar from a
 * labelled ConfigMap (see `ObservabilityStack`).
 */
import { LANE_LABEL_VALUES, METRICS, SLO_GATES } from '../../runtime/contracts/runtime-interface';

export interface DashboardOptions {
  /** Dashboard uid (stable, so links survive re-imports). */
  readonly uid: string;
  readonly title: string;
  /** Namespace the platform runs in; every query is scoped to it. */
  readonly namespace: string;
}

interface Panel {
  readonly id: number;
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly gridPos: { h: number; w: number; x: number; y: number };
  readonly datasource: { type: 'prometheus'; uid: string };
  readonly targets: ReadonlyArray<{ refId: string; expr: string; legendFormat: string }>;
  readonly fieldConfig: unknown;
  readonly options?: unknown;
}

const DS = { type: 'prometheus' as const, uid: '${datasource}' };

function thresholds(unit: string, limit: number | undefined, min?: number) {
  return {
    defaults: {
      unit,
      ...(min !== undefined ? { min } : {}),
      thresholds: {
        mode: 'absolute',
        steps: limit === undefined ? [{ color: 'green', value: null }] : [{ color: 'green', value: null }, { color: 'red', value: limit }],
      },
      custom: limit === undefined ? {} : { thresholdsStyle: { mode: 'line' } },
    },
    overrides: [],
  };
}

/** Build the dashboard JSON model. */
export function rsppDashboard(options: DashboardOptions): Record<string, unknown> {
  const ns = `namespace="${options.namespace}"`;
  const p95 = (metric: string) => `histogram_quantile(0.95, sum by (le) (rate(${metric}_bucket{${ns}}[5m])))`;
  const panels: Panel[] = [];
  const add = (type: Panel['type'], title: string, exprs: Array<[string, string]>, fieldConfig: unknown) => {
    const i = panels.length;
    panels.push({
      id: i + 1,
      type,
      title,
      gridPos: { h: 8, w: 8, x: (i % 3) * 8, y: Math.floor(i / 3) * 8 },
      datasource: DS,
      targets: exprs.map(([expr, legendFormat], j) => ({ refId: String.fromCharCode(65 + j), expr, legendFormat })),
      fieldConfig,
    });
  };
  add('timeseries', `Turn-open decision p95 (gate ${SLO_GATES.turnOpenDecisionP95Ms} ms)`, [[p95(METRICS.turnOpenDecisionSeconds), 'p95']], thresholds('s', SLO_GATES.turnOpenDecisionP95Ms / 1000));
  add('timeseries', `First output p95 (gate ${SLO_GATES.firstOutputP95Ms} ms)`, [[p95(METRICS.firstOutputSeconds), 'p95']], thresholds('s', SLO_GATES.firstOutputP95Ms / 1000));
  add('timeseries', `Cancel fence p95 (gate ${SLO_GATES.cancelFenceP95Ms} ms)`, [[p95(METRICS.cancelFenceSeconds), 'p95']], thresholds('s', SLO_GATES.cancelFenceP95Ms / 1000));
  add('stat', 'Stale-epoch outputs accepted (must be 0)', [[`sum(increase(${METRICS.staleEpochAcceptedTotal}{${ns}}[$__range]))`, 'accepted']], thresholds('short', SLO_GATES.staleEpochAcceptedMax + 1));
  add(
    'timeseries',
    'Stale-epoch rejections and fenced outputs /s',
    [
      [`sum(rate(${METRICS.staleEpochRejectedTotal}{${ns}}[5m]))`, 'ingress rejected'],
      [`sum(rate(${METRICS.staleEpochOutputsFencedTotal}{${ns}}[5m]))`, 'outputs fenced'],
    ],
    thresholds('ops', undefined),
  );
  add('stat', `OR-02 completeness (gate ${SLO_GATES.or02CompletenessMin * 100}%)`, [[`sum(increase(${METRICS.or02CompleteRecordsTotal}{${ns}}[$__range])) / sum(increase(${METRICS.acceptedTurnsTotal}{${ns}}[$__range]))`, 'completeness']], thresholds('percentunit', undefined, 0));
  add('timeseries', 'Shed events /s by lane', LANE_LABEL_VALUES.map((lane) => [`sum(rate(${METRICS.shedEventsTotal}{${ns},lane="${lane}"}[5m]))`, lane] as [string, string]), thresholds('ops', undefined));
  add('timeseries', 'Turn terminals /s', [[`sum by (terminal, reason) (rate(${METRICS.turnTerminalsTotal}{${ns}}[5m]))`, '{{terminal}} {{reason}}']], thresholds('ops', undefined));
  add('timeseries', 'Sessions', [[`sum(${METRICS.sessionsActive}{${ns}})`, 'active'], [`sum(rate(${METRICS.sessionsTotal}{${ns}}[5m]))`, 'opened /s']], thresholds('short', undefined));
  add('timeseries', 'Authority leases', [[`sum(${METRICS.leaseHeld}{${ns}})`, 'held'], [`max(${METRICS.leaseEpoch}{${ns}})`, 'max epoch']], thresholds('short', undefined));
  add('timeseries', 'Draining processes', [[`sum(${METRICS.draining}{${ns}})`, 'draining']], thresholds('short', undefined));
  add('timeseries', 'Accepted turns /s', [[`sum(rate(${METRICS.acceptedTurnsTotal}{${ns}}[5m]))`, 'accepted']], thresholds('ops', undefined));

  return {
    uid: options.uid,
    title: options.title,
    tags: ['rspp', 'slo'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source', hide: 0 }],
    },
    panels,
  };
}
