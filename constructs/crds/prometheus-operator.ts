/**
 * Typed prometheus-operator custom resources (monitoring.coreos.com/v1): ServiceMonitor and
 * PrometheusRule. Only the fields the platform sets are typed; tests validate the output against
 * the upstream CRD schemas (`@kubernetes-models/prometheus-operator`).
 */
import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';

export const PROMETHEUS_OPERATOR_API_VERSION = 'monitoring.coreos.com/v1';

/** A Prometheus duration (`30s`, `5m`, `1h`). */
export type PrometheusDuration = string;
const DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

export interface ServiceMonitorTlsConfig {
  readonly ca?: { readonly secret: { readonly name: string; readonly key: string } };
  readonly cert?: { readonly secret: { readonly name: string; readonly key: string } };
  readonly keySecret?: { readonly name: string; readonly key: string };
  readonly serverName?: string;
}

export interface ServiceMonitorEndpoint {
  /** Named Service port to scrape. */
  readonly port: string;
  /** @default '/metrics' */
  readonly path?: string;
  /** @default 'http' */
  readonly scheme?: 'http' | 'https';
  readonly interval?: PrometheusDuration;
  readonly scrapeTimeout?: PrometheusDuration;
  readonly tlsConfig?: ServiceMonitorTlsConfig;
}

export interface ServiceMonitorSpec {
  readonly selector: { readonly matchLabels: Record<string, string> };
  readonly namespaceSelector?: { readonly matchNames: readonly string[] };
  readonly endpoints: readonly ServiceMonitorEndpoint[];
  /** Service labels copied onto the scraped series. */
  readonly targetLabels?: readonly string[];
}

export interface AlertingRule {
  readonly alert: string;
  /** PromQL expression; the alert fires while it returns series. */
  readonly expr: string;
  /** How long the expression must hold before firing. */
  readonly for?: PrometheusDuration;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: PrometheusDuration;
  readonly rules: ReadonlyArray<AlertingRule | RecordingRule>;
}

export interface PrometheusRuleSpec {
  readonly groups: readonly RuleGroup[];
}

export interface ServiceMonitorProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: ServiceMonitorSpec;
}

export interface PrometheusRuleProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: PrometheusRuleSpec;
}

function checkDuration(where: string, value: string | undefined): void {
  if (value !== undefined && (value === '' || !DURATION.test(value))) {
    throw new Error(`${where}: "${value}" is not a Prometheus duration (e.g. 30s, 5m, 1h)`);
  }
}

/** prometheus-operator `ServiceMonitor`. */
export class ServiceMonitor extends ApiObject {
  public static readonly GVK = { apiVersion: PROMETHEUS_OPERATOR_API_VERSION, kind: 'ServiceMonitor' } as const;
  public constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    if (props.spec.endpoints.length === 0) {
      throw new Error(`ServiceMonitor "${id}": spec.endpoints must name at least one port`);
    }
    if (Object.keys(props.spec.selector.matchLabels).length === 0) {
      throw new Error(`ServiceMonitor "${id}": spec.selector.matchLabels must not be empty (it would select every Service)`);
    }
    props.spec.endpoints.forEach((e, i) => {
      checkDuration(`ServiceMonitor "${id}" spec.endpoints[${i}].interval`, e.interval);
      checkDuration(`ServiceMonitor "${id}" spec.endpoints[${i}].scrapeTimeout`, e.scrapeTimeout);
    });
    super(scope, id, { ...ServiceMonitor.GVK, metadata: props.metadata, spec: props.spec });
  }
}

/** prometheus-operator `PrometheusRule`. */
export class PrometheusRule extends ApiObject {
  public static readonly GVK = { apiVersion: PROMETHEUS_OPERATOR_API_VERSION, kind: 'PrometheusRule' } as const;
  public constructor(scope: Construct, id: string, props: PrometheusRuleProps) {
    const seen = new Set<string>();
    for (const group of props.spec.groups) {
      if (seen.has(group.name)) throw new Error(`PrometheusRule "${id}": duplicate group name "${group.name}"`);
      seen.add(group.name);
      checkDuration(`PrometheusRule "${id}" group "${group.name}" interval`, group.interval);
      for (const rule of group.rules) {
        if (rule.expr.trim() === '') throw new Error(`PrometheusRule "${id}" group "${group.name}": empty expr`);
        if ('alert' in rule) checkDuration(`PrometheusRule "${id}" alert "${rule.alert}" for`, rule.for);
      }
    }
    super(scope, id, { ...PrometheusRule.GVK, metadata: props.metadata, spec: props.spec });
  }
}
