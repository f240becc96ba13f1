/**
 * The embedded default lease store: same semantics as `EtcdLeaseStore`, in process, with an
 * injectable clock. Several stores sharing one `InMemoryLeaseRegistry` behave like several runtimes
 * sharing one etcd cluster.
 */
import { verdictFromState } from './epoch-fence';
import { sameLeaseState } from './lease-state';
import { HeldLease } from './held-lease';
import { InMemoryLeaseRegistry } from './in-memory-lease-registry';
import { LeaseError, LeaseUnavailableError } from './lease-errors';
import { assertLeaseKey, assertTtlSeconds, normalizeLeaseRequest } from './lease-request';
import type {
  AuthorityLease,
  EpochVerdict,
  LeaseRequest,
  LeaseState,
  LeaseStore,
  LeaseStoreCloseOptions,
  LeaseStoreOptions,
  LeaseWatch,
} from './lease-store';
import { DEFAULT_LEASE_TTL_SECONDS } from '../contracts/runtime-interface';
import type { AuthorityClock } from './authority-clock';

export interface InMemoryLeaseStoreOptions extends LeaseStoreOptions {
  /**
   * The shared state to join. Give several stores the same registry to let them contend.
   * @default a new registry private to this store (using `clock`)
   */
  readonly registry?: InMemoryLeaseRegistry;
}

export class InMemoryLeaseStore implements LeaseStore {
  readonly kind = 'memory' as const;
  readonly registry: InMemoryLeaseRegistry;
  private readonly clock: AuthorityClock;
  private readonly defaultTtlSeconds: number;
  private readonly held = new Set<HeldLease>();
  private readonly watches = new Set<() => void>();
  private readonly onHeal = new Set<() => void>();
  private partitioned = false;
  private closed = false;

  constructor(options: InMemoryLeaseStoreOptions = {}) {
    this.defaultTtlSeconds = options.defaultTtlSeconds ?? DEFAULT_LEASE_TTL_SECONDS;
    assertTtlSeconds(this.defaultTtlSeconds, 'InMemoryLeaseStoreOptions.defaultTtlSeconds');
    if (options.registry && options.clock && options.registry.clock !== options.clock) {
      throw new LeaseError(
        'invalid_request',
        'InMemoryLeaseStoreOptions: clock differs from registry.clock; pass the clock to the registry only',
      );
    }
    this.registry = options.registry ?? new InMemoryLeaseRegistry({ clock: options.clock });
    this.clock = this.registry.clock;
  }

  /**
   * Fault injection: while partitioned, every call from this store fails with `store_unreachable`
   * and store events do not reach it, exactly as if the network to etcd were cut. Held leases then
   * end at their TTL (`ttl_elapsed_without_renewal`).
   */
  setPartitioned(partitioned: boolean): void {
    const healed = this.partitioned && !partitioned;
    this.partitioned = partitioned;
    // Like a reconnecting etcd watch: catch up with what changed while cut off.
    if (healed) for (const catchUp of [...this.onHeal]) catchUp();
  }

  async acquire(request: LeaseRequest): Promise<AuthorityLease> {
    const normalized = normalizeLeaseRequest(request, this.defaultTtlSeconds);
    const waitUntil = this.clock.now() + normalized.waitMs;
    for (;;) {
      this.assertReachable('acquire');
      const grantSentAtMs = this.clock.now();
      const grant = this.registry.grant(normalized.key, normalized.holderId, normalized.ttlMs);
      if (grant.granted) {
        return this.hold(normalized.key, normalized.holderId, grant.epoch, grant.leaseId, normalized.ttlMs, grantSentAtMs);
      }
      const remaining = waitUntil - this.clock.now();
      if (remaining <= 0) {
        throw new LeaseUnavailableError(normalized.key, grant.holder.holderId, grant.holder.epoch);
      }
      const freed = await this.waitForFree(normalized.key, remaining);
      if (!freed) {
        const holder = this.registry.state(normalized.key).holder ?? grant.holder;
        throw new LeaseUnavailableError(normalized.key, holder.holderId, holder.epoch);
      }
    }
  }

