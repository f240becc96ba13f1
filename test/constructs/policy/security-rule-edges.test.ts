/**
 * Edges of the security rules (manifest-policy.md) that the mutation run of issue #18 showed no test
 * pinned: values of the wrong type, boundaries of the digest and credential patterns, fallbacks for
 * unnamed volumes, and the exact finding lines a user reads.
 */
import { find, goldenApp, runtimePod } from './fixtures/golden-app';
import { C0, POD, RUNTIME, findingsOf, line } from './policy-test-kit';
import { secretLikeReason } from '../../../constructs/policy/rules/rspp-pod-014-secret-env-values';

const SC = `${C0}.securityContext`;

describe('pod hardening rules judge the value, not just its presence', () => {
  test('RSPP-POD-001: only a literal true shares a host namespace', () => {
    const app = goldenApp();
    Object.assign(runtimePod(app).pod, { hostNetwork: 'true', hostPID: false, hostIPC: true });
    expect(findingsOf(app, 'RSPP-POD-001')).toEqual([line('RSPP-POD-001', RUNTIME, `${POD}.hostIPC`, "hostIPC is true; the pod shares the node's namespace")]);
  });

  test('RSPP-POD-002: privileged false is quiet, true names the container', () => {
    const app = goldenApp();
    runtimePod(app).container.securityContext.privileged = false;
    expect(findingsOf(app, 'RSPP-POD-002')).toEqual([]);
    runtimePod(app).container.securityContext.privileged = true;
    expect(findingsOf(app, 'RSPP-POD-002')).toEqual([line('RSPP-POD-002', RUNTIME, `${SC}.privileged`, 'container "runtime" is privileged')]);
  });

  test('RSPP-POD-003: a string "false" is not false', () => {
    const app = goldenApp();
    runtimePod(app).container.securityContext.allowPrivilegeEscalation = 'false';
    expect(findingsOf(app, 'RSPP-POD-003')).toEqual([
      line('RSPP-POD-003', RUNTIME, `${SC}.allowPrivilegeEscalation`, 'container "runtime" allowPrivilegeEscalation is "false"'),
    ]);
  });

  test('RSPP-POD-004: runAsNonRoot false and a non-numeric UID are reported with their values', () => {
    const app = goldenApp();
    Object.assign(runtimePod(app).container.securityContext, { runAsNonRoot: false, runAsUser: '1000' });
    expect(findingsOf(app, 'RSPP-POD-004')).toEqual([
      line('RSPP-POD-004', RUNTIME, `${SC}.runAsNonRoot`, 'container "runtime" runAsNonRoot is false'),
      line('RSPP-POD-004', RUNTIME, `${SC}.runAsUser`, 'container "runtime" runAsUser is "1000" (root)'),
    ]);
    Object.assign(runtimePod(app).container.securityContext, { runAsNonRoot: true, runAsUser: 1 });
    expect(findingsOf(app, 'RSPP-POD-004')).toEqual([]);
  });

  test('RSPP-POD-005: a profile without a type, and Localhost set on the pod', () => {
    const app = goldenApp();
    runtimePod(app).pod.securityContext.seccompProfile = { localhostProfile: 'x.json' };
    expect(findingsOf(app, 'RSPP-POD-005')).toEqual([
      line('RSPP-POD-005', RUNTIME, `${POD}.securityContext.seccompProfile`, 'container "runtime" seccompProfile type is undefined'),
    ]);
    runtimePod(app).pod.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'x.json' };
    expect(findingsOf(app, 'RSPP-POD-005')).toEqual([]);
  });

  test('RSPP-POD-006: no capabilities block at all, and a non-string added capability', () => {
    const app = goldenApp();
    delete runtimePod(app).container.securityContext.capabilities;
    expect(findingsOf(app, 'RSPP-POD-006')).toEqual([line('RSPP-POD-006', RUNTIME, `${SC}.capabilities.drop`, 'container "runtime" does not drop ALL capabilities')]);
    runtimePod(app).container.securityContext.capabilities = { drop: ['ALL'], add: [7] };
    expect(findingsOf(app, 'RSPP-POD-006')).toEqual([line('RSPP-POD-006', RUNTIME, `${SC}.capabilities.add[0]`, 'container "runtime" adds capability 7')]);
  });

  test('RSPP-POD-007: readOnlyRootFilesystem false is reported as false', () => {
    const app = goldenApp();
    runtimePod(app).container.securityContext.readOnlyRootFilesystem = false;
    expect(findingsOf(app, 'RSPP-POD-007')).toEqual([line('RSPP-POD-007', RUNTIME, `${SC}.readOnlyRootFilesystem`, 'container "runtime" readOnlyRootFilesystem is false')]);
  });

  test('RSPP-POD-008 / 009: an unnamed volume is named by its index; hostPort 0 means no host port', () => {
    const app = goldenApp();
    const { pod, container } = runtimePod(app);
    const index = pod.volumes.length;
    pod.volumes.push({ hostPath: { path: '/var/run' } });
    container.ports.push({ containerPort: 9999, hostPort: 0 });
    expect(findingsOf(app, 'RSPP-POD-008')).toEqual([line('RSPP-POD-008', RUNTIME, `${POD}.volumes[${index}].hostPath`, `volume "#${index}" is of type hostPath`)]);
    expect(findingsOf(app, 'RSPP-POD-009')).toEqual([line('RSPP-POD-009', RUNTIME, `${POD}.volumes[${index}].hostPath`, `volume "#${index}" mounts a host path`)]);
    container.ports.push({ containerPort: 9998, hostPort: 8080 });
    expect(findingsOf(app, 'RSPP-POD-009')[0]).toBe(line('RSPP-POD-009', RUNTIME, `${C0}.ports[${container.ports.length - 1}].hostPort`, 'container "runtime" binds hostPort 8080'));
  });
});

