import { EXTERNAL_REFS_ANNOTATION } from '../../../../constructs/policy';
import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, POD, RUNTIME, findingsOf, line } from '../policy-test-kit';

function withMissingRefs(): ReturnType<typeof goldenApp> {
  const app = goldenApp();
  const { pod, container } = runtimePod(app);
  pod.volumes[0].configMap.name = 'missing-config';
  pod.volumes.push({ name: 'tls', secret: { secretName: 'runtime-tls' } }, { name: 'data', persistentVolumeClaim: { claimName: 'data' } });
  container.env.push({ name: 'LIVEKIT_API_KEY', valueFrom: { secretKeyRef: { name: 'livekit-api', key: 'key' } } });
  container.volumeMounts.push({ name: 'cache', mountPath: '/cache' });
  return app;
}

describe('RSPP-META-003 references exist', () => {
  it('fires on every missing ConfigMap, Secret, PVC and unknown volume mount', () => {
    expect(findingsOf(withMissingRefs(), 'RSPP-META-003')).toEqual([
      line('RSPP-META-003', RUNTIME, `${POD}.volumes[0].configMap.name`, 'ConfigMap "missing-config" is not in the output and not declared external'),
      line('RSPP-META-003', RUNTIME, `${POD}.volumes[2].secret.secretName`, 'Secret "runtime-tls" is not in the output and not declared external'),
      line('RSPP-META-003', RUNTIME, `${POD}.volumes[3].persistentVolumeClaim.claimName`, 'PersistentVolumeClaim "data" is not in the output and not declared external'),
      line('RSPP-META-003', RUNTIME, `${C0}.env[2].valueFrom.secretKeyRef.name`, 'Secret "livekit-api" is not in the output and not declared external'),
      line('RSPP-META-003', RUNTIME, `${C0}.volumeMounts[2].name`, 'container "runtime" mounts "cache", which is neither a volume nor a volumeClaimTemplate'),
    ]);
  });
  it('fires on a missing ServiceAccount, and on a RoleBinding subject that does not exist', () => {
    const app = goldenApp();
    runtimePod(app).pod.serviceAccountName = 'ghost';
    app.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'rspp' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'phantom' }] });
    expect(findingsOf(app, 'RSPP-META-003')).toEqual([
      line('RSPP-META-003', RUNTIME, `${POD}.serviceAccountName`, 'ServiceAccount "ghost" is not in the output and not declared external'),
      line('RSPP-META-003', 'RoleBinding/rspp/rb', 'subjects[0].name', 'ServiceAccount "phantom" is not in the output and not declared external'),
    ]);
  });
  it('stays quiet when refs are declared external by annotation or option, produced by a Certificate, or optional', () => {
    const app = withMissingRefs();
    const { deployment, container } = runtimePod(app);
    deployment.metadata.annotations = { [EXTERNAL_REFS_ANNOTATION]: 'ConfigMap/missing-config, Secret/livekit-api' };
    container.volumeMounts.pop();
    app.push({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'runtime', namespace: 'rspp' }, spec: { secretName: 'runtime-tls', issuerRef: { name: 'ca' } } });
    expect(findingsOf(app, 'RSPP-META-003', 'prod', { persistentVolumeClaims: ['rspp/data'] })).toEqual([]);
    container.envFrom = [{ configMapRef: { name: 'maybe', optional: true } }];
    expect(findingsOf(app, 'RSPP-META-003', 'prod', { persistentVolumeClaims: ['data'] })).toEqual([]);
  });
  it('stays quiet on a StatefulSet mount of a volumeClaimTemplate, and fires on a malformed declaration', () => {
    const app = goldenApp();
    const sts = JSON.parse(JSON.stringify(runtimePod(app).deployment));
    sts.kind = 'StatefulSet';
    sts.metadata.name = 'etcd';
    sts.spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
    sts.spec.template.spec.containers[0].volumeMounts.push({ name: 'data', mountPath: '/var/lib/etcd' });
    sts.metadata.annotations = { [EXTERNAL_REFS_ANNOTATION]: 'Service/x' };
    app.push(sts);
    expect(findingsOf(app, 'RSPP-META-003')).toEqual([
      line('RSPP-META-003', 'StatefulSet/rspp/etcd', `metadata.annotations["${EXTERNAL_REFS_ANNOTATION}"]`, `${EXTERNAL_REFS_ANNOTATION}: "Service/x" is not Kind/name with Kind one of ConfigMap, Secret, ServiceAccount, PersistentVolumeClaim`),
    ]);
  });
  it('checks the CA keypair Secret of a cert-manager Issuer', () => {
    const app = goldenApp();
    const issuer = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'rspp-ca', namespace: 'rspp' }, spec: { ca: { secretName: 'rspp-ca-keypair' } } };
    app.push(issuer);
    expect(findingsOf(app, 'RSPP-META-003')).toEqual([
      line('RSPP-META-003', 'Issuer/rspp/rspp-ca', 'spec.ca.secretName', 'Secret "rspp-ca-keypair" is not in the output and not declared external'),
    ]);
    app.push({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'ca', namespace: 'rspp' }, spec: { isCA: true, secretName: 'rspp-ca-keypair', issuerRef: { name: 'selfsigned' } } });
    expect(findingsOf(app, 'RSPP-META-003')).toEqual([]);
  });
});
