/**
 * The control plane against a REAL etcd: placement authority and the turn-start lease re-check
 * follow a failover between two runtimes (AE-003: the old epoch is stale everywhere).
 */
import { request } from 'node:http';
import { EtcdLeaseStore } from '../../../runtime/authority';
import { ControlPlaneService } from '../../../runtime/control-plane';
import { loadArtifacts } from '../../../pipelines';
import { etcdAvailable, startEtcd, type EtcdServer } from '../../support/etcd-server';

if (!etcdAvailable()) {
  throw new Error('etcd is not on PATH: run `bash test/tools/install-test-tools.sh`');
}

function post(port: number, path: string, body: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', timeout: 5000, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('control plane with the etcd lease store', () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  test('AE-003 turn-start re-checks the lease: the crashed holder’s epoch is stale, the successor’s granted', async () => {
    const bundle = loadArtifacts().bundles[0].digest;
    const key = 'runtime-placements/local/pod-0';
    const runtimeA = new EtcdLeaseStore({ endpoints: [etcd.endpoint], defaultTtlSeconds: 2 });
    const runtimeB = new EtcdLeaseStore({ endpoints: [etcd.endpoint], defaultTtlSeconds: 2 });
    const service = new ControlPlaneService({
      store: new EtcdLeaseStore({ endpoints: [etcd.endpoint] }),
      host: '127.0.0.1',
      apiPort: 0,
      adminPort: 0,
    });
    const { apiPort } = await service.start();
    try {
      const old = await runtimeA.acquire({ key, holderId: 'pod-0' });
      const body = { tenant_id: 'acme', session_id: 's-1', bundle_digest: bundle, placement_key: key };
      expect((await post(apiPort, '/v1/turn-start', { ...body, authority_epoch: old.epoch })).lease).toEqual({ authority_epoch: old.epoch, valid: true, granted: true });

      await runtimeA.close({ releaseLeases: false }); // crash: no release
      const successor = await runtimeB.acquire({ key, holderId: 'pod-0', waitMs: 4000 });
      expect(successor.epoch).toBeGreaterThan(old.epoch);
      expect((await post(apiPort, '/v1/turn-start', { ...body, authority_epoch: old.epoch })).lease).toEqual({ authority_epoch: old.epoch, valid: false, granted: false });
      expect((await post(apiPort, '/v1/turn-start', { ...body, authority_epoch: successor.epoch })).lease).toEqual({
        authority_epoch: successor.epoch,
        valid: true,
        granted: true,
      });
    } finally {
      await service.stop();
      await runtimeB.close();
      await runtimeA.close();
    }
  });
});
