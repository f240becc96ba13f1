/**
 * The shared state behind `InMemoryLeaseStore` clients: the in-process equivalent of the etcd
 * cluster. One registry per process is the embedded default; tests hand the same registry to
 * several stores to model runtimes contending for one key.
 *
 * Semantics mirror the etcd store: create-if-absent grants, an epoch counter per key that only
 * grows (it survives the holder's expiry and release), and store-side expiry of unrenewed leases.
 * The registry expires a lease 1 ms after its TTL, so the holder's own deadline (exactly TTL after
 * the renewal was sent) always comes first, as network latency guarantees with etcd.
 */
import { systemAuthorityClock, type AuthorityClock, type AuthorityTimer } from './authority-clock';
import type { LeaseHolder, LeaseState } from './lease-store';

interface LiveLease {
  readonly leaseId: number;
  readonly key: string;
  readonly holderId: string;
  readonly epoch: number;
  readonly ttlMs: number;
  expiryTimer: AuthorityTimer;
}

interface KeyRecord {
  latestEpoch: number;
  live?: LiveLease;
}

export type RegistryGrant =
  | { readonly granted: true; readonly leaseId: number; readonly epoch: number }
  | { readonly granted: false; readonly holder: LeaseHolder };

export interface InMemoryLeaseRegistryOptions {
  /** @default systemAuthorityClock */
  readonly clock?: AuthorityClock;
}

/** Grace past the TTL before the registry expires a lease (see file comment). */
const STORE_EXPIRY_GRACE_MS = 1;

export class InMemoryLeaseRegistry {
  readonly clock: AuthorityClock;
  private readonly records = new Map<string, KeyRecord>();
  private readonly leases = new Map<number, LiveLease>();
  private readonly subscribers = new Map<string, Set<(state: LeaseState) => void>>();
  private nextLeaseId = 1;

  constructor(options: InMemoryLeaseRegistryOptions = {}) {
    this.clock = options.clock ?? systemAuthorityClock;
  }

  /** Create-if-absent: grants a new epoch when no live lease holds `key`. */
  grant(key: string, holderId: string, ttlMs: number): RegistryGrant {
    const record = this.records.get(key) ?? { latestEpoch: 0 };
    this.records.set(key, record);
    if (record.live) {
      return { granted: false, holder: { holderId: record.live.holderId, epoch: record.live.epoch } };
    }
    const leaseId = this.nextLeaseId++;
    const epoch = record.latestEpoch + 1;
    const live: LiveLease = {
      leaseId,
      key,
      holderId,
      epoch,
      ttlMs,
      expiryTimer: this.clock.setTimer(() => this.expire(leaseId), ttlMs + STORE_EXPIRY_GRACE_MS),
    };
    record.latestEpoch = epoch;
    record.live = live;
    this.leases.set(leaseId, live);
    this.publish(key);
    return { granted: true, leaseId, epoch };
  }

  /** Restarts the lease's TTL; `gone` when the registry no longer knows it. */
  renew(leaseId: number): 'renewed' | 'gone' {
    const live = this.leases.get(leaseId);
    if (!live) return 'gone';
    this.clock.clearTimer(live.expiryTimer);
    live.expiryTimer = this.clock.setTimer(() => this.expire(leaseId), live.ttlMs + STORE_EXPIRY_GRACE_MS);
    return 'renewed';
  }

  /** Deletes the lease and its key. Unknown leases are ignored. */
  revoke(leaseId: number): void {
    const live = this.leases.get(leaseId);
    if (!live) return;
    this.clock.clearTimer(live.expiryTimer);
    this.drop(live);
  }

  state(key: string): LeaseState {
    const record = this.records.get(key);
    if (!record) return { key, latestEpoch: 0 };
    return record.live
      ? { key, latestEpoch: record.latestEpoch, holder: { holderId: record.live.holderId, epoch: record.live.epoch } }
      : { key, latestEpoch: record.latestEpoch };
  }

  /** Calls `listener` synchronously after every change of `key`. Returns the unsubscribe function. */
  subscribe(key: string, listener: (state: LeaseState) => void): () => void {
    let set = this.subscribers.get(key);
    if (!set) {
      set = new Set();
      this.subscribers.set(key, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.subscribers.delete(key);
    };
  }

  private expire(leaseId: number): void {
    const live = this.leases.get(leaseId);
    if (live) this.drop(live);
  }

  private drop(live: LiveLease): void {
    this.leases.delete(live.leaseId);
    const record = this.records.get(live.key);
    if (record?.live?.leaseId === live.leaseId) {
      delete record.live;
      this.publish(live.key);
    }
  }

  private publish(key: string): void {
    const set = this.subscribers.get(key);
    if (!set) return;
    const state = this.state(key);
    for (const listener of [...set]) {
      try {
        listener(state);
      } catch {
        // One subscriber's failure must not hide the change from the others.
      }
    }
  }
}
