/**
 * DNS egress per cluster flavour (issue #12 item 5), proven with the repository's NetworkPolicy
 * evaluator: every pod of the platform namespace reaches the flavour's resolvers (kube-dns pods and
 * its node-local/metadata addresses) on 53/UDP+TCP, and nothing else is new compared with the
 * kube-dns-only baseline (`generic`).
 */
import { prod } from '../../envs';
import { CLUSTER_FLAVOUR_NAMES, CLUSTER_FLAVOURS } from '../../envs/cluster-flavour';
import type { ClusterFlavourName, EnvironmentConfig } from '../../envs/environment-config';
import { checkPolicy } from '../../constructs/policy';
import { addressFlowAllowed, byKind, flowAllowed, K8sObject, PodView, synthPlatform, workloadPods } from './platform-invariants.support';

const withFlavour = (flavour: ClusterFlavourName, extra: Partial<EnvironmentConfig['cluster']> = {}): EnvironmentConfig => ({
  ...prod, cluster: { ...prod.cluster, flavour, ...extra },
});

const KUBE_DNS: PodView = {
  workload: 'Deployment/coredns', namespace: 'kube-system', namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
  labels: { 'k8s-app': 'kube-dns' }, ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
};
/** Addresses every flavour might use, and some nobody should reach. */
const PROBE_ADDRESSES = ['169.254.20.10', '169.254.169.254', '168.63.129.16', '10.96.0.10', '10.0.0.2', '8.8.8.8', '1.1.1.1'];
const PROBE_PORTS: Array<[number, string]> = [[53, 'UDP'], [53, 'TCP'], [443, 'TCP'], [80, 'TCP'], [853, 'TCP'], [5353, 'UDP']];

/** Every (pod, address:port) the evaluator allows toward the probe addresses. */
function addressGrid(objects: readonly K8sObject[]): Set<string> {
  const policies = byKind(objects, 'NetworkPolicy');
  const out = new Set<string>();
  for (const pod of workloadPods(objects)) {
    for (const ip of PROBE_ADDRESSES) for (const [port, protocol] of PROBE_PORTS) if (addressFlowAllowed(policies, pod, { ip }, port, protocol)) out.add(`${pod.workload} -> ${ip}:${port}/${protocol}`);
  }
  return out;
}

describe('DNS egress per cluster flavour (evaluator proof)', () => {
  const baseline = addressGrid(synthPlatform(withFlavour('generic')).objects);

  it.each(CLUSTER_FLAVOUR_NAMES)('%s: every pod reaches kube-dns and each of the flavour\'s resolver addresses on 53/UDP and 53/TCP', (flavour) => {
    const { objects } = synthPlatform(withFlavour(flavour));
    const policies = byKind(objects, 'NetworkPolicy');
    const pods = workloadPods(objects);
    expect(pods.length).toBeGreaterThanOrEqual(3);
    for (const pod of pods) {
      for (const protocol of ['UDP', 'TCP']) {
        expect(flowAllowed(policies, pod, KUBE_DNS, 53, protocol)).toBe(true);
        for (const ip of CLUSTER_FLAVOURS[flavour].dnsAddresses) expect(`${pod.workload} ${ip} ${protocol} ${addressFlowAllowed(policies, pod, { ip }, 53, protocol)}`).toBe(`${pod.workload} ${ip} ${protocol} true`);
      }
    }
  });

  it.each(CLUSTER_FLAVOUR_NAMES)('%s: nothing new beyond the flavour\'s resolvers on port 53 (compared with kube-dns only)', (flavour) => {
    const grid = addressGrid(synthPlatform(withFlavour(flavour)).objects);
    const added = [...grid].filter((f) => !baseline.has(f));
    const expected = workloadPods(synthPlatform(withFlavour(flavour)).objects).flatMap((pod) =>
      CLUSTER_FLAVOURS[flavour].dnsAddresses.flatMap((ip) => [`${pod.workload} -> ${ip}:53/UDP`, `${pod.workload} -> ${ip}:53/TCP`]));
    expect(added.sort()).toEqual(expected.sort());
    expect([...baseline].filter((f) => !grid.has(f))).toEqual([]);
  });

  it('GKE reaches NodeLocal DNSCache (169.254.20.10) and the metadata resolver; generic and AKS reach neither', () => {
    expect(CLUSTER_FLAVOURS.gke.dnsAddresses).toEqual(['169.254.20.10', '169.254.169.254']);
    const gke = addressGrid(synthPlatform(withFlavour('gke')).objects);
    expect([...gke].some((f) => f.endsWith('169.254.20.10:53/UDP'))).toBe(true);
    for (const f of ['generic', 'aks'] as const) expect([...addressGrid(synthPlatform(withFlavour(f)).objects)].some((x) => x.includes('169.254.'))).toBe(false);
  });

  it('an env\'s own resolver address (cluster.dnsResolverAddresses) is reached on 53 only', () => {
    const objects = synthPlatform(withFlavour('generic', { dnsResolverAddresses: ['10.0.0.2'] })).objects;
    const grid = addressGrid(objects);
    const pod = workloadPods(objects)[0].workload;
    expect(grid.has(`${pod} -> 10.0.0.2:53/UDP`)).toBe(true);
    expect(grid.has(`${pod} -> 10.0.0.2:443/TCP`)).toBe(false);
  });

  it.each(CLUSTER_FLAVOUR_NAMES)('%s: the manifest policy passes with zero exemptions', (flavour) => {
    const report = checkPolicy(synthPlatform(withFlavour(flavour)).objects, { env: 'prod' });
    expect(report.findings).toEqual([]);
    expect(report.exemptions).toEqual([]);
  });
});
