import { find, goldenApp, runtimePod } from '../fixtures/golden-app';
import { POD, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-013 ServiceAccount and token', () => {
  it('fires on the default ServiceAccount with a mounted token', () => {
    const app = goldenApp();
    const { pod } = runtimePod(app);
    delete pod.serviceAccountName;
    delete pod.automountServiceAccountToken;
    expect(findingsOf(app, 'RSPP-POD-013')).toEqual([
      line('RSPP-POD-013', RUNTIME, `${POD}.serviceAccountName`, "pod runs as the namespace's default ServiceAccount"),
      line('RSPP-POD-013', RUNTIME, `${POD}.automountServiceAccountToken`, 'API token of ServiceAccount "default" is mounted but no RoleBinding grants that account anything'),
    ]);
  });
  it("fires when the pod does not opt out and the ServiceAccount's own setting allows the mount", () => {
    const app = goldenApp();
    delete runtimePod(app).pod.automountServiceAccountToken;
    delete find(app, 'ServiceAccount', 'rspp-runtime').automountServiceAccountToken;
    expect(findingsOf(app, 'RSPP-POD-013')).toEqual([
      line('RSPP-POD-013', RUNTIME, `${POD}.automountServiceAccountToken`, 'API token of ServiceAccount "rspp-runtime" is mounted but no RoleBinding grants that account anything'),
    ]);
  });
  it("stays quiet when the ServiceAccount's automount is false", () => {
    const app = goldenApp();
    delete runtimePod(app).pod.automountServiceAccountToken;
    expect(findingsOf(app, 'RSPP-POD-013')).toEqual([]);
  });
  it('stays quiet on a mounted token when a RoleBinding grants the account API access', () => {
    const app = goldenApp();
    runtimePod(app).pod.automountServiceAccountToken = true;
    app.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rspp-runtime', namespace: 'rspp' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'rspp-runtime' },
      subjects: [{ kind: 'ServiceAccount', name: 'rspp-runtime', namespace: 'rspp' }],
    });
    expect(findingsOf(app, 'RSPP-POD-013')).toEqual([]);
  });
  it('fires on a ServiceAccount shared by two workloads', () => {
    const app = goldenApp();
    const { deployment } = runtimePod(app);
    const copy = JSON.parse(JSON.stringify(deployment));
    copy.metadata.name = 'rspp-other';
    app.push(copy);
    expect(findingsOf(app, 'RSPP-POD-013')).toEqual([
      line('RSPP-POD-013', RUNTIME, `${POD}.serviceAccountName`, 'ServiceAccount "rspp-runtime" is shared with Deployment/rspp-other'),
      line('RSPP-POD-013', 'Deployment/rspp/rspp-other', `${POD}.serviceAccountName`, 'ServiceAccount "rspp-runtime" is shared with Deployment/rspp-runtime'),
    ]);
  });
});

describe('RSPP-POD-013: which bindings count as "the workload calls the API"', () => {
  const MOUNTED = 'API token of ServiceAccount "rspp-runtime" is mounted but no RoleBinding grants that account anything';
  /** The runtime pod mounts its token; `binding` (if any) is added to the output. */
  function mountedWith(binding?: Record<string, unknown>) {
    const app = goldenApp();
    runtimePod(app).pod.automountServiceAccountToken = true;
    if (binding) app.push({ apiVersion: 'rbac.authorization.k8s.io/v1', roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, ...binding });
    return findingsOf(app, 'RSPP-POD-013');
  }
  const firesMounted = [line('RSPP-POD-013', RUNTIME, `${POD}.automountServiceAccountToken`, MOUNTED)];
  const sa = { kind: 'ServiceAccount', name: 'rspp-runtime', namespace: 'rspp' };

  it('a ClusterRoleBinding granting the account counts', () => {
    expect(mountedWith({ kind: 'ClusterRoleBinding', metadata: { name: 'crb' }, subjects: [sa] })).toEqual([]);
  });
  it('the account may be any one of several subjects', () => {
    expect(mountedWith({ kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'rspp' }, subjects: [{ kind: 'User', name: 'alice' }, sa] })).toEqual([]);
  });
  it("a subject without a namespace is in the RoleBinding's namespace", () => {
    expect(mountedWith({ kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'rspp' }, subjects: [{ kind: 'ServiceAccount', name: 'rspp-runtime' }] })).toEqual([]);
  });
  it('a subject of another kind, name or namespace does not count', () => {
    const rb = (subject: Record<string, unknown>) => ({ kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'rspp' }, subjects: [subject] });
    expect(mountedWith(rb({ ...sa, kind: 'User' }))).toEqual(firesMounted);
    expect(mountedWith(rb({ ...sa, name: 'rspp-other' }))).toEqual(firesMounted);
    expect(mountedWith(rb({ ...sa, namespace: 'elsewhere' }))).toEqual(firesMounted);
    expect(mountedWith({ kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'elsewhere' }, subjects: [{ kind: 'ServiceAccount', name: 'rspp-runtime' }] })).toEqual(firesMounted);
  });
  it('a binding without subjects grants nothing', () => {
    expect(mountedWith({ kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'rspp' } })).toEqual(firesMounted);
  });
  it('naming the ServiceAccount "default" explicitly is still the default account', () => {
    const app = goldenApp();
    runtimePod(app).pod.serviceAccountName = 'default';
    expect(findingsOf(app, 'RSPP-POD-013')).toEqual([line('RSPP-POD-013', RUNTIME, `${POD}.serviceAccountName`, "pod runs as the namespace's default ServiceAccount")]);
  });
});
