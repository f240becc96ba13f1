import { ApiObject, Testing } from 'cdk8s';
import { buildEnvChart, ENV_PLATFORM_ID, envChartId, RsppPlatform, RsppRuntime, RUNTIME_TLS_MOUNT_PATH } from '../../constructs';
import { gracePeriodFor } from '../../runtime/contracts/runtime-interface';
import { loadEnvironment } from '../../envs';
import { K8sObject, only } from './rspp-runtime-helpers';

const ENVS = ['dev', 'stage', 'prod'] as const;

function runtimeObjectsOf(name: (typeof ENVS)[number]): { objects: K8sObject[]; runtime: RsppRuntime } {
  const env = loadEnvironment(name, { builtImageFile: false });
  const chart = buildEnvChart(Testing.app(), env);
  const runtime = (chart.node.findChild(ENV_PLATFORM_ID) as RsppPlatform).runtime;
  // Exactly the objects RsppRuntime itself creates (flows, certificates and monitors are its neighbours').
  const objects = runtime.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .map((o) => o.toJson() as K8sObject);
  return { objects, runtime };
}

describe.each(ENVS)('RsppRuntime in the %s env chart', (name) => {
  const env = loadEnvironment(name, { builtImageFile: false });
  const { objects, runtime } = runtimeObjectsOf(name);

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('follows the env config', () => {
    const deployment = only(objects, 'Deployment');
    const hpa = only(objects, 'HorizontalPodAutoscaler');
    expect(deployment.metadata.namespace).toBe(env.namespace);
    expect(deployment.metadata.labels['app.kubernetes.io/instance']).toBe(envChartId(env));
    expect(hpa.spec).toMatchObject({ minReplicas: env.runtime.minReplicas, maxReplicas: env.runtime.maxReplicas });
    expect(deployment.spec.template.spec.containers[0].image).toBe(env.runtime.image);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(gracePeriodFor(env.runtime.drainSeconds));
    expect(only(objects, 'ConfigMap').data.bundleDigest).toBe(env.pipeline.bundleDigest);
    expect(runtime.highAvailability).toBe(env.highAvailability);
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(env.highAvailability);
  });

  test('is wired to the managed etcd lease store and the control plane', () => {
    const container = only(objects, 'Deployment').spec.template.spec.containers[0];
    const envVars = Object.fromEntries(container.env.map((e: K8sObject) => [e.name, e.value]));
    expect(envVars.RSPP_LEASE_STORE).toBe('etcd');
    expect(envVars.RSPP_ETCD_ENDPOINTS).toMatch(/^https:\/\//);
    expect(envVars.RSPP_CONTROL_PLANE_URL).toMatch(/^https?:\/\//);
    expect(envVars.RSPP_LEASE_TTL_SECONDS).toBe(String(env.leaseStore.leaseTtlSeconds));
  });

  test('mounts its own certificate through the typed tls prop (part of its own Deployment, not a patch from outside)', () => {
    const pod = only(objects, 'Deployment').spec.template.spec;
    expect(runtime.tlsSecretName).toBe('runtime-tls');
    expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'runtime-tls', defaultMode: 0o440 } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: RUNTIME_TLS_MOUNT_PATH, readOnly: true });
  });
});
