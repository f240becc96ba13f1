/**
 * The in-memory store (embedded default) on a manual clock: the shared behavioural suite, plus
 * timing checks only a controllable clock can make exact (renewal at TTL/2, deadline at TTL).
 */
import {
  InMemoryLeaseRegistry,
  InMemoryLeaseStore,
  ManualAuthorityClock,
  createLeaseStoreFromEnv,
  type LeaseStore,
} from '../../../runtime/authority';
import { describeLeaseStoreBehaviour } from './support/lease-store-behaviour';

describeLeaseStoreBehaviour({
  name: 'in-memory (manual clock)',
  ttlSeconds: 2,
  expirySlackMs: 50,
  timerSlackMs: 0,
  createWorld: async () => {
    const clock = new ManualAuthorityClock(1_000);
    const registry = new InMemoryLeaseRegistry({ clock });
    const stores: InMemoryLeaseStore[] = [];
    return {
      connect: async () => {
        const store = new InMemoryLeaseStore({ registry });
        stores.push(store);
        return store;
      },
      partition: (store: LeaseStore, cut: boolean) => (store as InMemoryLeaseStore).setPartitioned(cut),
      elapse: (ms: number) => clock.advance(ms),
      now: () => clock.now(),
      dispose: async () => {
        await Promise.all(stores.map((s) => s.close()));
      },
    };
  },
});

describe('InMemoryLeaseStore timing (turn-engine.md §8)', () => {
  test('renews every TTL/2 measured from the send time; deadline moves with each renewal', async () => {
    const clock = new ManualAuthorityClock(0);
    const registry = new InMemoryLeaseRegistry({ clock });
    const renewals: number[] = [];
    const original = registry.renew.bind(registry);
    registry.renew = (leaseId: number) => {
      renewals.push(clock.now());
      return original(leaseId);
    };
    const store = new InMemoryLeaseStore({ registry });
    const lease = await store.acquire({ key: 'timing', holderId: 'a', ttlSeconds: 4 });
    expect(lease.authorizedUntilMs()).toBe(4000);
    await clock.advance(7000);
    expect(renewals).toEqual([2000, 4000, 6000]);
    expect(lease.authorizedUntilMs()).toBe(10000);
    await store.close();
  });

  test('partitioned holder deauthorizes exactly at last renewal + TTL; the store expires it 1 ms later', async () => {
    const clock = new ManualAuthorityClock(0);
    const registry = new InMemoryLeaseRegistry({ clock });
    const store = new InMemoryLeaseStore({ registry });
    const lease = await store.acquire({ key: 'deadline', holderId: 'a', ttlSeconds: 2 });
    await clock.advance(1000); // renewal sent at 1000
    store.setPartitioned(true);
    await clock.advance(1999); // t = 2999: renewals failing, still inside the window
    expect(lease.isHeld()).toBe(true);
    await clock.advance(1); // t = 3000
    expect(lease.isHeld()).toBe(false);
    expect((await lease.lost).reason).toBe('ttl_elapsed_without_renewal');
    expect(registry.state('deadline').holder).toEqual({ holderId: 'a', epoch: 1 });
    await clock.advance(1); // t = 3001
    expect(registry.state('deadline').holder).toBeUndefined();
    await store.close();
  });

  test('a renewal answered "gone" ends the lease at once with lease_expired_in_store', async () => {
    const clock = new ManualAuthorityClock(0);
    const registry = new InMemoryLeaseRegistry({ clock });
    const store = new InMemoryLeaseStore({ registry });
    const lease = await store.acquire({ key: 'gone', holderId: 'a', ttlSeconds: 2 });
    registry.renew = () => 'gone';
    await clock.advance(1000);
    expect((await lease.lost).reason).toBe('lease_expired_in_store');
    await store.close();
  });

  test('key deleted in the store (revoked by an operator) ends the lease with key_deleted', async () => {
    const clock = new ManualAuthorityClock(0);
    const registry = new InMemoryLeaseRegistry({ clock });
    const store = new InMemoryLeaseStore({ registry });
    const lease = await store.acquire({ key: 'deleted', holderId: 'a', ttlSeconds: 2 });
    registry.revoke(1);
    expect(lease.isHeld()).toBe(false);
    expect((await lease.lost).reason).toBe('key_deleted');
    await store.close();
  });

  test('onLost after loss is still delivered (next microtask); a throwing listener does not block others', async () => {
    const store = new InMemoryLeaseStore({ clock: new ManualAuthorityClock(0) });
    const lease = await store.acquire({ key: 'listeners', holderId: 'a', ttlSeconds: 2 });
    const calls: string[] = [];
    lease.onLost(() => {
      throw new Error('listener bug');
    });
    lease.onLost(() => calls.push('second'));
    await lease.release();
    lease.onLost((event) => calls.push(`late:${event.reason}`));
    await Promise.resolve();
    expect(calls).toEqual(['second', 'late:released']);
    await store.close();
  });

  test('after a partition heals, watches and holders catch up with what changed meanwhile', async () => {
    const clock = new ManualAuthorityClock(0);
    const registry = new InMemoryLeaseRegistry({ clock });
    const [holder, observer, other] = [new InMemoryLeaseStore({ registry }), new InMemoryLeaseStore({ registry }), new InMemoryLeaseStore({ registry })];
    const seen: number[] = [];
    await observer.watch('heal', (state) => seen.push(state.latestEpoch));
    const lease = await holder.acquire({ key: 'heal', holderId: 'a', ttlSeconds: 10 });
    observer.setPartitioned(true);
    holder.setPartitioned(true);
    registry.revoke(1); // an operator deletes the key while both are cut off
    const next = await other.acquire({ key: 'heal', holderId: 'b', ttlSeconds: 10 });
    expect(seen).toEqual([0, 1]);
    expect(lease.isHeld()).toBe(true); // it cannot know yet (deadline still ahead)
    observer.setPartitioned(false);
    holder.setPartitioned(false);
    expect(seen).toEqual([0, 1, next.epoch]);
    expect((await lease.lost).reason).toBe('key_replaced');
    await Promise.all([holder.close(), observer.close(), other.close()]);
  });

  test('a registry and a different clock are refused', () => {
    const registry = new InMemoryLeaseRegistry({ clock: new ManualAuthorityClock(0) });
    expect(() => new InMemoryLeaseStore({ registry, clock: new ManualAuthorityClock(0) })).toThrow(/clock differs from registry.clock/);
  });
});

