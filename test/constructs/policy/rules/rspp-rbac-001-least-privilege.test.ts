import { goldenApp } from '../fixtures/golden-app';
import { findingsOf, line } from '../policy-test-kit';

const RBAC = 'rbac.authorization.k8s.io/v1';

describe('RSPP-RBAC-001 least privilege', () => {
  it('fires on wildcards, ClusterRoles, ClusterRoleBindings and cluster-admin', () => {
    const app = goldenApp();
    app.push(
      { apiVersion: RBAC, kind: 'Role', metadata: { name: 'r', namespace: 'rspp' }, rules: [{ apiGroups: [''], resources: ['*'], verbs: ['*'] }] },
      { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'cr' }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }] },
      {
        apiVersion: RBAC,
        kind: 'ClusterRoleBinding',
        metadata: { name: 'crb' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'rspp-runtime', namespace: 'rspp' }],
      },
    );
    expect(findingsOf(app, 'RSPP-RBAC-001')).toEqual([
      line('RSPP-RBAC-001', 'Role/rspp/r', 'rules[0].verbs', 'rule grants wildcard verbs'),
      line('RSPP-RBAC-001', 'Role/rspp/r', 'rules[0].resources', 'rule grants wildcard resources'),
      line('RSPP-RBAC-001', 'ClusterRole/-/cr', 'kind', 'ClusterRole grants cluster-wide; use a namespaced Role'),
      line('RSPP-RBAC-001', 'ClusterRoleBinding/-/crb', 'kind', 'ClusterRoleBinding grants cluster-wide; use a RoleBinding'),
      line('RSPP-RBAC-001', 'ClusterRoleBinding/-/crb', 'roleRef.name', 'binds cluster-admin'),
    ]);
  });
  it('stays quiet on an explicit namespaced Role and RoleBinding', () => {
    const app = goldenApp();
    app.push(
      { apiVersion: RBAC, kind: 'Role', metadata: { name: 'r', namespace: 'rspp' }, rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'] }] },
      { apiVersion: RBAC, kind: 'RoleBinding', metadata: { name: 'r', namespace: 'rspp' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'rspp-runtime' }] },
    );
    expect(findingsOf(app, 'RSPP-RBAC-001')).toEqual([]);
  });
});