describe('RSPP-POD-011 image digest: exactly @sha256: and 64 lowercase hex at the end', () => {
  const HEX = 'a'.repeat(64);
  test.each([
    ['registry.example.com/rspp/runtime@sha256:' + 'a'.repeat(63), false],
    ['registry.example.com/rspp/runtime@sha256:' + 'a'.repeat(65), false],
    ['registry.example.com/rspp/runtime@sha256:' + 'A'.repeat(64), false],
    [`registry.example.com/rspp/runtime@sha256:${HEX}-extra`, false],
    [`registry.example.com/rspp/runtime@sha512:${HEX}`, false],
    [`registry.example.com/rspp/runtime:1.0@sha256:${'0123456789abcdef'.repeat(4)}`, true],
  ])('%s pinned: %s', (image, pinned) => {
    const app = goldenApp();
    runtimePod(app).container.image = image;
    const expected = pinned ? [] : [line('RSPP-POD-011', RUNTIME, `${C0}.image`, `container "runtime" image ${JSON.stringify(image)} is not pinned by digest`)];
    expect(findingsOf(app, 'RSPP-POD-011')).toEqual(expected);
  });

  test('a container without an image is reported as null', () => {
    const app = goldenApp();
    delete runtimePod(app).container.image;
    expect(findingsOf(app, 'RSPP-POD-011')).toEqual([line('RSPP-POD-011', RUNTIME, `${C0}.image`, 'container "runtime" image null is not pinned by digest')]);
  });
});

