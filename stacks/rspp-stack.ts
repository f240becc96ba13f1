/**
 * `RsppStack`: one Terraform stack per env (named exactly `dev`, `stage`, `prod`, so
 * `npx cdktf deploy prod` deploys prod). It installs, each step `depends_on` the previous one:
 *   1. cert-manager (CRDs on)                — the platform's issuers and certificates need it
 *   2. kube-prometheus-stack                 — ServiceMonitor/PrometheusRule CRDs and Prometheus,
 *                                              Alertmanager receivers, Grafana admin from a Secret
 *   2b. metrics-server, when the cluster flavour ships no metrics API (EKS, kind) — the runtime HPA
 *   3. LiveKit server (+ Valkey when > 1 node) — the transport, in its own exempted namespace
 *   4. rspp-platform, the chart generated from the constructs, with the env's values.
 * Timeouts follow the cold-start chain (`release-timeouts.ts`).
 */
import { Release } from '@cdktf/provider-helm/lib/release';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { ITerraformDependable, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import type { EnvironmentConfig } from '../envs/environment-config';
import { CERT_MANAGER_CHART, KUBE_PROMETHEUS_STACK_CHART } from './chart-pins';
import { ClusterAccess, configureClusterAccess } from './cluster-access';
import { LiveKitTransport } from './livekit-transport';
import { secretsRevision } from './sensitive-input';
import { configureStateBackend } from './state-backend';
import { clusterFlavourOf } from '../envs/cluster-flavour';
import { METRICS_SERVER_IMAGE } from '../envs/third-party-images';
import { parsePinnedImage } from '../envs/image-ref';
import { GRAFANA_ADMIN_KEYS, GRAFANA_ADMIN_SECRET, MONITORING_NAMESPACE, observabilityValues, RECEIVER_CREDENTIAL_KEY, receiverSecret, receiverVariableName } from './observability-values';
import { certManagerImageValues, kubePrometheusStackImageValues } from './release-images';
import { RELEASE_TIMEOUTS } from './release-timeouts';
import { sensitiveInput } from './sensitive-input';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { METRICS_SERVER_CHART } from './chart-pins';

/** Namespace that holds the Helm release records of the env's rspp-platform release (no workloads). */
export const releaseRecordsNamespace = (env: EnvironmentConfig): string => `${env.namespace}-releases`;

/** Envs whose namespaces (and so their etcd volumes) `cdktf destroy` refuses to delete. */
export const PROTECTED_ENVS: readonly EnvironmentConfig['name'][] = ['stage', 'prod'];

/** Pod Security `restricted` on every level (manifest-policy RSPP-NS-001). */
export const RESTRICTED_NAMESPACE_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;

/** The generated chart as the stack installs it. */
export interface PlatformChart {
  /** Path of `rspp-platform`, relative to the stack's synthesized folder (Terraform's working directory). */
  readonly pathFromStackDir: string;
  /** The env's values (the chart's defaults), passed explicitly so a plan shows every change. */
  readonly values: Readonly<Record<string, unknown>>;
  /**
   * The env namespace as the constructs declare it (labels, annotations: Pod Security, exemptions).
   * The stack creates it, outside the release. @default restricted Pod Security labels
   */
  readonly namespace?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  /**
   * The generated chart's version (env version + content hash). Set on the release so a change of any
   * template plans an upgrade: the Helm provider does not diff a local chart's files (provider-helm #515).
   */
  readonly version: string;
}

export interface RsppStackProps {
  readonly env: EnvironmentConfig;
  readonly platformChart: PlatformChart;
  /** Local backend only: the state file, relative to the stack folder. @default `terraform.<env>.tfstate` */
  readonly localStatePath?: string;
}

export class RsppStack extends TerraformStack {
  public readonly env: EnvironmentConfig;
  public readonly cluster: ClusterAccess;
  public readonly certManager: Release;
  public readonly observability: Release;
  /** metrics-server, when the cluster flavour needs it. */
  public readonly metricsServer?: Release;
  public readonly livekit: LiveKitTransport;
  public readonly platform: Release;
  /** The env namespace, created outside the Helm release. */
  public readonly namespace: NamespaceV1;

  constructor(scope: Construct, props: RsppStackProps) {
    super(scope, props.env.name);
    const { env, platformChart } = props;
    this.env = env;
    configureStateBackend(this, env, props.localStatePath);
    this.cluster = configureClusterAccess(this, env.name);
    const revision = secretsRevision(this);

    this.certManager = new Release(this, 'cert-manager', {
      name: 'cert-manager',
      namespace: 'cert-manager',
      createNamespace: true,
      repository: CERT_MANAGER_CHART.repository,
      chart: CERT_MANAGER_CHART.chart,
      version: CERT_MANAGER_CHART.version,
      atomic: true,
      wait: true,
      timeout: RELEASE_TIMEOUTS.certManager,
      values: [stringify({ crds: { enabled: true, keep: true }, ...certManagerImageValues() }, { lineWidth: 0 })],
    });

    // The monitoring namespace is created here (not by Helm) so the Grafana admin and receiver Secrets exist before the release.
    const monitoring = new NamespaceV1(this, 'monitoring-namespace', {
      metadata: { name: MONITORING_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'rspp' } },
      dependsOn: [this.certManager],
    });
    const grafanaPassword = sensitiveInput(this, 'grafana_admin_password', 'Grafana admin password (ephemeral: written to the cluster Secret only).');
    const monitoringSecrets: ITerraformDependable[] = [new SecretV1(this, 'grafana-admin', {
      metadata: { name: GRAFANA_ADMIN_SECRET, namespace: MONITORING_NAMESPACE },
      dataWo: { [GRAFANA_ADMIN_KEYS.user]: 'admin', [GRAFANA_ADMIN_KEYS.password]: grafanaPassword.stringValue },
      dataWoRevision: revision.numberValue,
      dependsOn: [monitoring],
    })];
    for (const receiver of env.alerting.receivers) {
      const secret = receiverSecret(receiver);
      if (!secret.writtenByStack) continue;
      const credential = sensitiveInput(this, receiverVariableName(receiver), `Credential of the "${receiver.name}" ${receiver.kind} alert receiver (ephemeral).`);
      monitoringSecrets.push(new SecretV1(this, `alert-receiver-${receiver.name}`, {
        metadata: { name: secret.name, namespace: MONITORING_NAMESPACE },
        dataWo: { [RECEIVER_CREDENTIAL_KEY]: credential.stringValue },
        dataWoRevision: revision.numberValue,
        dependsOn: [monitoring],
      }));
    }

    this.observability = new Release(this, 'observability', {
      // Prometheus selects ServiceMonitors/PrometheusRules by `release: <release name>`, the label the constructs stamp.
      name: env.observability.prometheusReleaseLabel,
      namespace: MONITORING_NAMESPACE,
      repository: KUBE_PROMETHEUS_STACK_CHART.repository,
      chart: KUBE_PROMETHEUS_STACK_CHART.chart,
      version: env.observability.chartVersion,
      atomic: true,
      wait: true,
      timeout: RELEASE_TIMEOUTS.observability,
      // The second document pins the chart's images by digest (Helm merges it over the first).
      values: [stringify(observabilityValues(env), { lineWidth: 0 }), stringify(kubePrometheusStackImageValues(env), { lineWidth: 0 })],
      dependsOn: monitoringSecrets,
    });

    const flavour = clusterFlavourOf(env);
    let beforeLiveKit: ITerraformDependable = this.observability;
    if (flavour.installMetricsServer) {
      const pinned = parsePinnedImage(METRICS_SERVER_IMAGE.reference)!;
      this.metricsServer = new Release(this, 'metrics-server', {
        name: 'metrics-server',
        namespace: 'kube-system',
        repository: METRICS_SERVER_CHART.repository,
        chart: METRICS_SERVER_CHART.chart,
        version: METRICS_SERVER_CHART.version,
        atomic: true,
        wait: true,
        timeout: RELEASE_TIMEOUTS.metricsServer,
        // The chart renders `<repository>:<tag>`; a `<tag>@sha256:` tag pins the digest.
        values: [stringify({ image: { repository: pinned.repository, tag: `${pinned.tag}@${pinned.digest}` }, ...(flavour.metricsServerArgs ? { args: [...flavour.metricsServerArgs] } : {}) }, { lineWidth: 0 })],
        dependsOn: [this.observability],
      });
      beforeLiveKit = this.metricsServer;
    }

    this.livekit = new LiveKitTransport(this, 'livekit', { env, after: [beforeLiveKit], secretsRevision: revision });

    // Namespaces live outside the Helm release: a failed atomic first install or an uninstall then
    // never deletes the namespace, and with it the etcd volumes. In stage/prod they are protected from
    // `cdktf destroy` (prevent_destroy); see stacks/README.md "Deleting everything".
    const protect = PROTECTED_ENVS.includes(env.name);
    const records = new NamespaceV1(this, 'release-records-namespace', {
      metadata: { name: releaseRecordsNamespace(env), labels: { ...RESTRICTED_NAMESPACE_LABELS, 'app.kubernetes.io/part-of': 'rspp' } },
      lifecycle: { preventDestroy: protect },
    });
    this.namespace = new NamespaceV1(this, 'platform-namespace', {
      metadata: {
        name: env.namespace,
        labels: { ...RESTRICTED_NAMESPACE_LABELS, 'app.kubernetes.io/part-of': 'rspp', ...platformChart.namespace?.labels },
        annotations: platformChart.namespace?.annotations,
      },
      lifecycle: { preventDestroy: protect },
    });
    const platformDependsOn: ITerraformDependable[] = [this.livekit.release, records, this.namespace];
    this.platform = new Release(this, 'rspp-platform', {
      name: `rspp-${env.name}`,
      // The chart's objects name their own namespace; the release record lives apart, in a namespace
      // of the env's own (so two envs on one cluster never share release records).
      namespace: releaseRecordsNamespace(env),
      chart: `\${path.root}/${platformChart.pathFromStackDir}`,
      version: platformChart.version,
      atomic: true,
      wait: true,
      timeout: RELEASE_TIMEOUTS.platform,
      values: [stringify(platformChart.values, { lineWidth: 0 })],
      dependsOn: platformDependsOn,
    });

    new TerraformOutput(this, 'platform_namespace', { value: env.namespace });
    new TerraformOutput(this, 'livekit_url', { value: `wss://${env.livekit.domain}` });
    new TerraformOutput(this, 'helm_test', { value: `helm test rspp-${env.name} --namespace ${releaseRecordsNamespace(env)}` });
  }
}
