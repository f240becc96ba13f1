import { App, Chart, Testing } from 'cdk8s';
import { dev, LIVEKIT_PORTS, prod, stage } from '../../envs';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { buildEnvChart } from '../../constructs/env-chart';
import { checkPolicy } from '../../constructs/policy';
import { validateObjects } from '../../constructs/validation';
import { quotaForEnvironment, RsppPlatform, RUNTIME_TLS_MOUNT_PATH } from '../../constructs/rspp-platform';
import { RUNTIME_ENV } from '../../runtime/contracts/runtime-interface';
import { byKind, flowAllowed, K8sObject, named, PodView, synthPlatform, workloadPods } from './platform-invariants.support';

const ENVS: ReadonlyArray<[string, EnvironmentConfig]> = [['dev', dev], ['stage', stage], ['prod', prod]];

/** `base` with an external lease store, set in the env config alone (no construct prop). */
function withExternalLeaseStore(base: EnvironmentConfig): EnvironmentConfig {
  return {
    ...base,
    leaseStore: {
      ...base.leaseStore,
      mode: 'external',
      endpoints: ['https://etcd-0.etcd.infra.svc:2379', 'https://etcd-1.etcd.infra.svc:2379', 'https://etcd-2.etcd.infra.svc:2379'],
      tlsSecretName: 'infra-etcd-client',
      externalPeer: { namespace: 'infra', podLabels: { 'app.kubernetes.io/name': 'etcd' } },
    },
  };
}

/** A pod of the LiveKit server as a CNI would see it: in the LiveKit namespace, with the upstream chart's labels. */
const liveKitPod = (env: EnvironmentConfig): PodView => ({
  workload: 'Deployment/livekit-server',
  namespace: env.livekit.namespace,
  namespaceLabels: { 'kubernetes.io/metadata.name': env.livekit.namespace },
  labels: { 'app.kubernetes.io/name': 'livekit-server', 'app.kubernetes.io/instance': 'livekit-server' },
  ports: [
    { port: LIVEKIT_PORTS.signal, protocol: 'TCP' },
    { port: LIVEKIT_PORTS.rtcTcp, protocol: 'TCP' },
    { port: env.livekit.udpPortRangeStart, protocol: 'UDP' },
  ],
});

