/**
 * The shared behavioural suite against a REAL etcd (started by test/support/etcd-server.ts). Each
 * "runtime" reaches etcd through its own TCP proxy so a test can partition one runtime alone.
 */
import { EtcdLeaseStore, systemAuthorityClock, type LeaseStore } from '../../../runtime/authority';
import { etcdAvailable, startEtcd, type EtcdServer } from '../../support/etcd-server';
import { describeLeaseStoreBehaviour } from './support/lease-store-behaviour';
import { startTcpCutProxy, type TcpCutProxy } from './support/tcp-cut-proxy';

if (!etcdAvailable()) {
  throw new Error('etcd is not on PATH: run `bash test/tools/install-test-tools.sh` (the authority integration tests need a real etcd)');
}

let etcd: EtcdServer;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.stop();
  const figures = (globalThis as { __leaseFailoverMs?: Record<string, number> }).__leaseFailoverMs;
  if (figures) console.log(`lease failover (crash → successor serving), TTL 2 s: ${JSON.stringify(figures)}`);
});

describeLeaseStoreBehaviour({
  name: 'etcd',
  ttlSeconds: 2,
  // etcd's lessor checks expiry every 500 ms; the failover bound asked for is TTL + 1 s.
  expirySlackMs: 1000,
  timerSlackMs: 250,
  createWorld: async () => {
    const clients: Array<{ store: EtcdLeaseStore; proxy: TcpCutProxy }> = [];
    return {
      connect: async (): Promise<LeaseStore> => {
        const proxy = await startTcpCutProxy(etcd.clientPort);
        const store = new EtcdLeaseStore({ endpoints: [proxy.endpoint], defaultTtlSeconds: 2, callTimeoutMs: 1000 });
        clients.push({ store, proxy });
        return store;
      },
      partition: (store: LeaseStore, cut: boolean) => {
        const client = clients.find((c) => c.store === store);
        if (!client) throw new Error('partition: unknown store');
        if (cut) client.proxy.cut();
        else client.proxy.heal();
      },
      elapse: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: () => systemAuthorityClock.now(),
      dispose: async () => {
        for (const { proxy } of clients) proxy.heal();
        await Promise.all(clients.map(({ store }) => store.close({ releaseLeases: false })));
        await Promise.all(clients.map(({ proxy }) => proxy.close()));
      },
    };
  },
});
