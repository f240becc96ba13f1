/**
 * One RsppStack, checked with cdktf `Testing` (synth + matchers): providers configured from variables,
 * the four installs with pinned charts, LiveKit's exempted namespace, secrets only through ephemeral
 * variables or an existing Secret, Redis only for multi-node LiveKit.
 */
import 'cdktf/lib/testing/adapters/jest';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Release } from '@cdktf/provider-helm/lib/release';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { TerraformStack, Testing } from 'cdktf';
import { parse } from 'yaml';
import { EXEMPTION_ANNOTATION_PREFIX } from '../../constructs/policy/policy-annotations';
import { isPolicyRuleId } from '../../constructs/policy/policy-rule';
import type { EnvironmentConfig, EnvName } from '../../envs/environment-config';
import { loadEnvironment } from '../../envs/load-environment';
import { CERT_MANAGER_CHART, LIVEKIT_SERVER_CHART } from '../../stacks/chart-pins';
import { configureClusterAccess } from '../../stacks/cluster-access';
import { HELM_PROVIDER, KUBERNETES_PROVIDER, TERRAFORM_REQUIRED_VERSION } from '../../stacks/provider-pins';
import { LIVEKIT_KEY_FILE, LIVEKIT_VALKEY_SECRET, valkeyNamespaceOf, valkeyObjects } from '../../stacks/livekit-transport';
import { imagesFileOf } from '../../stacks/release-images';
import { RsppStack } from '../../stacks/rspp-stack';
import { scanStackForSecrets } from '../../stacks/secret-scan';
import { CLUSTER_FLAVOURS } from '../../envs/cluster-flavour';
import { METRICS_SERVER_IMAGE } from '../../envs/third-party-images';
import { chainSeconds, PLATFORM_COLD_START_CHAIN, RELEASE_TIMEOUTS } from '../../stacks/release-timeouts';

Testing.setupJest();

const env = (name: EnvName): EnvironmentConfig => loadEnvironment(name, { builtImageFile: false });

function synth(config: EnvironmentConfig): string {
  const stack = new RsppStack(Testing.app(), {
    env: config,
    platformChart: { pathFromStackDir: `../../../dist/${config.name}/charts/rspp-platform`, values: { 'rspp-runtime': { image: config.runtime.image } }, version: '0.1.0+0123456789ab' },
  });
  return Testing.synth(stack);
}

const releases = (json: string): Record<string, any>[] => Object.values(JSON.parse(json).resource.helm_release);
const release = (json: string, name: string): Record<string, any> => {
  const found = releases(json).find((r) => r.name === name);
  if (!found) throw new Error(`no helm_release ${name}`);
  return found;
};

