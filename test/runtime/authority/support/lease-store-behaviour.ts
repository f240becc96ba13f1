/**
 * The behavioural suite every `LeaseStore` implementation must pass (turn-engine.md §8,
 * conformance AE-003). `in-memory-lease-store.test.ts` runs it on a manual clock,
 * `etcd-lease-store.test.ts` against a real etcd.
 */
import { EpochFence, LeaseError, LeaseUnavailableError, type AuthorityLease, type LeaseLossEvent, type LeaseState, type LeaseStore } from '../../../../runtime/authority';

export interface LeaseStoreWorld {
  /** A new client (one "runtime") of the shared store. */
  connect(): Promise<LeaseStore>;
  /** Cuts (true) or restores (false) the network between `store` and the store backend. */
  partition(store: LeaseStore, cut: boolean): void;
  /** Lets `ms` of (store) time pass. */
  elapse(ms: number): Promise<void>;
  /** The clock the stores use. */
  now(): number;
  /** Closes every client and the backend. */
  dispose(): Promise<void>;
}

export interface LeaseStoreHarness {
  readonly name: string;
  /** TTL used by the suite; etcd needs >= 2 s. */
  readonly ttlSeconds: number;
  /**
   * Slack allowed on top of a TTL for the store to notice expiry (etcd checks expiry periodically).
   */
  readonly expirySlackMs: number;
  /** How late a timer may fire on this clock (0 for a manual clock; real timers lag under load). */
  readonly timerSlackMs: number;
  createWorld(): Promise<LeaseStoreWorld>;
}

let keyCounter = 0;
function freshKey(prefix: string): string {
  keyCounter += 1;
  return `${prefix}/k${keyCounter}-${process.pid}-${Date.now() % 100000}`;
}

