/** The `cluster` block of EnvironmentConfig (issue #12): flavour, storage class, extra DNS resolvers. */
import { dev, prod, stage } from '../../envs';
import { CLUSTER_FLAVOURS, clusterFlavourOf, storageClassOf } from '../../envs/cluster-flavour';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { environmentProblems, validateEnvironment } from '../../envs/schema';
import { synthPlatform, byKind } from '../constructs/platform-invariants.support';

const withCluster = (env: EnvironmentConfig, cluster: unknown): unknown => ({ ...env, cluster });

describe('cluster flavour in the env schema', () => {
  it.each([['stage', stage], ['prod', prod]] as const)('%s without a storage class is refused, with the fix', (name, env) => {
    expect(environmentProblems(withCluster(env, { flavour: 'eks' }), name)).toEqual([
      `${name}: cluster.storageClassName: required in ${name}; volume claims without a class stay Pending on clusters with no default StorageClass (EKS ≥ 1.30) and the release rolls back: set cluster.storageClassName to an existing StorageClass (e.g. "gp3")`,
    ]);
    expect(environmentProblems(withCluster(env, { flavour: 'gke' }), name)[0]).toMatch(/\(e\.g\. "standard-rwo"\)$/);
    expect(() => validateEnvironment(withCluster(env, { flavour: 'aks' }), name)).toThrow(/cluster\.storageClassName: required/);
  });

  it('dev may use the cluster default: no class on generic, the flavour default on kind', () => {
    expect(environmentProblems(withCluster(dev, { flavour: 'generic' }), 'dev')).toEqual([]);
    expect(storageClassOf({ cluster: { flavour: 'generic' } })).toBeUndefined();
    expect(storageClassOf(dev)).toBe('standard');
    expect(storageClassOf(prod)).toBe('gp3');
  });

  it('refuses an unknown flavour, a bad class name, a CIDR or non-address as resolver, and unknown keys', () => {
    const problems = environmentProblems(withCluster(prod, { flavour: 'openshift', storageClassName: 'GP3!', dnsResolverAddresses: ['169.254.20.0/24', 'dns.local'], zone: 'a' }), 'prod');
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^prod: cluster\.flavour: .*"openshift".*eks.*gke.*aks.*kind.*generic/),
      expect.stringMatching(/^prod: cluster\.storageClassName: "GP3!" is not a StorageClass name; use lowercase/),
      expect.stringMatching(/^prod: cluster\.dnsResolverAddresses\[0\]: "169\.254\.20\.0\/24" is a CIDR; list single resolver IP addresses/),
      expect.stringMatching(/^prod: cluster\.dnsResolverAddresses\[1\]: "dns\.local" is not an IPv4\/IPv6 address/),
      expect.stringMatching(/^prod: cluster\.zone: /),
    ]));
    expect(environmentProblems({ ...prod, cluster: undefined }, 'prod')).toEqual(expect.arrayContaining([expect.stringMatching(/^prod: cluster: /)]));
  });

  it('each env\'s storage class reaches the etcd volume claims', () => {
    for (const env of [stage, prod]) {
      const [sts] = byKind(synthPlatform(env).objects, 'StatefulSet');
      expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe(env.cluster.storageClassName);
    }
    const [devSts] = byKind(synthPlatform(withCluster(dev, { flavour: 'generic' }) as EnvironmentConfig).objects, 'StatefulSet');
    expect(devSts.spec.volumeClaimTemplates[0].spec.storageClassName).toBeUndefined();
  });

  it('flavour data: EKS needs metrics-server and has no default class; managed flavours turn off control-plane scrapes; extra resolvers add up', () => {
    expect(CLUSTER_FLAVOURS.eks).toMatchObject({ installMetricsServer: true, defaultStorageClass: undefined });
    for (const f of ['eks', 'gke', 'aks'] as const) expect(CLUSTER_FLAVOURS[f].disabledScrapeJobs).toEqual(['kubeControllerManager', 'kubeScheduler', 'kubeEtcd', 'kubeProxy']);
    expect(CLUSTER_FLAVOURS.kind.disabledScrapeJobs).toEqual([]);
    expect(clusterFlavourOf({ cluster: { flavour: 'aks', dnsResolverAddresses: ['10.0.0.10'] } }).dnsAddresses).toEqual(['10.0.0.10']);
  });
});
