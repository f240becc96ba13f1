import { App, Chart, Testing } from 'cdk8s';
import { dev, prod, stage } from '../../envs';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { checkPolicy } from '../../constructs/policy';
import { quotaForEnvironment, RsppPlatform, RUNTIME_TLS_MOUNT_PATH } from '../../constructs/rspp-platform';
import { byKind, named, synthPlatform } from './platform-invariants.support';

const ENVS: ReadonlyArray<[string, EnvironmentConfig]> = [['dev', dev], ['stage', stage], ['prod', prod]];

describe('RsppPlatform', () => {
  test.each(ENVS)('snapshot: %s', (_name, env) => {
    expect(synthPlatform(env).objects).toMatchSnapshot();
  });

  test.each(ENVS)('%s: sizes follow the env (architecture §3 table)', (_name, env) => {
    const { objects } = synthPlatform(env);
    const sts = byKind(objects, 'StatefulSet')[0];
    expect(sts.spec.replicas).toBe(env.leaseStore.members);
    expect(named(objects, 'Deployment', 'rspp-control-plane').spec.replicas).toBe(env.controlPlane.replicas);
    const hpa = byKind(objects, 'HorizontalPodAutoscaler')[0];
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([env.runtime.minReplicas, env.runtime.maxReplicas]);
    const pdbs = byKind(objects, 'PodDisruptionBudget').map((p) => p.metadata.name).sort();
    expect(pdbs).toEqual(env.highAvailability ? ['rspp-control-plane', 'rspp-etcd', 'rspp-runtime'] : []);
    const issuers = byKind(objects, 'Issuer').map((i) => i.metadata.name);
    expect(issuers).toContain('rspp-ca');
    expect(issuers.includes('rspp-selfsigned')).toBe(env.tls.caSecretName === undefined);
  });

  test.each(ENVS)('%s: the runtime is wired to the lease store and the control plane through their typed outputs', (_name, env) => {
    const { objects, platform } = synthPlatform(env);
    const runtime = named(objects, 'Deployment', platform.runtime.name);
    const envVars = Object.fromEntries(runtime.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(envVars.RSPP_ETCD_ENDPOINTS).toBe(platform.leases.clientEndpoints.join(','));
    expect(envVars.RSPP_CONTROL_PLANE_URL).toBe(platform.controlPlane.apiUrl);
    expect(envVars.RSPP_LEASE_STORE).toBe('etcd');
    const mountedSecrets = runtime.spec.template.spec.volumes.filter((v: any) => v.secret).map((v: any) => v.secret.secretName);
    expect(mountedSecrets).toContain(platform.leases.clientTlsSecretName);
    expect(mountedSecrets).toContain(platform.runtimeCertificate.secretName);
    const mounts = runtime.spec.template.spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
    expect(mounts).toContain(RUNTIME_TLS_MOUNT_PATH);
    expect(platform.tls.certificates.map((c) => c.component).sort()).toEqual(['control-plane', 'etcd-client', 'etcd-peer', 'runtime']);
  });

  test('composition in a user-defined chart: own namespace, instance, names and overrides', () => {
    const app = new App();
    const chart = new Chart(app, 'voice-team', { namespace: 'voice-prod' });
    const platform = new RsppPlatform(chart, 'rspp', {
      env: prod,
      namespace: 'voice-prod',
      instance: 'voice',
      names: { runtime: 'voice-runtime', controlPlane: 'voice-cp', leaseStore: 'voice-etcd' },
      prometheusPeer: { namespaceLabels: { 'kubernetes.io/metadata.name': 'observability' }, podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      sessionClients: [{ podLabels: { app: 'voice-gateway' } }],
      quota: { requestsCpu: '64', pods: 100 },
    });
    const objects = Testing.synth(chart);
    expect(objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'voice-prod')).toBe(true);
    expect(named(objects, 'Namespace', 'voice-prod')).toBeDefined();
    expect(named(objects, 'Deployment', 'voice-runtime')).toBeDefined();
    expect(named(objects, 'Deployment', 'voice-cp')).toBeDefined();
    expect(named(objects, 'StatefulSet', 'voice-etcd').spec.serviceName).toBe('voice-etcd-peers');
    expect(platform.leases.clientEndpoints[0]).toBe('https://voice-etcd-0.voice-etcd-peers.voice-prod.svc:2379');
    expect(platform.controlPlane.apiUrl).toBe('http://voice-cp.voice-prod.svc:8081');
    expect(objects.filter((o) => o.metadata.labels).every((o) => o.metadata.labels['app.kubernetes.io/instance'] === 'voice')).toBe(true);
    expect(byKind(objects, 'ResourceQuota')[0].spec.hard['requests.cpu']).toBe('64');
    const scrape = named(objects, 'NetworkPolicy', 'allow-ingress-runtime-from-prometheus');
    expect(scrape.spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'observability' });
    const report = checkPolicy(objects, { env: 'prod' });
    expect(report.findings.map((f) => f.text)).toEqual([]);
  });

  test('two platforms side by side in one app, each in its own namespace', () => {
    const app = new App();
    for (const env of [stage, prod]) {
      const chart = new Chart(app, `c-${env.name}`, { namespace: `rspp-${env.name}` });
      new RsppPlatform(chart, 'rspp', { env, namespace: `rspp-${env.name}` });
    }
    const names = app.charts.flatMap((c) => Testing.synth(c).map((o) => `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`));
    expect(new Set(names).size).toBe(names.length);
  });

  test('quota covers every workload at peak scale (+1 surge) and grows with the env', () => {
    const q = quotaForEnvironment(prod);
    // runtime (20+1) * 500m + control plane (3+1) * 100m + etcd 3 * 250m = 11.65 cores, +25%.
    expect(q.requestsCpu).toBe('14600m');
    expect(q.pods).toBeGreaterThan(prod.runtime.maxReplicas + 1 + prod.controlPlane.replicas + 1 + prod.leaseStore.members);
    expect(q.persistentVolumeClaims).toBe(prod.leaseStore.members);
    const cpu = (s: string) => Number(s.replace(/m$/, ''));
    expect(cpu(quotaForEnvironment(dev).requestsCpu!)).toBeLessThan(cpu(quotaForEnvironment(stage).requestsCpu!));
    expect(cpu(quotaForEnvironment(stage).requestsCpu!)).toBeLessThan(cpu(q.requestsCpu!));
  });

  test('an external lease store: no etcd in the output; the runtime and control plane declare the TLS secret external', () => {
    const env: EnvironmentConfig = {
      ...stage,
      leaseStore: { ...stage.leaseStore, mode: 'external', endpoints: ['https://etcd.infra.svc:2379'], tlsSecretName: 'infra-etcd-client' },
    };
    const { objects } = synthPlatform(env, {
      externalLeaseStorePeer: { namespaceLabels: { 'kubernetes.io/metadata.name': 'infra' }, podLabels: { app: 'etcd' } },
    });
    expect(byKind(objects, 'StatefulSet')).toHaveLength(0);
    for (const d of byKind(objects, 'Deployment')) {
      expect(d.metadata.annotations['rspp.io/external-refs']).toBe('Secret/infra-etcd-client');
    }
    expect(checkPolicy(objects, { env: 'stage' }).findings.map((f) => f.text)).toEqual([]);
  });

  describe('bad props', () => {
    test('external lease store without its peer selector', () => {
      const env: EnvironmentConfig = { ...stage, leaseStore: { ...stage.leaseStore, mode: 'external', endpoints: ['https://e:2379'], tlsSecretName: 's' } };
      expect(() => synthPlatform(env)).toThrow(/props.externalPeer .* is required in external mode/);
    });

    test('prod with one etcd member is refused by the lease store, naming the prop', () => {
      const env: EnvironmentConfig = { ...prod, leaseStore: { ...prod.leaseStore, members: 1 } };
      expect(() => synthPlatform(env)).toThrow(/props.members is 1 in prod/);
    });

    test('a namespace that is not a DNS label', () => {
      expect(() => synthPlatform(dev, { namespace: 'Voice Team' })).toThrow(/props.namespace "Voice Team" is not a DNS label/);
    });
  });
});
