import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { POD, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-008 volume types', () => {
  it('fires on nfs and csi volumes', () => {
    const app = goldenApp();
    runtimePod(app).pod.volumes.push(
      { name: 'shared', nfs: { server: 'nfs.example.com', path: '/exports' } },
      { name: 'driver', csi: { driver: 'secrets-store.csi.k8s.io' } },
    );
    expect(findingsOf(app, 'RSPP-POD-008')).toEqual([
      line('RSPP-POD-008', RUNTIME, `${POD}.volumes[2].nfs`, 'volume "shared" is of type nfs'),
      line('RSPP-POD-008', RUNTIME, `${POD}.volumes[3].csi`, 'volume "driver" is of type csi'),
    ]);
  });
  it('stays quiet on every allowed type', () => {
    const app = goldenApp();
    runtimePod(app).pod.volumes.push(
      { name: 's', secret: { secretName: 'x' } },
      { name: 'p', projected: { sources: [] } },
      { name: 'd', downwardAPI: { items: [] } },
      { name: 'c', persistentVolumeClaim: { claimName: 'data' } },
    );
    expect(findingsOf(app, 'RSPP-POD-008')).toEqual([]);
  });
});
