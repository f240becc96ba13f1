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
import { LIVEKIT_KEY_FILE } from '../../stacks/livekit-transport';
import { RsppStack } from '../../stacks/rspp-stack';
import { scanStackForSecrets } from '../../stacks/secret-scan';

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
    expect(parse(release(json, 'cert-manager').values[0])).toEqual({ crds: { enabled: true, keep: true } });
    expect(json).toHaveResourceWithProperties(Release, { name: config.observability.prometheusReleaseLabel, chart: 'kube-prometheus-stack', version: config.observability.chartVersion });
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
    for (const ns of namespaces.filter((n) => n.metadata.name !== config.livekit.namespace)) {
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

  test(`Redis ${config.livekit.replicas > 1 ? 'is' : 'is not'} installed (LiveKit nodes: ${config.livekit.replicas})`, () => {
    const redis = releases(json).find((r) => r.name === 'livekit-redis');
    const livekit = release(json, 'livekit-server');
    if (config.livekit.replicas > 1) {
      expect(redis).toBeDefined();
      expect(parse(livekit.values[0]).livekit.redis.address).toBe(`livekit-redis-master.${config.livekit.namespace}.svc.cluster.local:6379`);
      expect(livekit.set_wo).toEqual([{ name: 'livekit.redis.password', value: '${var.livekit_redis_password}' }]);
      expect(livekit.depends_on).toContain('helm_release.livekit_redis_52CFAB1A');
    } else {
      expect(redis).toBeUndefined();
      expect(parse(livekit.values[0]).livekit.redis).toBeUndefined();
      expect(JSON.parse(json).variable.livekit_redis_password).toBeUndefined();
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
  expect(secrets).toEqual(['livekit-redis']); // prod runs 2 LiveKit nodes, so only the Redis password Secret
  expect(JSON.parse(json).variable.livekit_api_key).toBeUndefined();
  expect(parse(release(json, 'livekit-server').values[0]).storeKeysInSecret.existingSecret).toBe('livekit-keys-from-vault');
});

test('the stack creates the platform namespace (restricted) and the env\'s release-records namespace, outside the release', () => {
  const config = env('stage');
  const names = (json: string) => Object.values<any>(JSON.parse(json).resource.kubernetes_namespace_v1).map((n) => n.metadata.name).sort();
  expect(names(synth(config))).toEqual([config.livekit.namespace, config.namespace, `${config.namespace}-releases`].sort());
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
