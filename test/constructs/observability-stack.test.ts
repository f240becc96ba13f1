import { Testing } from 'cdk8s';
import { LANE_LABEL_VALUES, METRICS, PATHS, SLO_GATES } from '../../runtime/contracts/runtime-interface';
import { PrometheusRule, ServiceMonitor } from '../../constructs/crds';
import { MtlsBaseline } from '../../constructs/mtls-baseline';
import { IFlowEndpoint } from '../../constructs/network-flows';
import { ObservabilityStack, ObservabilityStackProps, ScrapeTarget } from '../../constructs/observability-stack';
import { SLO_GATE_LABEL, sloAlertRules } from '../../constructs/observability/slo-alert-rules';
import { RuntimeMetrics } from '../../runtime/server/metrics/runtime-metrics';
import { byKind, metricFamiliesIn, named, schemaProblem } from './platform-invariants.support';

const NS = 'rspp-test';
const runtime: IFlowEndpoint = { flowName: 'runtime', flowPeer: { podLabels: { app: 'runtime' } } };
const TARGETS: ScrapeTarget[] = [{ name: 'runtime', workload: runtime, serviceLabels: { app: 'runtime' }, portName: 'admin', port: 9090 }];

function synth(props: Partial<ObservabilityStackProps> = {}) {
  const chart = Testing.chart();
  const tls = new MtlsBaseline(chart, 'tls', { namespace: NS });
  const stack = new ObservabilityStack(chart, 'obs', { tls, targets: TARGETS, ...props });
  return { stack, tls, objects: Testing.synth(chart) };
}

const METRIC_NAMES = new Set<string>(Object.values(METRICS));
/** Metric families the runtime really exports: its registry's `# TYPE` lines. */
function exportedFamilies(): Map<string, string> {
  const text = new RuntimeMetrics().registry.render();
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
}