describe('RSPP-POD-014 credential shapes and names', () => {
  test.each([
    ['eyJhbGciOi.eyJzdWIiOi.sig', 'a JWT'],
    ['ASIA' + 'A'.repeat(16), 'an AWS access key id'],
    ['gho_' + 'a'.repeat(36), 'a GitHub token'],
    ['xoxb-' + '1'.repeat(10), 'a Slack token'],
    ['sk-' + 'a'.repeat(20), 'a private API key (sk-...)'],
    ['https://user:pw@example.com/x', 'a URL with an embedded password'],
    ['-----BEGIN RSA PRIVATE KEY-----', 'a PEM block'],
  ])('%s is %s whatever the variable is called', (value, shape) => {
    expect(secretLikeReason('PLAIN', value)).toBe(`value looks like ${shape}`);
  });

  test.each([
    ['eyJhbGc.eyJzdWIiOi.sig'], // first segment too short (4 after eyJ)
    ['AKIA' + 'A'.repeat(15)],
    ['ghp_' + 'a'.repeat(35)],
    ['xoxb-' + '1'.repeat(9)],
    ['sk-' + 'a'.repeat(19)],
    ['https://user@example.com/x'],
    ['https://example.com/a:b@c'],
    ['plain text'],
  ])('%s is not a credential shape', (value) => {
    expect(secretLikeReason('PLAIN', value)).toBeUndefined();
  });

  test.each(['password', 'DB_PASSWD', 'APP_SECRET', 'GH_TOKEN', 'API_KEY', 'CLOUD_CREDENTIALS', 'PRIVATE_BLOB'])('%s with a literal is a secret name', (name) => {
    expect(secretLikeReason(name, 'v')).toBe(`name "${name}" says it holds a secret but its value is a literal`);
  });

  test.each(['TLS_KEY_FILE', 'KEY_PATH', 'SECRET_DIR', 'SECRET_NAME', 'TOKEN_REF', 'TOKEN_TTL_SECONDS', 'token_ttl'])('%s names where a secret is, not the secret', (name) => {
    expect(secretLikeReason(name, '/x')).toBeUndefined();
  });

  test('an env entry without a name is checked by its value; valueFrom entries are skipped', () => {
    const app = goldenApp();
    const { container } = runtimePod(app);
    const i = container.env.length;
    container.env.push({ value: 'sk-' + 'b'.repeat(24) }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } });
    expect(findingsOf(app, 'RSPP-POD-014')).toEqual([line('RSPP-POD-014', RUNTIME, `${C0}.env[${i}].value`, 'container "runtime" env : value looks like a private API key (sk-...)')]);
  });
});

describe('namespace and network rules', () => {
  test('RSPP-NS-001: a lowered level names its value; a missing label says missing', () => {
    const app = goldenApp();
    const labels = find(app, 'Namespace', 'rspp').metadata.labels;
    labels['pod-security.kubernetes.io/audit'] = 'baseline';
    delete labels['pod-security.kubernetes.io/enforce'];
    expect(findingsOf(app, 'RSPP-NS-001')).toEqual([
      line('RSPP-NS-001', 'Namespace/-/rspp', 'metadata.labels["pod-security.kubernetes.io/enforce"]', 'label pod-security.kubernetes.io/enforce is missing, not "restricted"'),
      line('RSPP-NS-001', 'Namespace/-/rspp', 'metadata.labels["pod-security.kubernetes.io/audit"]', 'label pod-security.kubernetes.io/audit is "baseline", not "restricted"'),
    ]);
  });

  test('RSPP-NET-001: a deny without policyTypes or with a pod selector does not count', () => {
    const app = goldenApp();
    const deny = find(app, 'NetworkPolicy', 'default-deny');
    deny.spec.policyTypes = ['Egress'];
    expect(findingsOf(app, 'RSPP-NET-001')).toEqual([line('RSPP-NET-001', 'Namespace/-/rspp', '(object)', 'namespace "rspp" has no default-deny Ingress NetworkPolicy')]);
    deny.spec.policyTypes = ['Ingress', 'Egress'];
    deny.spec.podSelector = { matchExpressions: [{ key: 'a', operator: 'Exists' }] };
    expect(findingsOf(app, 'RSPP-NET-001')).toHaveLength(2);
    deny.spec.podSelector = {};
    deny.spec.ingress = [{}];
    expect(findingsOf(app, 'RSPP-NET-001')).toEqual([line('RSPP-NET-001', 'Namespace/-/rspp', '(object)', 'namespace "rspp" has no default-deny Ingress NetworkPolicy')]);
  });

  test('RSPP-NET-002: a namespace-only peer is named; an empty podSelector with a named namespace is fine; ingress from any pod', () => {
    const app = goldenApp();
    const policy = find(app, 'NetworkPolicy', 'rspp-runtime-from-livekit');
    const ports = [{ port: 7880 }];
    policy.spec.ingress = [
      { from: [{ namespaceSelector: { matchLabels: { a: 'b' } } }], ports },
      { from: [{ namespaceSelector: { matchLabels: { a: 'b' } }, podSelector: {} }], ports },
      { from: [{ podSelector: {} }], ports },
      { from: [{}], ports },
    ];
    const P = 'NetworkPolicy/rspp/rspp-runtime-from-livekit';
    expect(findingsOf(app, 'RSPP-NET-002')).toEqual([
      line('RSPP-NET-002', P, 'spec.ingress[2].from[0]', 'source selects every pod in the namespace'),
      line('RSPP-NET-002', P, 'spec.ingress[3].from[0]', 'source selects every pod in the namespace'),
    ]);
    policy.spec.ingress = [{ from: [{ podSelector: { matchLabels: { a: 'b' } } }] }];
    policy.spec.egress = [{ ports }];
    expect(findingsOf(app, 'RSPP-NET-002')).toEqual([
      line('RSPP-NET-002', P, 'spec.ingress[0].ports', 'ingress rule allows every port'),
      line('RSPP-NET-002', P, 'spec.egress[0].to', 'egress rule allows any destination'),
    ]);
  });
});

