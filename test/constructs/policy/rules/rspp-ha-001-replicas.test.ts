import { find, goldenApp, runtimePod } from '../fixtures/golden-app';
import { findingsOf, line } from '../policy-test-kit';

function etcd(replicas: number): Record<string, unknown> {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'etcd', namespace: 'rspp' }, spec: { replicas, serviceName: 'etcd', selector: { matchLabels: { app: 'etcd' } }, template: { metadata: { labels: { app: 'etcd' } }, spec: { containers: [] } } } };
}

describe('RSPP-HA-001 replicas', () => {
  it('fires in stage/prod on an autoscaler minimum of 1 and on an unset Deployment replica count', () => {
    const app = goldenApp();
    find(app, 'HorizontalPodAutoscaler', 'rspp-runtime').spec.minReplicas = 1;
    const copy = JSON.parse(JSON.stringify(runtimePod(app).deployment));
    copy.metadata.name = 'single';
    app.push(copy);
    for (const env of ['stage', 'prod'] as const) {
      expect(findingsOf(app, 'RSPP-HA-001', env)).toEqual([
        line('RSPP-HA-001', 'HorizontalPodAutoscaler/rspp/rspp-runtime', 'spec.minReplicas', 'autoscaler of Deployment/rspp-runtime allows 1 replica'),
        line('RSPP-HA-001', 'Deployment/rspp/single', 'spec.replicas', '1 replica (default 1 when unset)'),
      ]);
    }
  });
  it('fires on StatefulSet sizes that are not a quorum', () => {
    const app = goldenApp();
    app.push(etcd(2));
    expect(findingsOf(app, 'RSPP-HA-001')).toEqual([
      line('RSPP-HA-001', 'StatefulSet/rspp/etcd', 'spec.replicas', '2 replicas is not a quorum size (odd, at least 3)'),
    ]);
  });
  it('stays quiet in dev, and on 3- and 5-member StatefulSets', () => {
    const app = goldenApp();
    find(app, 'HorizontalPodAutoscaler', 'rspp-runtime').spec.minReplicas = 1;
    expect(findingsOf(app, 'RSPP-HA-001', 'dev')).toEqual([]);
    const good = goldenApp();
    good.push(etcd(3), { ...etcd(5), metadata: { name: 'etcd5', namespace: 'rspp' } });
    expect(findingsOf(good, 'RSPP-HA-001')).toEqual([]);
  });
});
