/**
 * EpochFence edges that the mutation run (issue #18) showed no test pinned: argument errors, a
 * revoke that learns a newer epoch, bound leases (stall, loss, unbind, two leases of one key) and
 * the "no round trip for older epochs" promise of `checkWithStore`.
 */
import { EpochFence, type AuthorityLease, type LeaseLossEvent, type LeaseState } from '../../../runtime/authority';

/** A lease whose holding state the test drives: `stall()` ends it without an event (a frozen loop). */
class ScriptedLease implements AuthorityLease {
  readonly holderId = 'me';
  readonly ttlMs = 2000;
  private held = true;
  private readonly listeners = new Set<(e: LeaseLossEvent) => void>();
  readonly lost = new Promise<LeaseLossEvent>(() => undefined);
  constructor(readonly key: string, readonly epoch: number, held = true) {
    this.held = held;
  }
  isHeld(): boolean {
    return this.held;
  }
  authorizedUntilMs(): number {
    return 0;
  }
  onLost(listener: (e: LeaseLossEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  stall(): void {
    this.held = false;
  }
  lose(): void {
    this.held = false;
    for (const l of [...this.listeners]) l({ key: this.key, holderId: this.holderId, epoch: this.epoch, reason: 'ttl_elapsed_without_renewal', atMs: 0 });
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
  async renew(): Promise<void> {}
  async release(): Promise<void> {}
}

describe('EpochFence argument errors name the method, the key and the bad value', () => {
  test('authorize and revoke refuse an empty key and a non-integer or negative epoch', () => {
    const fence = new EpochFence();
    expect(() => fence.authorize('', 1)).toThrow(new RangeError('EpochFence.authorize: key must be non-empty'));
    expect(() => fence.revoke('', 1)).toThrow(new RangeError('EpochFence.revoke: key must be non-empty'));
    expect(() => fence.authorize('s', -1)).toThrow(new RangeError('EpochFence.authorize: epoch for key "s" must be a non-negative integer, got -1'));
    expect(() => fence.revoke('s', 1.5)).toThrow(new RangeError('EpochFence.revoke: epoch for key "s" must be a non-negative integer, got 1.5'));
    expect(() => fence.authorize('s', Number.NaN)).toThrow(/got NaN/);
    expect(() => fence.authorize('s', 2 ** 53)).toThrow(/must be a non-negative integer/);
    // Nothing was learned from the refused calls.
    expect(fence.check('s', 1)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
  });

  test('epoch 0 is a valid epoch', () => {
    const fence = new EpochFence();
    fence.authorize('s', 0);
    expect(fence.check('s', 0)).toEqual({ accepted: true, key: 's', epoch: 0, reason: 'lease_authorized' });
    expect(fence.currentEpoch('s')).toBe(0);
  });
});

describe('revoke with an epoch', () => {
  test('a revoke of a newer epoch than known moves the fence forward, non-writable: the old epoch is stale, the new one deauthorized', () => {
    const fence = new EpochFence();
    fence.authorize('s', 2);
    fence.revoke('s', 5);
    expect(fence.check('s', 2)).toMatchObject({ accepted: false, reason: 'lease_stale_epoch', currentEpoch: undefined });
    expect(fence.check('s', 5)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
    fence.authorize('s', 5);
    expect(fence.check('s', 5).accepted).toBe(false);
    fence.authorize('s', 6);
    expect(fence.check('s', 6).accepted).toBe(true);
  });

  test('a revoke for an unknown key records its epoch: an older grant arriving later is refused', () => {
    const fence = new EpochFence();
    fence.revoke('s', 4);
    fence.authorize('s', 3);
    expect(fence.check('s', 3)).toMatchObject({ accepted: false, reason: 'lease_stale_epoch' });
    fence.revoke('t');
    expect(fence.check('t', 0)).toMatchObject({ reason: 'lease_deauthorized' });
  });

  test('applyState: a view with no holder revokes its latest epoch; an empty key (epoch 0, no holder) changes nothing', () => {
    const fence = new EpochFence();
    fence.authorize('s', 0);
    fence.applyState({ key: 's', latestEpoch: 0 } as LeaseState);
    expect(fence.check('s', 0).accepted).toBe(true);
    fence.applyState({ key: 's', latestEpoch: 3 } as LeaseState);
    expect(fence.check('s', 3)).toMatchObject({ reason: 'lease_deauthorized' });
  });
});

describe('bindLease', () => {
  test('binding a lease that is already lost authorizes nothing and revokes its epoch', () => {
    const fence = new EpochFence();
    fence.authorize('s', 3);
    fence.bindLease(new ScriptedLease('s', 3, false));
    expect(fence.check('s', 3)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
    const other = new EpochFence();
    other.bindLease(new ScriptedLease('s', 4, false));
    expect(other.check('s', 4)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
    expect(other.currentEpoch('s')).toBeUndefined();
    // Unbinding it does not make its epoch writable.
    const third = new EpochFence();
    third.bindLease(new ScriptedLease('s', 4, false))();
    expect(third.check('s', 4)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
  });

  test('a stalled lease (deadline passed, no loss event yet) is no longer writable for check and currentEpoch', () => {
    const fence = new EpochFence();
    const lease = new ScriptedLease('s', 3);
    fence.bindLease(lease);
    expect(fence.currentEpoch('s')).toBe(3);
    lease.stall();
    expect(fence.currentEpoch('s')).toBeUndefined();
    expect(fence.check('s', 3)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
  });

  test('the loss event revokes at once, even if the caller unbinds right after', () => {
    const fence = new EpochFence();
    const lease = new ScriptedLease('s', 3);
    const unbind = fence.bindLease(lease);
    lease.lose();
    unbind();
    expect(fence.check('s', 3)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
  });

  test('after unbind the fence stops watching that lease: its later loss or stall changes nothing', () => {
    const fence = new EpochFence();
    const lease = new ScriptedLease('s', 3);
    const unbind = fence.bindLease(lease);
    unbind();
    expect(lease.listenerCount).toBe(0);
    lease.stall();
    expect(fence.check('s', 3).accepted).toBe(true);
    expect(fence.currentEpoch('s')).toBe(3);
  });

  test('two leases of one key: the newer stays bound, whatever order they are bound or lost or unbound in', () => {
    const fence = new EpochFence();
    const older = new ScriptedLease('s', 3);
    const newer = new ScriptedLease('s', 4);
    const unbindOlder = fence.bindLease(older);
    fence.bindLease(newer);
    fence.bindLease(new ScriptedLease('s', 2)); // a late, older lease does not displace the newer one
    older.lose(); // late loss of the predecessor: neither revokes 4 nor unbinds the newer lease
    expect(fence.check('s', 4).accepted).toBe(true);
    unbindOlder();
    newer.stall();
    expect(fence.check('s', 4)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
  });

  test('a lost own lease does not revoke a successor epoch learned from the store', () => {
    const fence = new EpochFence();
    const mine = new ScriptedLease('s', 3);
    fence.bindLease(mine);
    mine.stall();
    fence.applyState({ key: 's', latestEpoch: 5, holder: { holderId: 'other', epoch: 5 } } as LeaseState);
    expect(fence.check('s', 5).accepted).toBe(true);
    expect(fence.currentEpoch('s')).toBe(5);
  });
});

describe('checkWithStore asks the store only about epochs newer than any it knows', () => {
  function countingStore(state: LeaseState) {
    const calls: string[] = [];
    return { calls, store: { inspect: async (key: string) => (calls.push(key), state) } };
  }

  test('the current and older epochs are answered locally; a newer one costs one inspect', async () => {
    const { calls, store } = countingStore({ key: 's', latestEpoch: 9, holder: { holderId: 'b', epoch: 9 } } as LeaseState);
    const fence = new EpochFence();
    fence.authorize('s', 5);
    expect((await fence.checkWithStore(store, 's', 5)).accepted).toBe(true);
    expect((await fence.checkWithStore(store, 's', 4)).reason).toBe('lease_stale_epoch');
    expect((await fence.checkWithStore(store, 's', undefined)).reason).toBe('lease_invalid_input');
    expect((await fence.checkWithStore(store, 's', 1.5)).reason).toBe('lease_invalid_input');
    expect(calls).toEqual([]);
    expect((await fence.checkWithStore(store, 's', 9)).accepted).toBe(true);
    expect(calls).toEqual(['s']);
    expect((await fence.checkWithStore(store, 's', 5)).reason).toBe('lease_stale_epoch');
    expect(calls).toEqual(['s']);
  });

  test('an unknown key is looked up in the store', async () => {
    const { calls, store } = countingStore({ key: 'k', latestEpoch: 2, holder: { holderId: 'b', epoch: 2 } } as LeaseState);
    const fence = new EpochFence();
    expect((await fence.checkWithStore(store, 'k', 2)).accepted).toBe(true);
    expect(calls).toEqual(['k']);
  });
});