describe('RBAC and ServiceAccounts', () => {
  test('RSPP-RBAC-001: only a literal "*" is a wildcard; only cluster-admin bound via a ClusterRole is flagged as such', () => {
    const app = goldenApp();
    app.push(
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'rspp' }, rules: [{ verbs: ['get', '*'], resources: ['pods'] }, { verbs: ['get'], resources: ['*'] }, { verbs: ['get*'], resources: ['pods*'] }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'rspp' }, roleRef: { kind: 'Role', name: 'cluster-admin' }, subjects: [] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'c', namespace: 'rspp' }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [] },
    );
    expect(findingsOf(app, 'RSPP-RBAC-001')).toEqual([
      line('RSPP-RBAC-001', 'Role/rspp/r', 'rules[0].verbs', 'rule grants wildcard verbs'),
      line('RSPP-RBAC-001', 'Role/rspp/r', 'rules[1].resources', 'rule grants wildcard resources'),
    ]);
  });

  test('RSPP-POD-013: an account shared by three workloads names the other two for each', () => {
    const app = goldenApp();
    const base = find(app, 'Deployment', 'rspp-runtime');
    for (const name of ['rspp-a', 'rspp-b']) {
      const copy = JSON.parse(JSON.stringify(base));
      copy.metadata.name = name;
      app.push(copy);
    }
    const shared = findingsOf(app, 'RSPP-POD-013').filter((f) => f.includes('is shared with'));
    expect(shared).toEqual([
      line('RSPP-POD-013', RUNTIME, `${POD}.serviceAccountName`, 'ServiceAccount "rspp-runtime" is shared with Deployment/rspp-a, Deployment/rspp-b'),
      line('RSPP-POD-013', 'Deployment/rspp/rspp-a', `${POD}.serviceAccountName`, 'ServiceAccount "rspp-runtime" is shared with Deployment/rspp-runtime, Deployment/rspp-b'),
      line('RSPP-POD-013', 'Deployment/rspp/rspp-b', `${POD}.serviceAccountName`, 'ServiceAccount "rspp-runtime" is shared with Deployment/rspp-runtime, Deployment/rspp-a'),
    ]);
  });

  test('RSPP-POD-013: the pod opting out of the token mount is quiet even if its account would mount it', () => {
    const app = goldenApp();
    runtimePod(app).pod.automountServiceAccountToken = false;
    find(app, 'ServiceAccount', 'rspp-runtime').automountServiceAccountToken = true;
    expect(findingsOf(app, 'RSPP-POD-013')).toEqual([]);
  });
});
