/**
 * The one way to check an authority epoch (turn-engine.md §8: validation on ingress and egress).
 *
 * An `EpochFence` remembers, per key, the highest epoch it has learned and whether that epoch is
 * still writable. A carried epoch is accepted only when it equals the highest known epoch and that
 * epoch is writable; anything older (or a future epoch the fence has not been told about) is a
 * mismatch, and an epoch whose lease is gone is deauthorized. The fence never moves backwards, so
 * once a successor's epoch is known, the old holder's outputs stay rejected forever.
 *
 * Feed it from the holder side with `bindLease` (revokes synchronously inside `onLost`, so the
 * holder stops at once) and from the consumer side with `applyState` (from `LeaseStore.watch`).
 * The check itself is synchronous and allocation-light: it runs on every output.
 */
import type { AuthorityLease, EpochVerdict, LeaseState, LeaseStore } from './lease-store';

interface KeyAuthority {
  highestEpoch: number;
  writable: boolean;
}

/** Counts of verdicts, by reason, since the fence was created. */
export interface EpochFenceStats {
  readonly accepted: number;
  readonly rejectedStale: number;
  readonly rejectedDeauthorized: number;
  readonly rejectedInvalid: number;
}

export interface EpochFenceOptions {
  /** Called with every rejection (for metrics such as `rspp_stale_epoch_outputs_fenced_total`). */
  readonly onReject?: (verdict: Extract<EpochVerdict, { accepted: false }>) => void;
}

export class EpochFence {
  private readonly keys = new Map<string, KeyAuthority>();
  /** Leases of this process bound with `bindLease`, consulted on every check (deadline included). */
  private readonly boundLeases = new Map<string, AuthorityLease>();
  private readonly onReject?: EpochFenceOptions['onReject'];
  private accepted = 0;
  private rejectedStale = 0;
  private rejectedDeauthorized = 0;
  private rejectedInvalid = 0;

  constructor(options: EpochFenceOptions = {}) {
    this.onReject = options.onReject;
  }

  /** Learns that `epoch` is the writable epoch of `key`. Ignored if an equal or higher epoch is known. */
  authorize(key: string, epoch: number): void {
    assertEpochArgument('authorize', key, epoch);
    const known = this.keys.get(key);
    if (!known) {
      this.keys.set(key, { highestEpoch: epoch, writable: true });
    } else if (epoch > known.highestEpoch) {
      known.highestEpoch = epoch;
      known.writable = true;
    }
  }

  /**
   * Marks `key` as having no writable epoch. With `epoch`, only that epoch (or an older one) is
   * revoked, so a late loss event of an old lease cannot revoke a successor's newer epoch.
   */
  revoke(key: string, epoch?: number): void {
    const known = this.keys.get(key);
    if (epoch !== undefined) {
      assertEpochArgument('revoke', key, epoch);
      if (!known) {
        this.keys.set(key, { highestEpoch: epoch, writable: false });
        // Stryker disable next-line EqualityOperator: `>=` is equivalent, the equal case below does the same (writable = false).
      } else if (epoch > known.highestEpoch) {
        known.highestEpoch = epoch;
        known.writable = false;
      } else if (epoch === known.highestEpoch) {
        known.writable = false;
      }
      return;
    }
    if (known) known.writable = false;
  }

  /** Applies a store view (`LeaseStore.watch`/`inspect`). Older views than what is known are ignored. */
  applyState(state: LeaseState): void {
    if (state.holder) {
      this.authorize(state.key, state.holder.epoch);
    } else if (state.latestEpoch > 0) {
      this.revoke(state.key, state.latestEpoch);
    }
  }