describe.each(['dev', 'stage', 'prod'] as EnvName[])('RsppStack %s', (name) => {
  const config = env(name);
  const json = synth(config);

  test('configures the kubernetes and helm providers from the kubeconfig variables', () => {
    expect(json).toHaveProvider(KubernetesProvider);
    expect(json).toHaveProviderWithProperties(KubernetesProvider, { config_path: '${var.kubeconfig_path}', config_context: '${var.kubeconfig_context}' });
    expect(json).toHaveProviderWithProperties(HelmProvider, { kubernetes: { config_path: '${var.kubeconfig_path}', config_context: '${var.kubeconfig_context}' } });
    expect(JSON.parse(json).variable.kubeconfig_context.default).toBeUndefined();
  });

  test('requires a Terraform that knows ephemeral variables and write-only arguments (>= 1.11), since the stack uses both', () => {
    const doc = JSON.parse(json);
    expect(doc.terraform.required_version).toBe(TERRAFORM_REQUIRED_VERSION);
    const [, major, minor] = /^>= (\d+)\.(\d+)\.\d+$/.exec(TERRAFORM_REQUIRED_VERSION)!.map(Number);
    expect(major * 100 + minor).toBeGreaterThanOrEqual(111);
    // What makes 1.11 the floor: ephemeral variables (1.10) feeding write-only arguments (1.11).
    const usesEphemeral = Object.values(doc.variable as Record<string, { ephemeral?: boolean }>).some((v) => v.ephemeral === true);
    const usesWriteOnly = /"(data_wo|set_wo)"/.test(json);
    expect(usesEphemeral || usesWriteOnly || config.livekit.apiKeySecretName !== undefined).toBe(true);
  });

  test('installs cert-manager (CRDs on), the observability backend, LiveKit and the platform chart, pinned', () => {
    expect(json).toHaveResourceWithProperties(Release, { name: 'cert-manager', chart: CERT_MANAGER_CHART.chart, repository: CERT_MANAGER_CHART.repository, version: CERT_MANAGER_CHART.version });
    const certManagerValues = parse(release(json, 'cert-manager').values[0]);
    expect(certManagerValues.crds).toEqual({ enabled: true, keep: true });
    // Every image the chart deploys is pinned: the chart renders `<repository>:<tag>@<digest>` from
    // each component's `image` block, and that reference is the one images.json lists, by digest.
    const blocks: Record<string, any> = { controller: certManagerValues.image, webhook: certManagerValues.webhook?.image, cainjector: certManagerValues.cainjector?.image, acmesolver: certManagerValues.acmesolver?.image, startupapicheck: certManagerValues.startupapicheck?.image };
    const listed = imagesFileOf(config).images.filter((i) => i.object === 'helm_release.cert-manager');
    expect(listed.map((i) => i.container).sort()).toEqual(Object.keys(blocks).sort());
    for (const [component, block] of Object.entries(blocks)) {
      expect(block).toEqual({ repository: `quay.io/jetstack/cert-manager-${component}`, tag: CERT_MANAGER_CHART.version, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
      expect(`${block.repository}:${block.tag}@${block.digest}`).toBe(listed.find((i) => i.container === component)!.reference);
    }
    expect(json).toHaveResourceWithProperties(Release, { name: config.observability.prometheusReleaseLabel, chart: 'kube-prometheus-stack', version: config.observability.chartVersion });
    // kube-prometheus-stack: the second values document pins five images; each renders (by the
    // chart's own template rule for that image) to the reference images.json lists.
    const kps = parse(release(json, config.observability.prometheusReleaseLabel).values[1]);
    const rendered: Record<string, string> = {
      prometheus: `${kps.prometheus.prometheusSpec.image.registry}/${kps.prometheus.prometheusSpec.image.repository}:${kps.prometheus.prometheusSpec.image.tag}@sha256:${kps.prometheus.prometheusSpec.image.sha}`,
      alertmanager: `${kps.alertmanager.alertmanagerSpec.image.registry}/${kps.alertmanager.alertmanagerSpec.image.repository}:${kps.alertmanager.alertmanagerSpec.image.tag}@sha256:${kps.alertmanager.alertmanagerSpec.image.sha}`,
      grafana: `${kps.grafana.image.registry}/${kps.grafana.image.repository}:${kps.grafana.image.tag}@sha256:${kps.grafana.image.sha}`,
      'kube-state-metrics': `${kps['kube-state-metrics'].image.registry}/${kps['kube-state-metrics'].image.repository}:${kps['kube-state-metrics'].image.tag}@${kps['kube-state-metrics'].image.sha}`,
      'prometheus-node-exporter': `${kps['prometheus-node-exporter'].image.registry}/${kps['prometheus-node-exporter'].image.repository}:${kps['prometheus-node-exporter'].image.tag}@${kps['prometheus-node-exporter'].image.digest}`,
    };
    const kpsListed = imagesFileOf(config).images.filter((i) => i.object === `helm_release.${config.observability.prometheusReleaseLabel}`);
    expect(Object.fromEntries(kpsListed.map((i) => [i.container, i.reference]))).toEqual(rendered);
    for (const reference of Object.values(rendered)) expect(reference).toMatch(/^[a-z0-9.]+\/[a-z0-9/_-]+:v?[0-9.]+@sha256:[0-9a-f]{64}$/);
    expect(json).toHaveResourceWithProperties(Release, { name: 'livekit-server', chart: LIVEKIT_SERVER_CHART.chart, repository: 'https://helm.livekit.io', version: config.livekit.chartVersion });
    expect(json).toHaveResourceWithProperties(Release, { name: `rspp-${name}`, chart: `\${path.root}/../../../dist/${name}/charts/rspp-platform` });
    for (const r of releases(json)) expect(r.version ?? 'local chart').toMatch(/^(v?\d+\.\d+\.\d+(\+[0-9a-f]{12})?|local chart)$/);
  });

  test('LiveKit runs in its own namespace, privileged on enforce only, with the exemption and reason written on it', () => {
    // (The matcher compares nested objects whole, so the namespace details are checked on the JSON below.)
    expect(json).toHaveResource(NamespaceV1);
    const namespaces: Record<string, any>[] = Object.values(JSON.parse(json).resource.kubernetes_namespace_v1);
    const livekit = namespaces.find((n) => n.metadata.name === config.livekit.namespace)!;
    expect(livekit.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    const podValues = parse(release(json, 'livekit-server').values[0]);
    const exemptions = { ...livekit.metadata.annotations, ...podValues.podAnnotations };
    const rules = Object.keys(exemptions).filter((k) => k.startsWith(EXEMPTION_ANNOTATION_PREFIX)).map((k) => k.slice(EXEMPTION_ANNOTATION_PREFIX.length));
    expect(rules.sort()).toEqual(['RSPP-NS-001', 'RSPP-POD-001', 'RSPP-POD-009']);
    for (const rule of rules) {
      expect(isPolicyRuleId(rule)).toBe(true);
      expect(exemptions[`${EXEMPTION_ANNOTATION_PREFIX}${rule}`].length).toBeGreaterThan(40);
    }
    expect(exemptions[`${EXEMPTION_ANNOTATION_PREFIX}RSPP-POD-001`]).toContain(`${config.livekit.udpPortRangeStart}-${config.livekit.udpPortRangeEnd}/udp`);
    // Every other namespace the stack creates is restricted.
    // `monitoring` is kube-prometheus-stack's (node-exporter needs host namespaces): left at the cluster
    // default, as Helm's createNamespace did; the stack creates it only so its Secrets precede the release.
    for (const ns of namespaces.filter((n) => n.metadata.name !== config.livekit.namespace && n.metadata.name !== 'monitoring')) {
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    }
  });

  test('LiveKit values follow the env (nodes, UDP range, keys from a Secret)', () => {
    const values = parse(release(json, 'livekit-server').values[0]);
    expect(values.replicaCount).toBe(config.livekit.replicas);
    expect(values.livekit.rtc).toMatchObject({ port_range_start: config.livekit.udpPortRangeStart, port_range_end: config.livekit.udpPortRangeEnd });
    expect(values.storeKeysInSecret).toEqual({ enabled: true, existingSecret: 'livekit-api-keys' });
    expect(values.livekit.key_file).toBe(LIVEKIT_KEY_FILE);
  });

  test(`LiveKit's Valkey ${config.livekit.replicas > 1 ? 'is' : 'is not'} installed (LiveKit nodes: ${config.livekit.replicas}); no Bitnami chart`, () => {
    const livekit = release(json, 'livekit-server');
    const doc = JSON.parse(json);
    const manifests = Object.values(doc.resource?.kubernetes_manifest ?? {}) as Array<{ manifest: Record<string, any>; depends_on?: string[]; wait?: unknown }>;
    expect(releases(json).map((r) => r.chart)).not.toContain('redis');
    expect(json).not.toMatch(/bitnami/);
    if (config.livekit.replicas > 1) {
      const ns = valkeyNamespaceOf(config);
      const deployment = manifests.find((m) => m.manifest.kind === 'Deployment')!;
      expect(deployment.manifest.metadata).toMatchObject({ name: 'livekit-valkey', namespace: ns });
      expect(deployment.manifest.spec.template.spec.containers[0].image).toMatch(/^docker\.io\/valkey\/valkey:[0-9.]+@sha256:[0-9a-f]{64}$/);
      expect(deployment.wait).toEqual({ rollout: true });
      expect(manifests.map((m) => `${m.manifest.kind}/${m.manifest.metadata.name}`).sort()).toEqual(
        valkeyObjects(config).objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
      );
      expect(parse(livekit.values[0]).livekit.redis).toEqual({ address: `livekit-valkey.${ns}.svc.cluster.local:6379` });
      expect(livekit.set_wo).toEqual([{ name: 'livekit.redis.password', value: '${var.livekit_redis_password}' }]);
      expect(livekit.depends_on.filter((d: string) => d.startsWith('kubernetes_manifest.'))).toHaveLength(manifests.length - 1);
      expect(json).toHaveResourceWithProperties(SecretV1, {
        metadata: { name: LIVEKIT_VALKEY_SECRET, namespace: ns },
        data_wo: { password: '${var.livekit_redis_password}', 'valkey.conf': 'requirepass "${var.livekit_redis_password}"\n' },
      });
      expect(doc.variable.livekit_redis_password).toMatchObject({ sensitive: true, ephemeral: true });
      expect(doc.variable.livekit_redis_password.validation[0].condition).toContain('[A-Za-z0-9._~+/=-]{32,128}');
      for (const m of manifests) expect(m.manifest.kind).not.toBe('ConfigMap');
    } else {
      expect(manifests).toEqual([]);
      expect(parse(livekit.values[0]).livekit.redis).toBeUndefined();
      expect(doc.variable.livekit_redis_password).toBeUndefined();
    }
  });

  test('API keys reach the cluster only through a write-only Secret fed by sensitive ephemeral variables', () => {
    expect(json).toHaveResourceWithProperties(SecretV1, {
      metadata: { name: 'livekit-api-keys', namespace: config.livekit.namespace },
      data_wo: { [LIVEKIT_KEY_FILE]: '${var.livekit_api_key}: ${var.livekit_api_secret}' },
    });
    const vars = JSON.parse(json).variable;
    for (const v of ['livekit_api_key', 'livekit_api_secret']) expect(vars[v]).toMatchObject({ sensitive: true, ephemeral: true, type: 'string' });
    expect(scanStackForSecrets(JSON.parse(json))).toEqual([]);
  });
});

test('an env that names an existing LiveKit keys Secret gets no keys variables and no Secret resource', () => {
  const base = env('prod');
  const json = synth({ ...base, livekit: { ...base.livekit, apiKeySecretName: 'livekit-keys-from-vault' } });
  const secrets = Object.values<any>(JSON.parse(json).resource.kubernetes_secret_v1 ?? {}).map((x) => x.metadata.name);
  // prod runs 2 LiveKit nodes (the Valkey password Secret); Grafana admin and the receivers' credentials are Secrets too.
  expect(secrets.sort()).toEqual(['alertmanager-receiver-oncall', 'alertmanager-receiver-platform-team', 'grafana-admin', 'livekit-valkey-auth']);
  expect(JSON.parse(json).variable.livekit_api_key).toBeUndefined();
  expect(parse(release(json, 'livekit-server').values[0]).storeKeysInSecret.existingSecret).toBe('livekit-keys-from-vault');
});

test('the stack creates the platform namespace (restricted) and the env\'s release-records namespace, outside the release', () => {
  const config = env('stage');
  const names = (json: string) => Object.values<any>(JSON.parse(json).resource.kubernetes_namespace_v1).map((n) => n.metadata.name).sort();
  expect(names(synth(config))).toEqual([config.livekit.namespace, 'monitoring', config.namespace, `${config.namespace}-releases`].sort());
});

test('an unprivileged, ordered UDP range is required', () => {
  const base = env('dev');
  expect(() => synth({ ...base, livekit: { ...base.livekit, udpPortRangeStart: 60000, udpPortRangeEnd: 50000 } }))
    .toThrow(/envs\/dev: livekit.udpPortRangeStart\/udpPortRangeEnd \(60000-50000\)/);
});

test('cluster access alone (Testing.synthScope): both providers from variables, pinned exactly', () => {
  const json = Testing.synthScope((scope) => {
    configureClusterAccess(scope as TerraformStack, 'dev');
  });
  expect(json).toHaveProvider(KubernetesProvider);
  expect(json).toHaveProvider(HelmProvider);
  expect(JSON.parse(json).terraform.required_providers).toEqual({
    kubernetes: { source: KUBERNETES_PROVIDER.source, version: KUBERNETES_PROVIDER.version },
    helm: { source: HELM_PROVIDER.source, version: HELM_PROVIDER.version },
  });
  expect(Object.keys(JSON.parse(json).variable).sort()).toEqual(['kubeconfig_context', 'kubeconfig_path']);
});

test('LiveKit follows env.livekit.namespace, and may not share the platform namespace', () => {
  const base = env('dev');
  const json = synth({ ...base, livekit: { ...base.livekit, namespace: 'media' } });
  const livekit = Object.values<any>(JSON.parse(json).resource.helm_release).find((r) => r.name === 'livekit-server');
  expect(livekit.namespace).toBe('media');
  expect(() => synth({ ...base, livekit: { ...base.livekit, namespace: base.namespace } })).toThrow(/livekit.namespace "rspp-dev" is the platform namespace/);
});

describe.each(['dev', 'stage', 'prod'] as EnvName[])('day one on a fresh cluster (%s): flavour, alerts, storage, timeouts', (name) => {
  const config = env(name);
  const json = synth(config);
  const doc = JSON.parse(json);
  const values = parse(release(json, config.observability.prometheusReleaseLabel).values[0]);
  const flavour = CLUSTER_FLAVOURS[config.cluster.flavour];

  test('control-plane scrape jobs are off exactly where the flavour says (managed control planes cannot be scraped)', () => {
    for (const job of ['kubeControllerManager', 'kubeScheduler', 'kubeEtcd', 'kubeProxy']) {
      expect([job, values[job]]).toEqual([job, flavour.disabledScrapeJobs.includes(job as never) ? { enabled: false } : undefined]);
    }
  });

  test('metrics-server is installed, pinned by digest, exactly when the flavour ships no metrics API', () => {
    const ms = releases(json).find((r) => r.name === 'metrics-server');
    expect(ms !== undefined).toBe(flavour.installMetricsServer);
    if (ms) {
      expect(ms).toMatchObject({ chart: 'metrics-server', version: '3.12.2', namespace: 'kube-system', atomic: true });
      const image = parse(ms.values[0]).image;
      expect(`${image.repository}:${image.tag}`).toBe(METRICS_SERVER_IMAGE.reference);
      expect(image.tag).toMatch(/^v0\.7\.2@sha256:[0-9a-f]{64}$/);
    }
  });

  test('Grafana admin comes from a write-only Secret; Alertmanager routes to the env receivers through mounted Secret files', () => {
    expect(values.grafana.admin).toEqual({ existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' });
    expect(doc.variable.grafana_admin_password).toMatchObject({ sensitive: true, ephemeral: true });
    expect(json).not.toMatch(/adminPassword/);
    const receivers = config.alerting.receivers;
    if (receivers.length === 0) {
      expect(values.alertmanager.config).toBeUndefined();
      return;
    }
    expect(values.alertmanager.config.receivers.map((r: any) => r.name)).toEqual(['null', ...receivers.map((r) => r.name)]);
    expect(values.alertmanager.config.route.routes.slice(1)).toEqual(receivers.map((r) => ({ receiver: r.name, continue: true })));
    for (const r of receivers) {
      const cfg = values.alertmanager.config.receivers.find((x: any) => x.name === r.name);
      const file = `/etc/alertmanager/secrets/alertmanager-receiver-${r.name}/credential`;
      expect(JSON.stringify(cfg)).toContain(file);
      expect(values.alertmanager.alertmanagerSpec.secrets).toContain(`alertmanager-receiver-${r.name}`);
      expect(doc.variable[`alert_receiver_${r.name.replaceAll('-', '_')}`]).toMatchObject({ sensitive: true, ephemeral: true });
    }
    expect(scanStackForSecrets(doc)).toEqual([]);
  });

  test('Prometheus keeps its data on a volume of the env StorageClass in stage/prod', () => {
    if (!config.highAvailability) {
      expect(values.prometheus).toBeUndefined();
      return;
    }
    expect(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: config.cluster.storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } },
    });
  });

  test('every release has a timeout from the cold-start chain (no provider default of 300 s under atomic)', () => {
    for (const r of releases(json)) expect([r.name, typeof r.timeout]).toEqual([r.name, 'number']);
    expect(release(json, `rspp-${name}`).timeout).toBe(RELEASE_TIMEOUTS.platform);
    expect(RELEASE_TIMEOUTS.platform).toBe(720);
    expect(chainSeconds(PLATFORM_COLD_START_CHAIN)).toBe(480);
  });
});

test('an existing Secret for a receiver is mounted and no variable is declared for it', () => {
  const base = env('prod');
  const json = synth({ ...base, alerting: { receivers: [{ name: 'hooks', kind: 'webhook', existingSecret: { name: 'team-hooks', key: 'url' } }] } });
  const values = parse(release(json, base.observability.prometheusReleaseLabel).values[0]);
  expect(values.alertmanager.config.receivers[1]).toEqual({ name: 'hooks', webhook_configs: [{ url_file: '/etc/alertmanager/secrets/team-hooks/url', send_resolved: true }] });
  expect(values.alertmanager.alertmanagerSpec.secrets).toEqual(['team-hooks']);
  expect(JSON.parse(json).variable.alert_receiver_hooks).toBeUndefined();
});
