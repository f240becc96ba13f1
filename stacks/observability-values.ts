/**
 * The values the stack passes to kube-prometheus-stack (issue #12 item 7 and the flavour's scrape
 * jobs): Alertmanager routes to the env's receivers (credentials from mounted Secrets, never in
 * values), Prometheus keeps its TSDB on a volume of the env's StorageClass in stage/prod, Grafana's
 * admin credentials come from a Secret, and control-plane scrape jobs a managed cluster cannot serve
 * are off. Keys as in the chart's values.yaml at the pinned version (65.1.1).
 */
import type { AlertReceiverConfig, EnvironmentConfig } from '../envs/environment-config';
import { clusterFlavourOf, storageClassOf } from '../envs/cluster-flavour';
import { DEFAULT_GRAFANA_DASHBOARD_LABEL } from '../constructs/observability-stack';

/** Namespace of the observability release. */
export const MONITORING_NAMESPACE = 'monitoring';
/** Secret with Grafana's admin user and password (written by the stack from an ephemeral variable). */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';
export const GRAFANA_ADMIN_KEYS = { user: 'admin-user', password: 'admin-password' } as const;
/** Prometheus TSDB volume per replica in stage/prod. */
export const PROMETHEUS_STORAGE_SIZE = '50Gi';
/** Where the Prometheus operator mounts `alertmanagerSpec.secrets`. */
const ALERTMANAGER_SECRETS_DIR = '/etc/alertmanager/secrets';

/** Key of the credential in a stack-written receiver Secret. */
export const RECEIVER_CREDENTIAL_KEY = 'credential';

/** The Secret (name, key) holding a receiver's credential: the env's existing one, or the one the stack writes. */
export function receiverSecret(receiver: AlertReceiverConfig): { readonly name: string; readonly key: string; readonly writtenByStack: boolean } {
  return receiver.existingSecret !== undefined
    ? { ...receiver.existingSecret, writtenByStack: false }
    : { name: `alertmanager-receiver-${receiver.name}`, key: RECEIVER_CREDENTIAL_KEY, writtenByStack: true };
}

/** Terraform variable carrying a receiver's credential when no existing Secret is named. */
export function receiverVariableName(receiver: AlertReceiverConfig): string {
  return `alert_receiver_${receiver.name.replaceAll('-', '_')}`;
}

function receiverConfig(receiver: AlertReceiverConfig): Record<string, unknown> {
  const { name, key } = receiverSecret(receiver);
  const file = `${ALERTMANAGER_SECRETS_DIR}/${name}/${key}`;
  switch (receiver.kind) {
    case 'webhook':
      return { name: receiver.name, webhook_configs: [{ url_file: file, send_resolved: true }] };
    case 'slack':
      return { name: receiver.name, slack_configs: [{ api_url_file: file, send_resolved: true, ...(receiver.channel ? { channel: receiver.channel } : {}) }] };
    case 'pagerduty':
      return { name: receiver.name, pagerduty_configs: [{ routing_key_file: file, send_resolved: true }] };
  }
}

export function observabilityValues(env: EnvironmentConfig): Record<string, unknown> {
  const flavour = clusterFlavourOf(env);
  const [[dashboardLabelKey, dashboardLabelValue]] = Object.entries(DEFAULT_GRAFANA_DASHBOARD_LABEL);
  const receivers = env.alerting.receivers;
  const storageClassName = storageClassOf(env);
  const values: Record<string, unknown> = {
    grafana: {
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: GRAFANA_ADMIN_KEYS.user, passwordKey: GRAFANA_ADMIN_KEYS.password },
      // The platform's Grafana dashboard is a ConfigMap in the platform namespace (ObservabilityStack):
      // let the Grafana sidecar find it there, by the label the construct stamps.
      sidecar: { dashboards: { enabled: true, label: dashboardLabelKey, labelValue: dashboardLabelValue, searchNamespace: 'ALL' } },
    },
    alertmanager: {
      alertmanagerSpec: { secrets: [...new Set(receivers.map((r) => receiverSecret(r).name))] },
      ...(receivers.length > 0
        ? {
            config: {
              route: {
                receiver: 'null',
                group_by: ['alertname', 'namespace'],
                // Watchdog is the always-firing heartbeat: kept off the receivers. Every other alert goes to every receiver.
                routes: [{ receiver: 'null', matchers: ['alertname = "Watchdog"'] }, ...receivers.map((r) => ({ receiver: r.name, continue: true }))],
              },
              receivers: [{ name: 'null' }, ...receivers.map(receiverConfig)],
            },
          }
        : {}),
    },
    ...Object.fromEntries(flavour.disabledScrapeJobs.map((job) => [job, { enabled: false }])),
  };
  if (env.highAvailability) {
    values.prometheus = {
      prometheusSpec: {
        storageSpec: {
          volumeClaimTemplate: {
            spec: {
              ...(storageClassName !== undefined ? { storageClassName } : {}),
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: PROMETHEUS_STORAGE_SIZE } },
            },
          },
        },
      },
    };
  }
  return values;
}