describe('createLeaseStoreFromEnv', () => {
  test('defaults to the in-memory store with DEFAULT_LEASE_TTL_SECONDS', async () => {
    const store = createLeaseStoreFromEnv({ env: {} });
    expect(store.kind).toBe('memory');
    await store.close();
  });

  test('etcd needs endpoints; unknown kinds and bad TTLs are refused naming the variable', () => {
    expect(() => createLeaseStoreFromEnv({ env: { RSPP_LEASE_STORE: 'etcd' } })).toThrow(/RSPP_ETCD_ENDPOINTS/);
    expect(() => createLeaseStoreFromEnv({ env: { RSPP_LEASE_STORE: 'redis' } })).toThrow(/RSPP_LEASE_STORE="redis"/);
    expect(() => createLeaseStoreFromEnv({ env: { RSPP_LEASE_TTL_SECONDS: '0' } })).toThrow(/RSPP_LEASE_TTL_SECONDS/);
    expect(() => createLeaseStoreFromEnv({ env: { RSPP_LEASE_STORE: 'etcd', RSPP_ETCD_ENDPOINTS: 'https://etcd:2379' } })).toThrow(/tls is required/);
    expect(() =>
      createLeaseStoreFromEnv({ env: { RSPP_LEASE_STORE: 'etcd', RSPP_ETCD_ENDPOINTS: 'https://etcd:2379', RSPP_ETCD_TLS_DIR: '/nonexistent' } }),
    ).toThrow(/ca\.crt/);
  });

  test('etcd with endpoints builds an etcd store (no connection until used)', async () => {
    const store = createLeaseStoreFromEnv({ env: { RSPP_LEASE_STORE: 'etcd', RSPP_ETCD_ENDPOINTS: 'http://127.0.0.1:1, http://127.0.0.1:2' } });
    expect(store.kind).toBe('etcd');
    await store.close();
  });
});
