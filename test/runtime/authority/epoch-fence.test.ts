/**
 * EpochFence: the one epoch check every consumer uses (turn-engine.md §8, conformance AE-003,
 * LC-T12). Property tests drive it with arbitrary grant/revoke/check sequences.
 */
import fc from 'fast-check';
import { EpochFence, InMemoryLeaseStore, ManualAuthorityClock, leaseResolutionOf, verdictFromState } from '../../../runtime/authority';
import { LeaseResolutionSchema, validateAgainst } from '../../../runtime/contracts/v1';

describe('EpochFence', () => {
  test('accepts only the current writable epoch; older is stale, revoked is deauthorized, malformed is invalid', () => {
    const fence = new EpochFence();
    expect(fence.check('s', 1)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
    fence.authorize('s', 3);
    expect(fence.check('s', 3)).toEqual({ accepted: true, key: 's', epoch: 3, reason: 'lease_authorized' });
    expect(fence.check('s', 2)).toMatchObject({ accepted: false, reason: 'lease_stale_epoch', currentEpoch: 3 });
    expect(fence.check('s', 4)).toMatchObject({ accepted: false, reason: 'lease_stale_epoch' });
    for (const bad of [undefined, -1, 1.5, Number.NaN]) {
      expect(fence.check('s', bad)).toMatchObject({ accepted: false, reason: 'lease_invalid_input' });
    }
    expect(fence.check('', 3)).toMatchObject({ reason: 'lease_invalid_input' });
    fence.revoke('s', 3);
    expect(fence.check('s', 3)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
    expect(fence.stats()).toEqual({ accepted: 1, rejectedStale: 2, rejectedDeauthorized: 2, rejectedInvalid: 5 });
  });

  test('never moves backwards: an old grant or a late revoke of an old epoch changes nothing', () => {
    const fence = new EpochFence();
    fence.authorize('s', 5);
    fence.authorize('s', 4);
    expect(fence.currentEpoch('s')).toBe(5);
    fence.revoke('s', 4); // late loss event of the previous holder
    expect(fence.check('s', 5).accepted).toBe(true);
    fence.applyState({ key: 's', latestEpoch: 3, holder: { holderId: 'old', epoch: 3 } });
    expect(fence.check('s', 3).accepted).toBe(false);
  });

  test('onReject sees every rejection (the stale-epoch metric hook)', () => {
    const rejected: string[] = [];
    const fence = new EpochFence({ onReject: (v) => rejected.push(`${v.epoch}:${v.reason}`) });
    fence.authorize('s', 2);
    fence.check('s', 1);
    fence.check('s', 2);
    expect(rejected).toEqual(['1:lease_stale_epoch']);
  });

  test('bindLease: revokes synchronously on loss and consults the lease deadline on every check (stalled holder)', async () => {
    const clock = new ManualAuthorityClock(0);
    const store = new InMemoryLeaseStore({ clock });
    const lease = await store.acquire({ key: 's', holderId: 'a', ttlSeconds: 2 });
    const fence = new EpochFence();
    fence.bindLease(lease);
    expect(fence.check('s', lease.epoch).accepted).toBe(true);
    // Time jumps past the deadline without any timer running (a frozen event loop waking up).
    clock.jump(2000);
    expect(fence.check('s', lease.epoch)).toMatchObject({ accepted: false, reason: 'lease_deauthorized' });
    expect(lease.isHeld()).toBe(false);
    expect((await lease.lost).reason).toBe('ttl_elapsed_without_renewal');
    await store.close();
  });

  test('checkWithStore learns a newer grant from the store, but never accepts an older epoch', async () => {
    const clock = new ManualAuthorityClock(0);
    const store = new InMemoryLeaseStore({ clock });
    const first = await store.acquire({ key: 's', holderId: 'a', ttlSeconds: 2 });
    const fence = new EpochFence();
    fence.authorize('s', first.epoch);
    await first.release();
    const second = await store.acquire({ key: 's', holderId: 'b', ttlSeconds: 2 });
    expect(fence.check('s', second.epoch).accepted).toBe(false);
    expect((await fence.checkWithStore(store, 's', second.epoch)).accepted).toBe(true);
    expect((await fence.checkWithStore(store, 's', first.epoch)).accepted).toBe(false);
    expect((await fence.checkWithStore(store, 's', second.epoch + 7)).accepted).toBe(false);
    await store.close();
  });

  test('property: after any history, an epoch below the highest ever authorized is never accepted', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('authorize' as const), epoch: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('revoke' as const), epoch: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }) }),
      fc.record({ kind: fc.constant('check' as const), epoch: fc.integer({ min: 0, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const fence = new EpochFence();
        let highest = -1;
        let writable = false;
        for (const o of ops) {
          if (o.kind === 'authorize') {
            if (o.epoch > highest) {
              highest = o.epoch;
              writable = true;
            }
            fence.authorize('k', o.epoch);
          } else if (o.kind === 'revoke') {
            if (o.epoch === undefined || o.epoch === highest) writable = false;
            else if (o.epoch > highest) {
              highest = o.epoch;
              writable = false;
            }
            fence.revoke('k', o.epoch);
          } else {
            const verdict = fence.check('k', o.epoch);
            const expected = writable && o.epoch === highest;
            if (verdict.accepted !== expected) return false;
            if (o.epoch < highest && verdict.accepted) return false;
          }
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });

  test('verdictFromState gives the same answer as a fence fed the same state', () => {
    const state = { key: 's', latestEpoch: 4, holder: { holderId: 'b', epoch: 4 } };
    expect(verdictFromState(state, 4).accepted).toBe(true);
    expect(verdictFromState(state, 3).reason).toBe('lease_stale_epoch');
    expect(verdictFromState({ key: 's', latestEpoch: 4 }, 4).reason).toBe('lease_deauthorized');
  });

  test('leaseResolutionOf gives a contract-valid LeaseResolution for every verdict (contracts.md §9)', () => {
    const fence = new EpochFence();
    fence.authorize('s', 2);
    const cases = [fence.check('s', 2), fence.check('s', 1), fence.check('t', 2), fence.check('s', undefined)];
    const resolutions = cases.map((v) => leaseResolutionOf(v));
    for (const r of resolutions) expect(validateAgainst(LeaseResolutionSchema, r)).toBeUndefined();
    expect(resolutions.map((r) => [r.reason, r.authority_epoch_valid, r.authority_authorized])).toEqual([
      ['lease_authorized', true, true],
      ['lease_stale_epoch', false, false],
      ['lease_deauthorized', true, false],
      ['lease_invalid_input', false, false],
    ]);
    expect(resolutions[3].authority_epoch).toBeUndefined();
    expect(resolutions[0].lease_resolution_snapshot).toBe('lease-resolution/v1');
  });
});