  async inspect(key: string): Promise<LeaseState> {
    assertLeaseKey(key, 'InMemoryLeaseStore.inspect');
    this.assertReachable('inspect');
    return this.registry.state(key);
  }

  async validateEpoch(key: string, epoch: number | undefined): Promise<EpochVerdict> {
    return verdictFromState(await this.inspect(key), epoch);
  }

  async watch(key: string, listener: (state: LeaseState) => void): Promise<LeaseWatch> {
    assertLeaseKey(key, 'InMemoryLeaseStore.watch');
    this.assertReachable('watch');
    let last = this.registry.state(key);
    const deliver = (state: LeaseState): void => {
      if (this.partitioned || sameLeaseState(state, last)) return;
      last = state;
      listener(state);
    };
    const unsubscribeRegistry = this.registry.subscribe(key, deliver);
    const catchUp = (): void => deliver(this.registry.state(key));
    this.onHeal.add(catchUp);
    const unsubscribe = (): void => {
      unsubscribeRegistry();
      this.onHeal.delete(catchUp);
    };
    this.watches.add(unsubscribe);
    listener(last);
    return {
      close: async () => {
        unsubscribe();
        this.watches.delete(unsubscribe);
      },
    };
  }

  async close(options: LeaseStoreCloseOptions = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const release = options.releaseLeases ?? true;
    const leases = [...this.held];
    await Promise.all(leases.map((lease) => (release ? lease.release() : lease.markLost('store_closed'))));
    for (const unsubscribe of this.watches) unsubscribe();
    this.watches.clear();
  }

  private hold(key: string, holderId: string, epoch: number, leaseId: number, ttlMs: number, grantSentAtMs: number): HeldLease {
    let unsubscribe: () => void = () => undefined;
    const lease: HeldLease = new HeldLease({
      key,
      holderId,
      epoch,
      ttlMs,
      grantSentAtMs,
      clock: this.clock,
      renewal: {
        renew: async () => {
          this.assertReachable('renew');
          return this.registry.renew(leaseId);
        },
        revoke: async () => {
          this.assertReachable('release');
          this.registry.revoke(leaseId);
        },
        dispose: () => {
          unsubscribe();
          this.held.delete(lease);
        },
      },
    });
    this.held.add(lease);
    const check = (state: LeaseState): void => {
      if (this.partitioned) return;
      if (!state.holder) lease.markLost('key_deleted', 'the lease key was deleted from the store');
      else if (state.holder.epoch !== epoch || state.holder.holderId !== holderId) {
        lease.markLost('key_replaced', `the key now names "${state.holder.holderId}" at epoch ${state.holder.epoch}`);
      }
    };
    const unsubscribeRegistry = this.registry.subscribe(key, check);
    const catchUp = (): void => check(this.registry.state(key));
    this.onHeal.add(catchUp);
    unsubscribe = () => {
      unsubscribeRegistry();
      this.onHeal.delete(catchUp);
    };
    return lease;
  }

  /** Resolves true when the key has no live holder, false after `timeoutMs`. */
  private waitForFree(key: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (freed: boolean): void => {
        if (settled) return;
        settled = true;
        unsubscribe();
        this.clock.clearTimer(timer);
        // Retry on a later turn so the registry finishes publishing the change first.
        queueMicrotask(() => resolve(freed));
      };
      const unsubscribe = this.registry.subscribe(key, (state) => {
        if (!state.holder && !this.partitioned) finish(true);
      });
      const timer = this.clock.setTimer(() => finish(false), timeoutMs);
      if (!this.registry.state(key).holder) finish(true);
    });
  }

  private assertReachable(operation: string): void {
    if (this.closed) {
      throw new LeaseError('store_closed', `InMemoryLeaseStore.${operation}: the store is closed`);
    }
    if (this.partitioned) {
      throw new LeaseError('store_unreachable', `InMemoryLeaseStore.${operation}: the store is unreachable (partitioned)`);
    }
  }
}