describe('ObservabilityStack', () => {
  test('snapshot', () => {
    const { objects } = synth();
    expect(objects.filter((o) => ['ServiceMonitor', 'PrometheusRule', 'ConfigMap'].includes(o.kind))).toMatchSnapshot();
  });

  test('a ServiceMonitor per target, selected by the Prometheus release label, scraping the named port at /metrics', () => {
    const target2: ScrapeTarget = { name: 'etcd', workload: { flowName: 'etcd', flowPeer: { podLabels: { app: 'etcd' } } }, serviceLabels: { app: 'etcd' }, portName: 'metrics', port: 2381 };
    const { objects, stack } = synth({ targets: [...TARGETS, target2], prometheusReleaseLabel: 'kps' });
    const monitors = byKind(objects, 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name)).toEqual(['rspp-runtime', 'rspp-etcd']);
    expect(stack.serviceMonitorNames).toEqual(['rspp-runtime', 'rspp-etcd']);
    for (const m of monitors) {
      expect(m.metadata.labels.release).toBe('kps');
      expect(m.spec.namespaceSelector).toEqual({ matchNames: [NS] });
      expect(m.spec.endpoints[0].path).toBe(PATHS.metrics);
    }
    expect(monitors[1].spec).toMatchObject({ selector: { matchLabels: { app: 'etcd' } }, endpoints: [{ port: 'metrics' }] });
  });

  test('Prometheus may reach each metrics port, and only that port (ingress from the monitoring namespace)', () => {
    const { objects } = synth();
    const policy = named(objects, 'NetworkPolicy', 'allow-ingress-runtime-from-prometheus');
    expect(policy.spec.podSelector.matchLabels).toEqual({ app: 'runtime' });
    expect(policy.spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      ports: [{ port: 9090, protocol: 'TCP' }],
    }]);
  });

  test('SLO alerts: one per gate, thresholds from SLO_GATES in seconds, metric names from METRICS', () => {
    const rule = byKind(synth().objects, 'PrometheusRule')[0];
    const alerts = rule.spec.groups[0].rules;
    const byGate = Object.fromEntries(alerts.map((a: any) => [a.labels[SLO_GATE_LABEL], a]));
    expect(Object.keys(byGate).sort()).toEqual(['cancel-fence', 'control-lane-shedding', 'first-output', 'or02-completeness', 'stale-epoch', 'turn-open']);
    const latency: Array<[string, string, number]> = [
      ['turn-open', METRICS.turnOpenDecisionSeconds, SLO_GATES.turnOpenDecisionP95Ms],
      ['first-output', METRICS.firstOutputSeconds, SLO_GATES.firstOutputP95Ms],
      ['cancel-fence', METRICS.cancelFenceSeconds, SLO_GATES.cancelFenceP95Ms],
    ];
    for (const [gate, metric, ms] of latency) {
      const expr: string = byGate[gate].expr;
      expect(expr).toContain(`histogram_quantile(0.95,`);
      expect(expr).toContain(`${metric}_bucket{namespace="${NS}"}`);
      const threshold = Number(/> ([0-9.]+)$/.exec(expr)![1]);
      expect(threshold).toBeCloseTo(ms / 1000, 9);
    }
    expect(byGate['stale-epoch'].expr).toBe(`sum(increase(${METRICS.staleEpochAcceptedTotal}{namespace="${NS}"}[5m])) > ${SLO_GATES.staleEpochAcceptedMax}`);
    expect(byGate['or02-completeness'].expr).toContain(`< ${SLO_GATES.or02CompletenessMin}`);
    expect(byGate['or02-completeness'].expr).toContain(METRICS.or02CompleteRecordsTotal);
    expect(byGate['or02-completeness'].expr).toContain(METRICS.acceptedTurnsTotal);
    expect(byGate['control-lane-shedding'].expr).toContain(`${METRICS.shedEventsTotal}{lane="${LANE_LABEL_VALUES[0]}",namespace="${NS}"}`);
  });

  test('every alert and dashboard query reads only metrics in METRICS, and the runtime exports each of them with the right type', () => {
    const { objects } = synth();
    const exported = exportedFamilies();
    const alertExprs: string[] = byKind(objects, 'PrometheusRule')[0].spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr));
    const dashboard = JSON.parse(named(objects, 'ConfigMap', 'rspp-grafana-dashboard').data['rspp-slo-gates.json']);
    const panelExprs: string[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
    const used = new Set([...alertExprs, ...panelExprs].flatMap(metricFamiliesIn));
    expect(used.size).toBeGreaterThanOrEqual(10);
    for (const family of used) {
      expect(METRIC_NAMES.has(family)).toBe(true);
      expect(exported.has(family)).toBe(true);
    }
    for (const expr of [...alertExprs, ...panelExprs]) {
      for (const m of expr.matchAll(/\b(rspp_[a-z0-9_]+)_bucket\b/g)) expect(exported.get(m[1])).toBe('histogram');
      for (const m of expr.matchAll(/\b(rspp_[a-z0-9_]+_total)\b/g)) expect(exported.get(m[1])).toBe('counter');
    }
    // The ControlLane series the shedding alert reads is pre-registered, so it exists (at 0) before any shedding.
    expect(new RuntimeMetrics().registry.render()).toContain(`${METRICS.shedEventsTotal}{lane="${LANE_LABEL_VALUES[0]}"}`);
  });

  test('alert expressions are well formed: balanced brackets and quotes, a comparison, no unknown functions', () => {
    const known = new Set(['histogram_quantile', 'sum', 'rate', 'increase', 'by', 'and']);
    for (const rule of sloAlertRules({ matchers: 'namespace="x"' })) {
      let depth = 0;
      for (const ch of rule.expr.replace(/"[^"]*"/g, '')) {
        if ('({['.includes(ch)) depth++;
        if (')}]'.includes(ch)) depth--;
        expect(depth).toBeGreaterThanOrEqual(0);
      }
      expect(depth).toBe(0);
      expect(rule.expr).toMatch(/ (>|<) [0-9.]+/);
      for (const fn of rule.expr.matchAll(/\b([a-z_]+)\s*\(/g)) expect(known.has(fn[1])).toBe(true);
    }
  });

  test('the Grafana dashboard is a ConfigMap labelled for the sidecar, with valid dashboard JSON and threshold lines at the gates', () => {
    const { objects } = synth({ grafanaDashboardLabel: { grafana_dashboard: 'rspp' } });
    const cm = named(objects, 'ConfigMap', 'rspp-grafana-dashboard');
    expect(cm.metadata.labels.grafana_dashboard).toBe('rspp');
    const dashboard = JSON.parse(cm.data['rspp-slo-gates.json']);
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(new Set(dashboard.panels.map((p: any) => p.id)).size).toBe(dashboard.panels.length);
    const thresholds = dashboard.panels.flatMap((p: any) => p.fieldConfig.defaults.thresholds.steps.map((s: any) => s.value)).filter((v: any) => v !== null);
    expect(thresholds).toEqual(expect.arrayContaining([SLO_GATES.turnOpenDecisionP95Ms / 1000, SLO_GATES.firstOutputP95Ms / 1000, SLO_GATES.cancelFenceP95Ms / 1000]));
  });

  test('ships no OpenTelemetry collector configuration (nothing exports OTLP; no collector is installed)', () => {
    const { objects } = synth();
    expect(objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name)).toEqual(['rspp-grafana-dashboard']);
    expect(JSON.stringify(objects)).not.toMatch(/otel|otlp/i);
  });

  test('every object passes the prometheus-operator and Kubernetes schemas', () => {
    expect(synth().objects.map(schemaProblem).filter(Boolean)).toEqual([]);
  });

  describe('bad props', () => {
    test.each<[string, Partial<ObservabilityStackProps>, RegExp]>([
      ['no targets', { targets: [] }, /props.targets must list at least one scrape target/],
      ['a target twice', { targets: [TARGETS[0], TARGETS[0]] }, /props.targets\[1\].name "runtime" is listed twice/],
      ['a target selecting every Service', { targets: [{ ...TARGETS[0], serviceLabels: {} }] }, /props.targets\[0\].serviceLabels must not be empty/],
      ['Prometheus peer without namespace', { prometheusPeer: { namespaceLabels: {}, podLabels: { a: 'b' } } }, /props.prometheusPeer.namespaceLabels must not be empty/],
      ['two dashboard labels', { grafanaDashboardLabel: { a: '1', b: '1' } }, /props.grafanaDashboardLabel must be exactly one label/],
      ['bad scrape interval', { scrapeInterval: 'often' }, /"often" is not a Prometheus duration/],
    ])('%s', (_name, props, message) => {
      expect(() => synth(props)).toThrow(message);
    });
  });

  describe('typed prometheus-operator resources (constructs/crds)', () => {
    const endpoint = { port: 'admin' };
    test.each<[string, () => unknown, RegExp]>([
      ['a ServiceMonitor without endpoints', () => new ServiceMonitor(Testing.chart(), 's', { spec: { selector: { matchLabels: { a: 'b' } }, endpoints: [] } }), /spec.endpoints must name at least one port/],
      ['a ServiceMonitor selecting every Service', () => new ServiceMonitor(Testing.chart(), 's', { spec: { selector: { matchLabels: {} }, endpoints: [endpoint] } }), /matchLabels must not be empty/],
      ['a bad scrape timeout', () => new ServiceMonitor(Testing.chart(), 's', { spec: { selector: { matchLabels: { a: 'b' } }, endpoints: [{ ...endpoint, scrapeTimeout: '5 seconds' }] } }), /scrapeTimeout: "5 seconds" is not a Prometheus duration/],
      ['duplicate rule groups', () => new PrometheusRule(Testing.chart(), 'r', { spec: { groups: [{ name: 'g', rules: [] }, { name: 'g', rules: [] }] } }), /duplicate group name "g"/],
      ['an empty expression', () => new PrometheusRule(Testing.chart(), 'r', { spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: ' ' }] }] } }), /group "g": empty expr/],
      ['a bad "for"', () => new PrometheusRule(Testing.chart(), 'r', { spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up', for: '10 minutes' }] }] } }), /alert "A" for: "10 minutes"/],
    ])('%s is rejected', (_name, act, message) => {
      expect(act).toThrow(message);
    });
  });
});