export function describeLeaseStoreBehaviour(harness: LeaseStoreHarness): void {
  const ttlMs = harness.ttlSeconds * 1000;

  describe(`LeaseStore behaviour: ${harness.name}`, () => {
    let world: LeaseStoreWorld;

    beforeEach(async () => {
      world = await harness.createWorld();
    });
    afterEach(async () => {
      await world.dispose();
    });

    test('grants epoch 1 on a fresh key and refuses a second holder with lease_held', async () => {
      const key = freshKey('grant');
      const [a, b] = [await world.connect(), await world.connect()];
      const lease = await a.acquire({ key, holderId: 'runtime-a', ttlSeconds: harness.ttlSeconds });
      expect(lease.epoch).toBe(1);
      expect(lease.isHeld()).toBe(true);
      const refused = b.acquire({ key, holderId: 'runtime-b', ttlSeconds: harness.ttlSeconds });
      await expect(refused).rejects.toBeInstanceOf(LeaseUnavailableError);
      await expect(refused).rejects.toMatchObject({ code: 'lease_held', currentHolderId: 'runtime-a', currentEpoch: 1 });
      expect(await b.inspect(key)).toEqual({ key, latestEpoch: 1, holder: { holderId: 'runtime-a', epoch: 1 } });
    });

    test('epochs strictly increase across releases and holders (never reused)', async () => {
      const key = freshKey('monotonic');
      const stores = [await world.connect(), await world.connect()];
      const epochs: number[] = [];
      for (let round = 0; round < 6; round++) {
        const lease = await stores[round % 2].acquire({ key, holderId: `runtime-${round % 2}`, ttlSeconds: harness.ttlSeconds });
        epochs.push(lease.epoch);
        await lease.release();
      }
      for (let i = 1; i < epochs.length; i++) expect(epochs[i]).toBeGreaterThan(epochs[i - 1]);
      expect((await stores[0].inspect(key)).latestEpoch).toBe(epochs[epochs.length - 1]);
      expect((await stores[0].inspect(key)).holder).toBeUndefined();
    });

    test('concurrent contenders: exactly one wins', async () => {
      const key = freshKey('race');
      const stores = await Promise.all([1, 2, 3, 4].map(() => world.connect()));
      const results = await Promise.allSettled(
        stores.map((store, i) => store.acquire({ key, holderId: `runtime-${i}`, ttlSeconds: harness.ttlSeconds })),
      );
      const winners = results.filter((r): r is PromiseFulfilledResult<AuthorityLease> => r.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      expect(winners[0].value.epoch).toBe(1);
      for (const r of results) {
        if (r.status === 'rejected') expect((r.reason as LeaseError).code).toBe('lease_held');
      }
    });

    test('renewal at TTL/2 keeps the lease across several TTLs', async () => {
      const key = freshKey('renew');
      const [a, b] = [await world.connect(), await world.connect()];
      const lease = await a.acquire({ key, holderId: 'runtime-a', ttlSeconds: harness.ttlSeconds });
      const firstDeadline = lease.authorizedUntilMs();
      await world.elapse(ttlMs * 2.5);
      expect(lease.isHeld()).toBe(true);
      expect(lease.authorizedUntilMs()).toBeGreaterThan(firstDeadline + ttlMs);
      await expect(b.acquire({ key, holderId: 'runtime-b', ttlSeconds: harness.ttlSeconds })).rejects.toMatchObject({ code: 'lease_held' });
    });

    test('release: onLost fires at once, the key is free, the successor gets a higher epoch and the old epoch is fenced', async () => {
      const key = freshKey('release');
      const [a, b] = [await world.connect(), await world.connect()];
      const old = await a.acquire({ key, holderId: 'runtime-a', ttlSeconds: harness.ttlSeconds });
      const holderFence = new EpochFence();
      holderFence.bindLease(old);
      const losses: LeaseLossEvent[] = [];
      old.onLost((event) => losses.push(event));
      const releasing = old.release();
      // Stop-emitting is synchronous with the release call, before the store round trip.
      expect(losses.map((l) => l.reason)).toEqual(['released']);
      expect(holderFence.check(key, old.epoch)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
      await releasing;
      const next = await b.acquire({ key, holderId: 'runtime-b', ttlSeconds: harness.ttlSeconds });
      expect(next.epoch).toBeGreaterThan(old.epoch);
      expect(await b.validateEpoch(key, old.epoch)).toMatchObject({ accepted: false, reason: 'lease_stale_epoch', currentEpoch: next.epoch });
      expect(await b.validateEpoch(key, next.epoch)).toMatchObject({ accepted: true, reason: 'lease_authorized' });
      await expect(old.renew()).rejects.toMatchObject({ code: 'lease_lost' });
      expect(old.isHeld()).toBe(false);
    });

    test('AE-003 holder crash: successor serves within TTL + slack with a higher epoch; 0 stale outputs accepted', async () => {
      const key = freshKey('crash');
      const [a, b, sinkStore] = [await world.connect(), await world.connect(), await world.connect()];
      const old = await a.acquire({ key, holderId: 'runtime-a', ttlSeconds: harness.ttlSeconds });
      // The egress sink: a consumer-side fence kept current by the store watch.
      const sinkFence = new EpochFence();
      const seen: LeaseState[] = [];
      const watch = await sinkStore.watch(key, (state) => {
        seen.push(state);
        sinkFence.applyState(state);
      });
      const holderFence = new EpochFence();
      holderFence.bindLease(old);
      expect(sinkFence.check(key, old.epoch).accepted).toBe(true);

      const crashAt = world.now();
      await a.close({ releaseLeases: false });
      const successor = b.acquire({ key, holderId: 'runtime-b', ttlSeconds: harness.ttlSeconds, waitMs: ttlMs + harness.expirySlackMs + 1000 });
      // Drive time until the successor is in (manual clocks need the push; real ones just wait).
      let next: AuthorityLease | undefined;
      let servingAt = Number.NaN;
      void successor.then((lease) => ((next = lease), (servingAt = world.now())), () => undefined);
      const step = Math.max(50, ttlMs / 20);
      for (let waited = 0; !next && waited <= ttlMs + harness.expirySlackMs + 1000; waited += step) await world.elapse(step);
      const lease = await successor;
      const failoverMs = servingAt - crashAt;
      expect(lease.epoch).toBeGreaterThan(old.epoch);
      expect(failoverMs).toBeLessThanOrEqual(ttlMs + harness.expirySlackMs);

      // The dead holder's queued outputs arrive late at the sink, still stamped with the old epoch.
      await waitFor(world, () => sinkFence.currentEpoch(key) === lease.epoch);
      let acceptedStale = 0;
      for (let i = 0; i < 50; i++) {
        if (sinkFence.check(key, old.epoch).accepted) acceptedStale++;
        if (holderFence.check(key, old.epoch).accepted) acceptedStale++;
        if ((await sinkStore.validateEpoch(key, old.epoch)).accepted) acceptedStale++;
      }
      expect(acceptedStale).toBe(0);
      expect(sinkFence.check(key, lease.epoch).accepted).toBe(true);
      expect(seen.some((s) => s.holder?.holderId === 'runtime-b')).toBe(true);
      await watch.close();
      (globalThis as { __leaseFailoverMs?: Record<string, number> }).__leaseFailoverMs = {
        ...(globalThis as { __leaseFailoverMs?: Record<string, number> }).__leaseFailoverMs,
        [harness.name]: failoverMs,
      };
    });

    test('partition: the cut-off holder deauthorizes itself at TTL, before any successor is granted (no split brain)', async () => {
      const key = freshKey('partition');
      const [a, b] = [await world.connect(), await world.connect()];
      const old = await a.acquire({ key, holderId: 'runtime-a', ttlSeconds: harness.ttlSeconds });
      const holderFence = new EpochFence();
      holderFence.bindLease(old);
      await world.elapse(ttlMs / 4);
      world.partition(a, true);
      const cutAt = world.now();
      const successor = b.acquire({ key, holderId: 'runtime-b', ttlSeconds: harness.ttlSeconds, waitMs: 3 * ttlMs + harness.expirySlackMs });
      let next: AuthorityLease | undefined;
      let grantedAt = Number.NaN;
      // At the instant the successor is granted, could the old holder still emit?
      let emittedWhileSuccessorHeld = 0;
      void successor.then(
        (lease) => {
          next = lease;
          grantedAt = world.now();
          if (old.isHeld()) emittedWhileSuccessorHeld++;
          if (holderFence.check(key, old.epoch).accepted) emittedWhileSuccessorHeld++;
        },
        () => undefined,
      );
      const step = Math.max(50, ttlMs / 20);
      for (let waited = 0; !next && waited <= 3 * ttlMs + harness.expirySlackMs; waited += step) {
        await world.elapse(step);
      }
      const lease = await successor;
      const loss = await old.lost;
      expect(loss.reason).toBe('ttl_elapsed_without_renewal');
      // Self-deauthorized no later than TTL after the cut (last renewal was sent before the cut).
      expect(loss.atMs - cutAt).toBeLessThanOrEqual(ttlMs + harness.timerSlackMs);
      // Fencing, not split brain: the old authority ended before the new one began.
      expect(loss.atMs).toBeLessThanOrEqual(grantedAt);
      expect(lease.epoch).toBeGreaterThan(old.epoch);
      expect(emittedWhileSuccessorHeld).toBe(0);
      expect(holderFence.check(key, old.epoch).accepted).toBe(false);
      world.partition(a, false);
    });

    test('watch reports grants, releases and epochs; a fence fed by it tracks authority', async () => {
      const key = freshKey('watch');
      const [a, observer] = [await world.connect(), await world.connect()];
      const states: LeaseState[] = [];
      const fence = new EpochFence();
      const watch = await observer.watch(key, (state) => {
        states.push(state);
        fence.applyState(state);
      });
      expect(states[0]).toEqual({ key, latestEpoch: 0 });
      const lease = await a.acquire({ key, holderId: 'runtime-a', ttlSeconds: harness.ttlSeconds });
      await waitFor(world, () => fence.currentEpoch(key) === lease.epoch);
      await lease.release();
      await waitFor(world, () => fence.currentEpoch(key) === undefined);
      expect(fence.check(key, lease.epoch)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
      expect(states.some((s) => s.holder?.epoch === lease.epoch)).toBe(true);
      expect(states[states.length - 1]).toEqual({ key, latestEpoch: lease.epoch });
      await watch.close();
    });

    test('validateEpoch: authorized, stale, deauthorized and invalid input', async () => {
      const key = freshKey('validate');
      const a = await world.connect();
      expect(await a.validateEpoch(key, 1)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
      const first = await a.acquire({ key, holderId: 'runtime-a', ttlSeconds: harness.ttlSeconds });
      await first.release();
      const second = await a.acquire({ key, holderId: 'runtime-a', ttlSeconds: harness.ttlSeconds });
      expect(await a.validateEpoch(key, second.epoch)).toMatchObject({ accepted: true });
      expect(await a.validateEpoch(key, first.epoch)).toMatchObject({ accepted: false, reason: 'lease_stale_epoch' });
      expect(await a.validateEpoch(key, second.epoch + 1)).toMatchObject({ accepted: false, reason: 'lease_stale_epoch' });
      expect(await a.validateEpoch(key, undefined)).toMatchObject({ accepted: false, reason: 'lease_invalid_input' });
      expect(await a.validateEpoch(key, -1)).toMatchObject({ accepted: false, reason: 'lease_invalid_input' });
      await second.release();
      expect(await a.validateEpoch(key, second.epoch)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
    });

    test('malformed requests are refused with invalid_request naming the field', async () => {
      const a = await world.connect();
      await expect(a.acquire({ key: '', holderId: 'x' })).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringContaining('LeaseRequest.key') });
      await expect(a.acquire({ key: 'a//b', holderId: 'x' })).rejects.toMatchObject({ code: 'invalid_request' });
      await expect(a.acquire({ key: 'ok', holderId: '' })).rejects.toMatchObject({ message: expect.stringContaining('LeaseRequest.holderId') });
      await expect(a.acquire({ key: 'ok', holderId: 'x', ttlSeconds: 0.5 })).rejects.toMatchObject({ message: expect.stringContaining('LeaseRequest.ttlSeconds') });
      await expect(a.acquire({ key: 'ok', holderId: 'x', waitMs: -1 })).rejects.toMatchObject({ message: expect.stringContaining('LeaseRequest.waitMs') });
    });

    test('a closed store refuses further calls with store_closed', async () => {
      const a = await world.connect();
      await a.close();
      await expect(a.acquire({ key: freshKey('closed'), holderId: 'x', ttlSeconds: harness.ttlSeconds })).rejects.toMatchObject({ code: 'store_closed' });
    });
  });
}

async function waitFor(world: LeaseStoreWorld, condition: () => boolean, limitMs = 3000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await world.elapse(20);
  }
}