const podOf = (objects: readonly K8sObject[], workload: string): PodView => workloadPods(objects).find((p) => p.workload === workload)!;

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

  test.each(ENVS)('%s: runtime and control plane talk mutual TLS: https URL, RSPP_TLS_DIR where each certificate is mounted', (_name, env) => {
    const { objects, platform } = synthPlatform(env);
    expect(platform.controlPlane.apiUrl).toMatch(/^https:\/\//);
    for (const [deploymentName, secretName] of [
      [platform.runtime.name, platform.runtimeCertificate.secretName],
      [platform.controlPlane.name, platform.controlPlane.tlsSecretName],
    ]) {
      const pod = named(objects, 'Deployment', deploymentName).spec.template.spec;
      const envVars = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value]));
      const volume = pod.volumes.find((v: any) => v.secret?.secretName === secretName).name;
      const mount = pod.containers[0].volumeMounts.find((m: any) => m.name === volume);
      expect(envVars[RUNTIME_ENV.tlsDir]).toBe(mount.mountPath);
    }
  });

  test.each(ENVS)('%s: the runtime certificate is mounted through RsppRuntime\'s typed tls prop, certifying the runtime Service', (_name, env) => {
    const { objects, platform } = synthPlatform(env);
    expect(platform.runtime.tlsSecretName).toBe(platform.runtimeCertificate.secretName);
    expect(platform.runtime.tlsMountPath).toBe(RUNTIME_TLS_MOUNT_PATH);
    const pod = named(objects, 'Deployment', platform.runtime.name).spec.template.spec;
    const volume = pod.volumes.find((v: any) => v.secret?.secretName === platform.runtimeCertificate.secretName);
    expect(volume).toEqual({ name: 'tls', secret: { secretName: 'runtime-tls', defaultMode: 0o440 } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: RUNTIME_TLS_MOUNT_PATH, readOnly: true });
    // Mounted once: the typed prop replaced the JSON patch, it does not add to it.
    expect(pod.volumes.filter((v: any) => v.name === 'tls')).toHaveLength(1);
    const certificate = named(objects, 'Certificate', 'runtime');
    expect(certificate.spec.secretName).toBe('runtime-tls');
    expect(certificate.spec.dnsNames).toContain(platform.runtime.serviceHost);
  });

  test('a renamed runtime gets a certificate for its own Service name', () => {
    const { objects, platform } = synthPlatform(prod, { names: { runtime: 'voice-runtime' } });
    expect(named(objects, 'Certificate', 'runtime').spec.dnsNames).toEqual(expect.arrayContaining(['voice-runtime', 'voice-runtime.rspp-prod.svc']));
    expect(platform.runtime.serviceHost).toBe('voice-runtime.rspp-prod.svc');
  });

  describe.each(ENVS)('%s: the runtime (the LiveKit-connected media worker) may reach the LiveKit server, and only it', (_name, env) => {
    const { objects, platform } = synthPlatform(env);
    const policy = named(objects, 'NetworkPolicy', 'allow-egress-runtime-to-livekit');

    test('one egress policy selecting the runtime pods, to the LiveKit namespace by name, on signalling, RTC/TCP and the UDP media range', () => {
      expect(platform.liveKitFlow.policyNames).toEqual(['allow-egress-runtime-to-livekit']);
      expect(policy.spec.podSelector.matchLabels).toEqual(platform.runtime.podSelector);
      expect(policy.spec.policyTypes).toEqual(['Egress']);
      expect(policy.spec.ingress).toBeUndefined();
      expect(policy.spec.egress).toEqual([{
        to: [{ podSelector: {}, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': env.livekit.namespace } } }],
        ports: [
          { port: 7880, protocol: 'TCP' },
          { port: 7881, protocol: 'TCP' },
          { port: env.livekit.udpPortRangeStart, endPort: env.livekit.udpPortRangeEnd, protocol: 'UDP' },
        ],
      }]);
    });

    test('evaluated like a CNI over default-deny: runtime -> LiveKit on its ports only; other workloads and ports stay denied', () => {
      const policies = byKind(objects, 'NetworkPolicy');
      const runtime = podOf(objects, `Deployment/${platform.runtime.name}`);
      const controlPlane = podOf(objects, `Deployment/${platform.controlPlane.name}`);
      const livekit = liveKitPod(env);
      const { udpPortRangeStart: first, udpPortRangeEnd: last } = env.livekit;
      expect(flowAllowed(policies, runtime, livekit, 7880)).toBe(true);
      expect(flowAllowed(policies, runtime, livekit, 7881)).toBe(true);
      expect(flowAllowed(policies, runtime, livekit, first, 'UDP')).toBe(true);
      expect(flowAllowed(policies, runtime, livekit, Math.floor((first + last) / 2), 'UDP')).toBe(true);
      expect(flowAllowed(policies, runtime, livekit, last, 'UDP')).toBe(true);
      expect(flowAllowed(policies, runtime, livekit, last + 1, 'UDP')).toBe(false);
      expect(flowAllowed(policies, runtime, livekit, first - 1, 'UDP')).toBe(false);
      expect(flowAllowed(policies, runtime, livekit, 7880, 'UDP')).toBe(false);
      expect(flowAllowed(policies, runtime, livekit, 6379)).toBe(false); // LiveKit's Redis
      expect(flowAllowed(policies, controlPlane, livekit, 7880)).toBe(false);
      const elsewhere: PodView = { ...livekit, namespace: 'other', namespaceLabels: { 'kubernetes.io/metadata.name': 'other' } };
      expect(flowAllowed(policies, runtime, elsewhere, 7880)).toBe(false);
    });

    test('RSPP-NET-002 (and every other rule) still passes with no exemption', () => {
      const report = checkPolicy(objects, { env: env.name });
      expect(report.findings.map((f) => f.text)).toEqual([]);
      expect(report.exemptions).toEqual([]);
      expect(report.rules.find((r) => r.id === 'RSPP-NET-002')?.status).toBe('passed');
      // The rule does read this policy: without the namespace selector it would admit every destination.
      const opened = objects.map((o) => (o === policy ? { ...o, spec: { ...o.spec, egress: [{ ...o.spec.egress[0], to: [{}] }] } } : o));
      const findings = checkPolicy(opened, { env: env.name }).findings;
      expect(findings.map((f) => [f.ruleId, f.object.name])).toEqual([['RSPP-NET-002', 'allow-egress-runtime-to-livekit']]);
    });
  });

  test('the LiveKit namespace follows env.livekit.namespace', () => {
    const env: EnvironmentConfig = { ...prod, livekit: { ...prod.livekit, namespace: 'media', udpPortRangeStart: 40000, udpPortRangeEnd: 40100 } };
    const { objects } = synthPlatform(env);
    const egress = named(objects, 'NetworkPolicy', 'allow-egress-runtime-to-livekit').spec.egress[0];
    expect(egress.to).toEqual([{ podSelector: {}, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'media' } } }]);
    expect(egress.ports[2]).toEqual({ port: 40000, endPort: 40100, protocol: 'UDP' });
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
    expect(platform.controlPlane.apiUrl).toBe('https://voice-cp.voice-prod.svc:8081');
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

  describe.each(ENVS)('%s with an external lease store set in the env config only (buildEnvChart)', (_name, base) => {
    const env = withExternalLeaseStore(base);
    const chart = buildEnvChart(Testing.app(), env);
    const objects = Testing.synth(chart) as K8sObject[];

    test('synthesizes without etcd: no StatefulSet, PDB, Service or certificates of a managed etcd', () => {
      expect(byKind(objects, 'StatefulSet')).toEqual([]);
      expect(objects.filter((o) => /etcd/.test(o.metadata.name)).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
      expect(byKind(objects, 'Certificate').map((c) => c.metadata.name).sort()).toEqual(['control-plane', 'rspp-ca', 'runtime'].filter((n) => n !== 'rspp-ca' || env.tls.caSecretName === undefined).sort());
    });

    test('the runtime and the control plane use the env endpoints and mount the existing client TLS secret, declared external', () => {
      for (const d of byKind(objects, 'Deployment')) {
        expect(d.metadata.annotations['rspp.io/external-refs']).toBe('Secret/infra-etcd-client');
        const pod = d.spec.template.spec;
        expect(pod.volumes.filter((v: any) => v.secret?.secretName === 'infra-etcd-client')).toHaveLength(1);
        const vars = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value]));
        expect(vars.RSPP_ETCD_ENDPOINTS).toBe(env.leaseStore.endpoints!.join(','));
        expect(vars.RSPP_LEASE_STORE).toBe('etcd');
      }
    });

    test('egress to the external etcd, named by its namespace and pod labels, on the endpoints\' port', () => {
      for (const client of ['runtime', 'control-plane']) {
        const policy = named(objects, 'NetworkPolicy', `allow-egress-${client}-to-lease-store`);
        expect(policy.spec.egress).toEqual([{
          to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'etcd' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'infra' } } }],
          ports: [{ port: 2379, protocol: 'TCP' }],
        }]);
      }
      expect(objects.some((o) => o.kind === 'NetworkPolicy' && /^allow-ingress-lease-store/.test(o.metadata.name))).toBe(false);
    });

    test('passes checkPolicy and strict offline validation with zero exemptions', () => {
      const report = checkPolicy(objects, { env: env.name });
      expect(report.findings.map((f) => f.text)).toEqual([]);
      expect(report.exemptions).toEqual([]);
      expect(report.exemptionErrors).toEqual([]);
      expect(validateObjects(objects, { server: false }).filter((i) => i.severity === 'error').map((i) => i.text)).toEqual([]);
    });
  });

  test('an external lease store without its peer is refused by the env schema before any object is built', () => {
    const env = withExternalLeaseStore(stage);
    const { externalPeer: _omitted, ...leaseStore } = env.leaseStore;
    expect(() => buildEnvChart(Testing.app(), { ...env, leaseStore })).toThrow(/stage: leaseStore.externalPeer: required when leaseStore.mode is "external"/);
  });

  test('an explicit externalLeaseStorePeer prop overrides the env\'s peer', () => {
    const { objects } = synthPlatform(withExternalLeaseStore(stage), {
      externalLeaseStorePeer: { namespaceLabels: { team: 'storage' }, podLabels: { app: 'etcd-main' } },
    });
    expect(named(objects, 'NetworkPolicy', 'allow-egress-runtime-to-lease-store').spec.egress[0].to).toEqual([
      { podSelector: { matchLabels: { app: 'etcd-main' } }, namespaceSelector: { matchLabels: { team: 'storage' } } },
    ]);
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
    test('external lease store without its peer selector (neither in the env nor as a prop)', () => {
      const env: EnvironmentConfig = { ...stage, leaseStore: { ...stage.leaseStore, mode: 'external', endpoints: ['https://e:2379'], tlsSecretName: 's' } };
      expect(() => synthPlatform(env)).toThrow(/props.externalPeer .* is required in external mode/);
    });

    test('prod with one etcd member is refused by the lease store, naming the prop', () => {
      const env: EnvironmentConfig = { ...prod, leaseStore: { ...prod.leaseStore, members: 1 } };
      expect(() => synthPlatform(env)).toThrow(/props.members is 1 in prod/);
    });

    test('a hand-built env without livekit.namespace (the schema would refuse it) is refused, naming the field', () => {
      const { namespace: _omitted, ...livekit } = prod.livekit;
      expect(() => synthPlatform({ ...prod, livekit } as unknown as EnvironmentConfig)).toThrow('RsppPlatform: env prod: livekit.namespace undefined is not a namespace name');
    });

    test('a namespace that is not a DNS label', () => {
      expect(() => synthPlatform(dev, { namespace: 'Voice Team' })).toThrow(/props.namespace "Voice Team" is not a DNS label/);
    });
  });
});
