/**
 * `ObservabilityStack`: how the platform is watched.
 *
 * - one ServiceMonitor per scrape target (runtime, control plane, etcd), and the NetworkPolicies
 *   that let Prometheus reach exactly those ports (flow registry);
 * - a PrometheusRule alerting on the MVP SLO gates, built from `METRICS` and `SLO_GATES`
 *   (`observability/slo-alert-rules.ts`);
 * - the Grafana dashboard as a ConfigMap labelled for the Grafana sidecar;
 *
 * The Prometheus operator, Prometheus, Grafana and the collector themselves are installed by the
 * observability backend (kube-prometheus-stack, Terraform stack); this construct only describes
 * what they should do for RSPP.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PATHS } from '../runtime/contracts/runtime-interface';
import { assertPeer, NAMESPACE_NAME_LABEL } from './common/network-policy';
import { PrometheusRule, ServiceMonitor } from './crds/prometheus-operator';
import { MtlsBaseline } from './mtls-baseline';
import { externalPeer, FlowPeerSelector, IFlowEndpoint } from './network-flows';
import { rsppDashboard } from './observability/grafana-dashboard';
import { sloAlertRules } from './observability/slo-alert-rules';

/** Something Prometheus scrapes: a Service (selected by labels) and its named metrics port. */
export interface ScrapeTarget {
  /** Short name, used in object names (`rspp-<name>`). */
  readonly name: string;
  /** The workload behind the Service (for the Prometheus → workload NetworkPolicy). */
  readonly workload: IFlowEndpoint;
  /** Labels of the Service(s) to scrape. */
  readonly serviceLabels: Readonly<Record<string, string>>;
  /** Named Service port serving metrics. */
  readonly portName: string;
  /** Container port number behind `portName` (NetworkPolicies match numbers). */
  readonly port: number;
  /** @default PATHS.metrics */
  readonly path?: string;
}

/** A construct that can be scraped. */
export interface IScrapeable {
  readonly scrapeTarget: ScrapeTarget;
}

/** The label the Grafana dashboard sidecar of kube-prometheus-stack looks for (its default). */
export const DEFAULT_GRAFANA_DASHBOARD_LABEL: Readonly<Record<string, string>> = { grafana_dashboard: '1' };

export interface ObservabilityStackProps {
  readonly tls: MtlsBaseline;
  /** What to scrape. At least one. */
  readonly targets: readonly ScrapeTarget[];
  /**
   * Value of the `release` label the Prometheus instance selects ServiceMonitors and PrometheusRules by.
   * @default 'kube-prometheus-stack'
   */
  readonly prometheusReleaseLabel?: string;
  /**
   * Where Prometheus runs, for the NetworkPolicy admitting its scrapes.
   * @default { namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' }, podLabels: { 'app.kubernetes.io/name': 'prometheus' } }
   */
  readonly prometheusPeer?: Required<FlowPeerSelector>;
  /**
   * Scrape interval.
   * @default '30s'
   */
  readonly scrapeInterval?: string;
  /**
   * Label (key and value) the Grafana sidecar discovers dashboards by.
   * @default { grafana_dashboard: '1' }
   */
  readonly grafanaDashboardLabel?: Readonly<Record<string, string>>;
}

export class ObservabilityStack extends Construct {
  public readonly serviceMonitorNames: readonly string[];
  public readonly prometheusRuleName: string;
  public readonly dashboardConfigMapName: string;

  public constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id);
    const where = `ObservabilityStack(${id})`;
    const tls = props.tls;
    const ns = tls.namespace;
    if (props.targets.length === 0) throw new Error(`${where}: props.targets must list at least one scrape target`);
    const names = new Set<string>();
    props.targets.forEach((t, i) => {
      if (names.has(t.name)) throw new Error(`${where}: props.targets[${i}].name "${t.name}" is listed twice`);
      names.add(t.name);
      if (Object.keys(t.serviceLabels).length === 0) throw new Error(`${where}: props.targets[${i}].serviceLabels must not be empty (it would scrape every Service)`);
    });
    const release = props.prometheusReleaseLabel ?? 'kube-prometheus-stack';
    const prometheusPeer = props.prometheusPeer ?? {
      namespaceLabels: { [NAMESPACE_NAME_LABEL]: 'monitoring' },
      podLabels: { 'app.kubernetes.io/name': 'prometheus' },
    };
    assertPeer(where, 'props.prometheusPeer', prometheusPeer);
    const dashboardLabel = props.grafanaDashboardLabel ?? DEFAULT_GRAFANA_DASHBOARD_LABEL;
    if (Object.keys(dashboardLabel).length !== 1) throw new Error(`${where}: props.grafanaDashboardLabel must be exactly one label (key: value)`);
    const labels = tls.labelsFor('observability', where);
    const promLabels = { ...labels, release };

    const prometheus = externalPeer('prometheus', prometheusPeer);
    this.serviceMonitorNames = props.targets.map((t) => {
      const name = `rspp-${t.name}`;
      new ServiceMonitor(this, `service-monitor-${t.name}`, {
        metadata: { name, namespace: ns, labels: promLabels },
        spec: {
          selector: { matchLabels: { ...t.serviceLabels } },
          namespaceSelector: { matchNames: [ns] },
          endpoints: [{ port: t.portName, path: t.path ?? PATHS.metrics, scheme: 'http', interval: props.scrapeInterval ?? '30s' }],
        },
      });
      tls.flows.allow(prometheus, t.workload, [t.port], `Prometheus scrapes ${t.name} metrics`);
      return name;
    });

    this.prometheusRuleName = 'rspp-slo-gates';
    new PrometheusRule(this, 'slo-rules', {
      metadata: { name: this.prometheusRuleName, namespace: ns, labels: promLabels },
      spec: { groups: [{ name: 'rspp-slo-gates', interval: '1m', rules: sloAlertRules({ matchers: `namespace="${ns}"` }) }] },
    });

    this.dashboardConfigMapName = 'rspp-grafana-dashboard';
    const dashboard = rsppDashboard({ uid: `rspp-${tls.instance}`.slice(0, 40), title: `RSPP SLO gates (${tls.instance})`, namespace: ns });
    new k8s.KubeConfigMap(this, 'dashboard', {
      metadata: { name: this.dashboardConfigMapName, namespace: ns, labels: { ...labels, ...dashboardLabel } },
      data: { 'rspp-slo-gates.json': JSON.stringify(dashboard, null, 2) },
    });

    // No OpenTelemetry collector configuration: the runtime exports no OTLP (metrics are scraped by
    // Prometheus through the ServiceMonitors above), and the config pointed at a collector nobody
    // installs (`otel-gateway.monitoring.svc`). Issue #12 item 8: removed rather than deploy an idle collector.
  }
}
