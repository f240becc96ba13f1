/**
 * The README's "compose the constructs one by one" example, kept honest: the same code, synthesized in a
 * user's own chart, passes strict validation and every policy rule in prod.
 */
import { Chart, Testing } from 'cdk8s';
import {
  AuthorityLeaseStore, MtlsBaseline, ObservabilityStack, RsppControlPlane, RsppPlatform, RsppRuntime, loadEnvironment,
} from '../../index';
import { checkPolicy } from '../../constructs/policy';
import { validateObjects } from '../../constructs/validation';

function synthObjects(chart: Chart): Record<string, any>[] {
  return Testing.synth(chart) as Record<string, any>[];
}

describe('README composition examples', () => {
  test('RsppPlatform in a user chart with its own namespace and names', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'voice', { namespace: 'voice-prod' });
    new RsppPlatform(chart, 'rspp', {
      env: loadEnvironment('prod'),
      namespace: 'voice-prod',
      instance: 'voice',
      names: { runtime: 'voice-runtime' },
      sessionClients: [{ podLabels: { app: 'voice-gateway' } }],
    });
    const objects = synthObjects(chart);
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'voice-runtime')?.metadata.namespace).toBe('voice-prod');
    expect(checkPolicy(objects as any, { env: 'prod' }).findings).toEqual([]);
    expect(validateObjects(objects as any).filter((i) => i.severity === 'error')).toEqual([]);
  });

  test('the five constructs composed by hand', () => {
    const env = loadEnvironment('prod');
    const app = Testing.app();
    const chart = new Chart(app, 'platform', { namespace: 'rspp-prod' });

    const tls = new MtlsBaseline(chart, 'tls', { namespace: 'rspp-prod', issuer: 'ca-issuer' });
    const leases = new AuthorityLeaseStore(chart, 'leases', { tls, environment: 'prod', members: 3, image: env.leaseStore.image });
    const cp = new RsppControlPlane(chart, 'cp', { tls, leases, image: env.controlPlane.image, replicas: 3, highAvailability: true, bundleDigest: env.pipeline.bundleDigest });
    const runtime = new RsppRuntime(chart, 'runtime', {
      namespace: 'rspp-prod',
      image: env.runtime.image,
      bundleDigest: env.pipeline.bundleDigest,
      minReplicas: 3,
      maxReplicas: 20,
      highAvailability: true,
      leaseStore: { endpoints: leases.clientEndpoints, tlsSecretName: leases.clientTlsSecretName },
      tls: tls.issueCertificate({ component: 'runtime', dnsNames: tls.serviceDnsNames('rspp-runtime') }),
      controlPlaneUrl: cp.apiUrl,
    });
    leases.grantClient(runtime);       // runtime → etcd client port, NetworkPolicies on both sides
    cp.grantApiClient(runtime);        // runtime → control-plane API
    new ObservabilityStack(chart, 'obs', {
      tls,
      targets: [
        runtime.scrapeTarget,
        cp.scrapeTarget,
        ...(leases.scrapeTarget ? [leases.scrapeTarget] : []),
      ],
    });

    const objects = synthObjects(chart);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ['Namespace', 'StatefulSet', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceMonitor', 'PrometheusRule', 'Certificate']) {
      expect(kinds).toContain(kind);
    }
    expect(checkPolicy(objects as any, { env: 'prod' }).findings).toEqual([]);
    expect(validateObjects(objects as any).filter((i) => i.severity === 'error')).toEqual([]);
  });
});