  /**
   * Binds a lease held by this process: authorizes its epoch now and revokes it synchronously when
   * the lease is lost. Returns the unsubscribe function of the loss listener.
   */
  bindLease(lease: AuthorityLease): () => void {
    if (lease.isHeld()) {
      this.authorize(lease.key, lease.epoch);
      const bound = this.boundLeases.get(lease.key);
      if (!bound || bound.epoch < lease.epoch) this.boundLeases.set(lease.key, lease);
    } else {
      this.revoke(lease.key, lease.epoch);
    }
    const unsubscribe = lease.onLost((event) => {
      this.revoke(event.key, event.epoch);
      if (this.boundLeases.get(event.key) === lease) this.boundLeases.delete(event.key);
    });
    return () => {
      unsubscribe();
      if (this.boundLeases.get(lease.key) === lease) this.boundLeases.delete(lease.key);
    };
  }

  /** The writable epoch of `key`, if any. */
  currentEpoch(key: string): number | undefined {
    const bound = this.boundLeases.get(key);
    if (bound && !bound.isHeld()) this.revoke(key, bound.epoch);
    const known = this.keys.get(key);
    return known?.writable ? known.highestEpoch : undefined;
  }

  /** Checks a carried epoch. Never throws; every call is counted. */
  check(key: string, epoch: number | undefined): EpochVerdict {
    if (key.length === 0 || epoch === undefined || !Number.isSafeInteger(epoch) || epoch < 0) {
      this.rejectedInvalid++;
      return this.reject({ accepted: false, key, epoch, currentEpoch: this.currentEpoch(key), reason: 'lease_invalid_input' });
    }
    const known = this.keys.get(key);
    if (!known) {
      this.rejectedDeauthorized++;
      return this.reject({ accepted: false, key, epoch, currentEpoch: undefined, reason: 'lease_deauthorized' });
    }
    if (epoch !== known.highestEpoch) {
      this.rejectedStale++;
      return this.reject({
        accepted: false,
        key,
        epoch,
        currentEpoch: known.writable ? known.highestEpoch : undefined,
        reason: 'lease_stale_epoch',
      });
    }
    const bound = this.boundLeases.get(key);
    if (bound && bound.epoch === epoch && !bound.isHeld()) this.revoke(key, epoch);
    if (!known.writable) {
      this.rejectedDeauthorized++;
      return this.reject({ accepted: false, key, epoch, currentEpoch: undefined, reason: 'lease_deauthorized' });
    }
    this.accepted++;
    return { accepted: true, key, epoch, reason: 'lease_authorized' };
  }

  /**
   * Like `check`, but when the carried epoch is newer than anything this fence knows (a grant it has
   * not heard of yet), it asks the store once and checks again. Older epochs are rejected without
   * a round trip.
   */
  async checkWithStore(store: Pick<LeaseStore, 'inspect'>, key: string, epoch: number | undefined): Promise<EpochVerdict> {
    const known = this.keys.get(key);
    const newer = epoch !== undefined && Number.isSafeInteger(epoch) && (!known || epoch > known.highestEpoch);
    if (!newer) return this.check(key, epoch);
    this.applyState(await store.inspect(key));
    return this.check(key, epoch);
  }

  stats(): EpochFenceStats {
    return {
      accepted: this.accepted,
      rejectedStale: this.rejectedStale,
      rejectedDeauthorized: this.rejectedDeauthorized,
      rejectedInvalid: this.rejectedInvalid,
    };
  }

  private reject(verdict: Extract<EpochVerdict, { accepted: false }>): EpochVerdict {
    this.onReject?.(verdict);
    return verdict;
  }
}

/**
 * Pure comparison of a carried epoch with a store view; used by `LeaseStore.validateEpoch` so the
 * store and the fence give the same answer for the same facts.
 */
export function verdictFromState(state: LeaseState, epoch: number | undefined): EpochVerdict {
  const fence = new EpochFence();
  fence.applyState(state);
  return fence.check(state.key, epoch);
}

function assertEpochArgument(method: string, key: string, epoch: number): void {
  if (key.length === 0) throw new RangeError(`EpochFence.${method}: key must be non-empty`);
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RangeError(`EpochFence.${method}: epoch for key "${key}" must be a non-negative integer, got ${epoch}`);
  }
}
