/**
 * The authority lease store contract (turn-engine.md §8, contracts.md §9).
 *
 * A lease makes one holder (a runtime placement) the only writer for a key (a session or a
 * placement) and hands it an epoch: a fencing token strictly greater than every epoch ever granted
 * for that key. Everything the holder emits carries the epoch; every consumer checks it with an
 * `EpochFence`, so output stamped with an older epoch is rejected everywhere.
 *
 * Two implementations share these semantics: `EtcdLeaseStore` (production) and
 * `InMemoryLeaseStore` (the embedded default, injectable clock).
 */
import type { AuthorityClock } from './authority-clock';

/** What a runtime asks for. */
export interface LeaseRequest {
  /** What the lease is for: a session id or a placement key. Non-empty, no '/' at either end. */
  readonly key: string;
  /** Who asks: the placement identity (e.g. the pod name). Non-empty. */
  readonly holderId: string;
  /**
   * Lease time-to-live in seconds. Renewal runs every TTL/2; past TTL without a successful renewal
   * the holder deauthorizes itself. etcd refuses TTLs below its minimum (2 s with default timing).
   * @default the store's `defaultTtlSeconds` (DEFAULT_LEASE_TTL_SECONDS unless configured)
   */
  readonly ttlSeconds?: number;
  /**
   * How long to wait for the key to become free when another holder has it (the successor path of a
   * failover). 0 means try once.
   * @default 0
   */
  readonly waitMs?: number;
}

/** Why a lease stopped being held. */
export type LeaseLossReason =
  /** The holder released it (`release()`), or closed its store gracefully. */
  | 'released'
  /** No successful renewal for a whole TTL: the holder deauthorized itself (e.g. store partitioned). */
  | 'ttl_elapsed_without_renewal'
  /** The store answered a renewal with "no such lease": it expired or was revoked there. */
  | 'lease_expired_in_store'
  /** The lease key was deleted from the store. */
  | 'key_deleted'
  /** The lease key now names another holder or another epoch. */
  | 'key_replaced'
  /** The store client was closed without releasing (crash-like exit); the lease expires in the store. */
  | 'store_closed';

/** Delivered once to every `onLost` listener; the holder must stop emitting when it arrives. */
export interface LeaseLossEvent {
  readonly key: string;
  readonly holderId: string;
  /** The epoch that is no longer writable. */
  readonly epoch: number;
  readonly reason: LeaseLossReason;
  /** Clock time (AuthorityClock.now) at which the loss was detected. */
  readonly atMs: number;
  /** Human-readable detail (underlying error message), never a credential. */
  readonly detail?: string;
}

/** A lease held by this process. */
export interface AuthorityLease {
  readonly key: string;
  readonly holderId: string;
  /** The fencing token: strictly greater than every epoch granted before for `key`. */
  readonly epoch: number;
  readonly ttlMs: number;
  /** True until the first loss event; never true again afterwards (a new lease means a new epoch). */
  isHeld(): boolean;
  /**
   * The local authorization deadline (clock ms): last renewal *sent* + TTL. Because it is measured
   * from when the renewal left, it is never later than the store's own expiry, so the holder stops
   * before a successor can be granted.
   */
  authorizedUntilMs(): number;
  /**
   * Registers a loss listener, called synchronously when loss is detected. If the lease is already
   * lost the listener is called on the next microtask. Returns an unsubscribe function.
   */
  onLost(listener: (event: LeaseLossEvent) => void): () => void;
  /** Resolves with the loss event (never rejects). */
  readonly lost: Promise<LeaseLossEvent>;
  /** Renews now (automatic renewal already runs every TTL/2). Rejects if the lease is lost. */
  renew(): Promise<void>;
  /** Gives the lease up and deletes the key so a successor can acquire at once. Idempotent. */
  release(): Promise<void>;
}

/** The current holder of a key as the store sees it. */
export interface LeaseHolder {
  readonly holderId: string;
  readonly epoch: number;
}

/** A key's authority state in the store. */
export interface LeaseState {
  readonly key: string;
  /** Highest epoch ever granted for the key; 0 when none ever was. */
  readonly latestEpoch: number;
  /** The live holder, if any. When absent, no epoch is writable for the key. */
  readonly holder?: LeaseHolder;
}

/**
 * Outcome of an epoch check. Reasons are the `LeaseResolution.reason` values of contracts.md §9:
 * `lease_authorized`, `lease_stale_epoch` (carried epoch is not the current one),
 * `lease_deauthorized` (no writable epoch for the key: lost, released or never granted),
 * `lease_invalid_input` (missing/negative/non-integer epoch or empty key).
 */
export type EpochVerdict =
  | { readonly accepted: true; readonly key: string; readonly epoch: number; readonly reason: 'lease_authorized' }
  | {
      readonly accepted: false;
      readonly key: string;
      /** The epoch the output carried (undefined when it carried none). */
      readonly epoch: number | undefined;
      /** The writable epoch the checker knows of, if any. */
      readonly currentEpoch: number | undefined;
      readonly reason: 'lease_stale_epoch' | 'lease_deauthorized' | 'lease_invalid_input';
    };

/** A subscription returned by `LeaseStore.watch`. */
export interface LeaseWatch {
  close(): Promise<void>;
}

/** Options for closing a store. */
export interface LeaseStoreCloseOptions {
  /**
   * Release held leases before closing (graceful shutdown, fastest failover). `false` simulates a
   * crash: renewals stop and the leases expire in the store after their TTL.
   * @default true
   */
  readonly releaseLeases?: boolean;
}

/** The lease store, one per process (it may hold leases for many keys). */
export interface LeaseStore {
  /** `memory` or `etcd`, as in the RSPP_LEASE_STORE setting. */
  readonly kind: 'memory' | 'etcd';
  /**
   * Acquires the lease for `request.key` (create-if-absent), granting a new epoch. When the key is
   * held by another live lease it waits up to `waitMs` for it to be freed, then rejects with
   * `LeaseUnavailableError` (code `lease_held`).
   */
  acquire(request: LeaseRequest): Promise<AuthorityLease>;
  /** Reads the key's authority state from the store. */
  inspect(key: string): Promise<LeaseState>;
  /** Compares a carried epoch with the store's current writable epoch for `key`. */
  validateEpoch(key: string, epoch: number | undefined): Promise<EpochVerdict>;
  /**
   * Calls `listener` with the key's state now and after every change (grant, release, expiry).
   * Consumers use it to advance their `EpochFence`.
   */
  watch(key: string, listener: (state: LeaseState) => void): Promise<LeaseWatch>;
  /** Stops renewals and watches and closes the connection. Idempotent. */
  close(options?: LeaseStoreCloseOptions): Promise<void>;
}

/** Options shared by both implementations. */
export interface LeaseStoreOptions {
  /**
   * TTL used when a request gives none.
   * @default DEFAULT_LEASE_TTL_SECONDS (runtime-interface.ts)
   */
  readonly defaultTtlSeconds?: number;
  /**
   * Clock for renewal and self-deauthorization timers.
   * @default systemAuthorityClock
   */
  readonly clock?: AuthorityClock;
}
