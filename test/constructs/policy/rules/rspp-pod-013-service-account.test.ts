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
