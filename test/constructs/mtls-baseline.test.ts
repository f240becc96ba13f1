import { Testing } from 'cdk8s';
import { Certificate, ClusterIssuer, Issuer } from '../../constructs/crds';
import { MtlsBaseline, MtlsBaselineProps, POD_SECURITY_LABELS } from '../../constructs/mtls-baseline';
import { EXTERNAL_REFS_ANNOTATION } from '../../constructs/policy';
import { byKind, named, schemaProblem } from './platform-invariants.support';

function synth(props: Partial<MtlsBaselineProps> = {}, extra?: (tls: MtlsBaseline) => void) {
  const chart = Testing.chart();
  const tls = new MtlsBaseline(chart, 'tls', { namespace: 'rspp-test', ...props });
  extra?.(tls);
  return { tls, objects: Testing.synth(chart) };
}

describe('MtlsBaseline', () => {
  test('snapshot: self-signed CA bootstrap with one component certificate', () => {
    const { objects } = synth({}, (tls) => tls.issueCertificate({ component: 'runtime', dnsNames: tls.serviceDnsNames('rspp-runtime') }));
    expect(objects).toMatchSnapshot();
  });

  test('snapshot: CA issuer backed by an external root', () => {
    const { objects } = synth({ issuer: 'ca-issuer', caSecretName: 'corp-root-ca' });
    expect(objects).toMatchSnapshot();
  });

  test('RSPP-NS-001: the namespace is Pod Security restricted for enforce, audit and warn, and carries no namespace of its own', () => {
    const ns = named(synth().objects, 'Namespace', 'rspp-test');
    expect(ns.metadata.labels[POD_SECURITY_LABELS.enforce]).toBe('restricted');
    expect(ns.metadata.labels[POD_SECURITY_LABELS.audit]).toBe('restricted');
    expect(ns.metadata.labels[POD_SECURITY_LABELS.warn]).toBe('restricted');
    expect(ns.metadata.namespace).toBeUndefined();
  });

  test('RSPP-NS-002: a ResourceQuota and a LimitRange, overridable', () => {
    const { objects } = synth({ quota: { requestsCpu: '4', pods: 12 }, containerDefaults: { memoryLimit: '512Mi' } });
    const quota = byKind(objects, 'ResourceQuota')[0];
    expect(quota.spec.hard['requests.cpu']).toBe('4');
    expect(quota.spec.hard.pods).toBe(12);
    expect(quota.spec.hard['limits.memory']).toBe('48Gi');
    const limits = byKind(objects, 'LimitRange')[0];
    expect(limits.spec.limits[0].default.memory).toBe('512Mi');
    expect(limits.spec.limits[0].type).toBe('Container');
  });

  test('RSPP-NET-001: default-deny for ingress and egress over every pod, and DNS egress only to kube-dns', () => {
    const policies = byKind(synth().objects, 'NetworkPolicy');
    const deny = policies.find((p) => p.metadata.name === 'default-deny-all')!;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const dns = policies.find((p) => p.metadata.name === 'allow-egress-dns')!;
    expect(dns.spec.policyTypes).toEqual(['Egress']);
    expect(dns.spec.egress[0].to[0].podSelector.matchLabels).toEqual({ 'k8s-app': 'kube-dns' });
    expect(dns.spec.egress[0].ports.map((p: any) => `${p.port}/${p.protocol}`).sort()).toEqual(['53/TCP', '53/UDP']);
  });

  test('self-signed CA: a self-signed Issuer signs only the CA certificate; the CA Issuer signs with its keypair', () => {
    const { tls, objects } = synth();
    const issuers = byKind(objects, 'Issuer');
    expect(issuers.map((i) => [i.metadata.name, Object.keys(i.spec)[0]])).toEqual([['rspp-selfsigned', 'selfSigned'], ['rspp-ca', 'ca']]);
    const ca = named(objects, 'Certificate', 'rspp-ca');
    expect(ca.spec.isCA).toBe(true);
    expect(ca.spec.issuerRef).toMatchObject({ name: 'rspp-selfsigned', kind: 'Issuer' });
    // The CA keeps its key on renewal so certificates it signed stay trusted; components rotate theirs.
    expect(ca.spec.privateKey.rotationPolicy).toBe('Never');
    expect(named(objects, 'Issuer', 'rspp-ca').spec.ca.secretName).toBe(ca.spec.secretName);
    expect(tls.caSecretName).toBe(ca.spec.secretName);
    expect(tls.caSecretIsExternal).toBe(false);
  });

  test('external root: no bootstrap; the CA Issuer declares the Secret external', () => {
    const { tls, objects } = synth({ issuer: 'ca-issuer', caSecretName: 'corp-root-ca' });
    expect(byKind(objects, 'Issuer').map((i) => i.metadata.name)).toEqual(['rspp-ca']);
    expect(byKind(objects, 'Certificate')).toHaveLength(0);
    const issuer = named(objects, 'Issuer', 'rspp-ca');
    expect(issuer.spec.ca.secretName).toBe('corp-root-ca');
    expect(issuer.metadata.annotations[EXTERNAL_REFS_ANNOTATION]).toBe('Secret/corp-root-ca');
    expect(tls.caSecretIsExternal).toBe(true);
  });

  test('component certificates rotate: duration, renewBefore and a new private key on every renewal', () => {
    const { objects } = synth({ certificateDuration: '720h', renewBefore: '240h' }, (tls) => {
      const issued = tls.issueCertificate({ component: 'control-plane', dnsNames: ['cp.rspp-test.svc'] });
      expect(issued.secretName).toBe('control-plane-tls');
      expect(tls.certificateFor('control-plane')).toBe(issued);
    });
    const cert = named(objects, 'Certificate', 'control-plane');
    expect(cert.spec).toMatchObject({
      secretName: 'control-plane-tls',
      duration: '720h',
      renewBefore: '240h',
      dnsNames: ['cp.rspp-test.svc'],
      privateKey: { rotationPolicy: 'Always', algorithm: 'ECDSA' },
      issuerRef: { name: 'rspp-ca', kind: 'Issuer', group: 'cert-manager.io' },
    });
    expect(cert.spec.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
  });

  test('serviceDnsNames covers short, namespaced and fully qualified names, and pods when asked', () => {
    const { tls } = synth();
    expect(tls.serviceDnsNames('svc')).toEqual(['svc', 'svc.rspp-test', 'svc.rspp-test.svc', 'svc.rspp-test.svc.cluster.local']);
    expect(tls.serviceDnsNames('peers', { includePods: true })).toContain('*.peers.rspp-test.svc');
  });

  test('every object passes the cert-manager and Kubernetes schemas', () => {
    const { objects } = synth({}, (tls) => tls.issueCertificate({ component: 'runtime', dnsNames: ['r'] }));
    expect(objects.map(schemaProblem).filter(Boolean)).toEqual([]);
    const external = synth({ issuer: 'ca-issuer', caSecretName: 'corp-root-ca' }).objects;
    expect(external.map(schemaProblem).filter(Boolean)).toEqual([]);
  });

  describe('bad props', () => {
    test.each<[string, Partial<MtlsBaselineProps>, RegExp]>([
      ['namespace not a DNS label', { namespace: 'RSPP' }, /props.namespace "RSPP" is not a DNS label/],
      ['caSecretName with a self-signed CA', { issuer: 'self-signed-ca', caSecretName: 'x-ca' }, /props.caSecretName is only used with props.issuer 'ca-issuer'/],
      ['unknown issuer', { issuer: 'vault' as any }, /props.issuer must be 'self-signed-ca' or 'ca-issuer'/],
      ['duration not a Go duration', { certificateDuration: '90d' }, /props.certificateDuration "90d" is not a Go duration/],
      ['duration below one hour', { certificateDuration: '30m', renewBefore: '10m' }, /below cert-manager's minimum of 1h/],
      ['renewBefore not shorter than duration', { certificateDuration: '24h', renewBefore: '24h' }, /props.renewBefore \(24h\) must be shorter than props.certificateDuration \(24h\)/],
      ['quota not a quantity', { quota: { requestsMemory: 'lots' } }, /props.quota \(requests.memory\) "lots" is not a positive Kubernetes quantity/],
      ['quota pods not positive', { quota: { pods: 0 } }, /props.quota \(pods\) must be a positive integer/],
      ['container default not a quantity', { containerDefaults: { cpuRequest: '-1' } }, /props.containerDefaults.cpuRequest "-1"/],
    ])('%s', (_name, props, message) => {
      expect(() => synth(props)).toThrow(message);
    });

    test('a component gets one certificate', () => {
      expect(() =>
        synth({}, (tls) => {
          tls.issueCertificate({ component: 'runtime', dnsNames: ['a'] });
          tls.issueCertificate({ component: 'runtime', dnsNames: ['b'] });
        }),
      ).toThrow(/already issued \(secret "runtime-tls"\)/);
    });

    test('a certificate names a host or a common name', () => {
      expect(() => synth({}, (tls) => tls.issueCertificate({ component: 'runtime', dnsNames: [] }))).toThrow(/dnsNames must name at least one host/);
    });
  });

  describe('typed cert-manager resources (constructs/crds)', () => {
    test('an issuer has exactly one mode', () => {
      expect(() => new Issuer(Testing.chart(), 'i', { spec: {} })).toThrow(/Issuer.spec: set exactly one of "selfSigned" or "ca" \(got 0\)/);
      expect(() => new ClusterIssuer(Testing.chart(), 'i', { spec: { selfSigned: {}, ca: { secretName: 'x' } } })).toThrow(/ClusterIssuer.spec: set exactly one .* \(got 2\)/);
    });

    test('a leaf certificate names a host; issuerRef defaults to a namespaced cert-manager Issuer', () => {
      expect(() => new Certificate(Testing.chart(), 'c', { spec: { secretName: 's', issuerRef: { name: 'ca' } } })).toThrow(/Certificate "c": spec.dnsNames or spec.commonName is required/);
      const chart = Testing.chart();
      new Certificate(chart, 'c', { metadata: { name: 'c' }, spec: { secretName: 's', commonName: 'x', issuerRef: { name: 'ca' } } });
      new ClusterIssuer(chart, 'ci', { metadata: { name: 'shared-ca' }, spec: { ca: { secretName: 'root' } } });
      const [cert, clusterIssuer] = Testing.synth(chart);
      expect(cert.spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'Issuer', name: 'ca' });
      expect([schemaProblem(cert), schemaProblem(clusterIssuer)]).toEqual([undefined, undefined]);
    });
  });
});
