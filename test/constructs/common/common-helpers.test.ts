import {
  allPodsOfNamespace,
  assertObjectName,
  assertPeer,
  assertPolicyPorts,
  isWholeNamespacePeer,
  networkPolicyPeer,
  networkPolicyPorts,
  PeerSelector,
  configChecksum,
  containerResources,
  labelValueProblem,
  quorumMinAvailable,
  recommendedLabels,
  resolveSecurityIds,
  selectorLabels,
  spreadAcrossNodes,
  statelessMinAvailable,
  assertPinnedImage,
} from '../../../constructs/common';

describe('labels', () => {
  const identity = { name: 'rspp-runtime', instance: 'rspp-prod', version: '1.2.3', component: 'runtime' };

  test('the six recommended labels, part-of and managed-by from the shared constants', () => {
    expect(recommendedLabels(identity)).toEqual({
      'app.kubernetes.io/name': 'rspp-runtime',
      'app.kubernetes.io/instance': 'rspp-prod',
      'app.kubernetes.io/version': '1.2.3',
      'app.kubernetes.io/component': 'runtime',
      'app.kubernetes.io/part-of': 'rspp',
      'app.kubernetes.io/managed-by': 'rspp-platform',
    });
  });

  test('selectors carry no version', () => {
    expect(Object.keys(selectorLabels(identity)).sort()).toEqual(['app.kubernetes.io/component', 'app.kubernetes.io/instance', 'app.kubernetes.io/name']);
  });

  test('bad label values are refused with the field and the rule', () => {
    expect(() => recommendedLabels({ ...identity, version: 'v1 beta' }, 'X(y)')).toThrow('X(y): version "v1 beta" is not a valid label value');
    expect(labelValueProblem('a'.repeat(64))).toContain('at most 63');
    expect(labelValueProblem('')).toBeUndefined();
  });
});

describe('names, images, ids', () => {
  test('object names', () => {
    expect(assertObjectName('W', 'name', 'rspp-runtime')).toBe('rspp-runtime');
    expect(() => assertObjectName('W', 'name', '1abc')).toThrow('W: props.name "1abc" is not a valid object name');
    expect(() => assertObjectName('W', 'name', 'abcdef', 5)).toThrow('at most 5 characters');
  });

  test('images', () => {
    expect(() => assertPinnedImage('W', 'image', 'nginx')).toThrow('W: props.image "nginx" is referenced by tag');
  });

  test('security ids default to 65532 and refuse root', () => {
    expect(resolveSecurityIds()).toEqual({ runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532 });
    expect(resolveSecurityIds({ runAsUser: 1000, fsGroup: 2000 })).toEqual({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000 });
    expect(() => resolveSecurityIds({ runAsGroup: 0 }, 'W')).toThrow('W: props.runAsGroup must be a non-zero integer id');
  });

  test('container resources name every bad field', () => {
    expect(() => containerResources({ cpuRequest: '0', memoryRequest: 'x', memoryLimit: '1Gi' }, 'W')).toThrow(
      'W: props.resources.cpuRequest: "0" is not a positive Kubernetes quantity; use e.g. "250m" or "1"; props.resources.memoryRequest: "x"',
    );
  });
});

describe('workload arithmetic', () => {
  test.each([
    [2, 1],
    [3, 2],
    [20, 19],
  ])('stateless: %i replicas -> minAvailable %i (min >= minAvailable + 1)', (replicas, minAvailable) => {
    expect(statelessMinAvailable(replicas)).toBe(minAvailable);
    expect(replicas).toBeGreaterThanOrEqual(statelessMinAvailable(replicas) + 1);
  });

  test('a PDB needs two replicas', () => expect(() => statelessMinAvailable(1)).toThrow('needs at least 2 replicas'));

  test.each([
    [1, 1],
    [3, 2],
    [5, 3],
    [7, 4],
  ])('quorum of %i members is %i', (members, quorum) => expect(quorumMinAvailable(members)).toBe(quorum));

  test('spread: soft anti-affinity and zone + node spread on the given selector', () => {
    const s = spreadAcrossNodes({ a: 'b' }, { matchLabelKeys: ['controller-revision-hash'] });
    expect(s.affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(s.topologySpreadConstraints.map((t) => [t.topologyKey, t.whenUnsatisfiable, t.matchLabelKeys])).toEqual([
      ['topology.kubernetes.io/zone', 'ScheduleAnyway', ['controller-revision-hash']],
      ['kubernetes.io/hostname', 'ScheduleAnyway', ['controller-revision-hash']],
    ]);
  });

  test('config checksum is order-independent and content-sensitive', () => {
    expect(configChecksum({ a: '1', b: '2' })).toBe(configChecksum({ b: '2', a: '1' }));
    expect(configChecksum({ a: '1' })).not.toBe(configChecksum({ a: '2' }));
    expect(configChecksum({ a: '1' })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('peers must name labels', () => {
    expect(() => assertPeer('W', 'peer', { podLabels: {} })).toThrow('W: peer.podLabels must not be empty');
    expect(() => assertPeer('W', 'peer', { podLabels: { a: 'b' } })).not.toThrow();
  });

  test('a whole namespace is a peer only when named by kubernetes.io/metadata.name alone', () => {
    const livekit = allPodsOfNamespace('livekit');
    expect(livekit).toEqual({ podLabels: {}, namespaceLabels: { 'kubernetes.io/metadata.name': 'livekit' } });
    expect(isWholeNamespacePeer(livekit)).toBe(true);
    expect(() => assertPeer('W', 'peer', livekit)).not.toThrow();
    expect(networkPolicyPeer(livekit)).toEqual({ podSelector: {}, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'livekit' } } });
    const wideNamespaces: PeerSelector[] = [
      { podLabels: {}, namespaceLabels: { team: 'media' } },
      { podLabels: {}, namespaceLabels: { 'kubernetes.io/metadata.name': 'livekit', team: 'media' } },
    ];
    for (const wide of wideNamespaces) {
      expect(isWholeNamespacePeer(wide)).toBe(false);
      expect(() => assertPeer('W', 'peer', wide)).toThrow('W: peer.podLabels must not be empty');
    }
    expect(isWholeNamespacePeer({ podLabels: { app: 'x' }, namespaceLabels: { 'kubernetes.io/metadata.name': 'livekit' } })).toBe(false);
  });

  test('ports: single ports and inclusive ranges (endPort), validated', () => {
    const ports = networkPolicyPorts([{ port: 7880 }, { port: 50000, endPort: 60000, protocol: 'UDP' }, { port: 53, endPort: 53, protocol: 'UDP' }]);
    expect(ports.map((p) => ({ ...p, port: p.port?.value }))).toEqual([
      { port: 7880, protocol: 'TCP' },
      { port: 50000, endPort: 60000, protocol: 'UDP' },
      { port: 53, protocol: 'UDP' },
    ]);
    expect(() => assertPolicyPorts('W', [{ port: 50000, endPort: 60000 }])).not.toThrow();
    expect(() => assertPolicyPorts('W', [])).toThrow('W: ports must name at least one port');
    expect(() => assertPolicyPorts('W', [{ port: 0 }])).toThrow('W: port 0 is not in 1..65535');
    expect(() => assertPolicyPorts('W', [{ port: 100, endPort: 99 }])).toThrow('W: endPort 99 of the range starting at 100 must be an integer in 100..65535');
    expect(() => assertPolicyPorts('W', [{ port: 100, endPort: 1.5 }])).toThrow('endPort 1.5');
  });
});
