/**
 * The holder-side lease state machine shared by every store implementation, so renewal and
 * self-deauthorization behave identically whatever the backend (turn-engine.md §8):
 *
 * - renewal every TTL/2, measured from when the previous renewal was *sent*;
 * - a transient renewal failure is retried (every TTL/10) until the local deadline;
 * - local deadline = last renewal sent + TTL. It is never later than the store's expiry (the store
 *   starts its TTL when it receives the request), so the holder deauthorizes itself before a
 *   successor can be granted: fencing, not split brain;
 * - a definitive answer from the store (lease unknown, key deleted or replaced) ends the lease at once;
 * - on loss, listeners run synchronously, before anything else, so a holder stops emitting at once.
 */
import type { AuthorityClock, AuthorityTimer } from './authority-clock';
import { LeaseError } from './lease-errors';
import type { AuthorityLease, LeaseLossEvent, LeaseLossReason } from './lease-store';

/** What a backend must provide for one granted lease. */
export interface LeaseRenewal {
  /** Sends one renewal. Resolves `renewed` or `gone` (store no longer knows the lease); rejects on transient failure. */
  renew(): Promise<'renewed' | 'gone'>;
  /** Revokes the lease in the store (deleting its key). Best effort; may reject. */
  revoke(): Promise<void>;
  /** Frees backend resources (watches) once the lease is lost, whatever the reason. */
  dispose(): void;
}

export interface HeldLeaseInit {
  readonly key: string;
  readonly holderId: string;
  readonly epoch: number;
  readonly ttlMs: number;
  /** Clock time at which the grant request was sent (start of the first authorization window). */
  readonly grantSentAtMs: number;
  readonly clock: AuthorityClock;
  readonly renewal: LeaseRenewal;
}

export class HeldLease implements AuthorityLease {
  readonly key: string;
  readonly holderId: string;
  readonly epoch: number;
  readonly ttlMs: number;
  readonly lost: Promise<LeaseLossEvent>;

  private readonly clock: AuthorityClock;
  private readonly renewal: LeaseRenewal;
  private readonly listeners = new Set<(event: LeaseLossEvent) => void>();
  private resolveLost!: (event: LeaseLossEvent) => void;
  private lossEvent: LeaseLossEvent | undefined;
  private lastRenewalSentAtMs: number;
  private renewTimer: AuthorityTimer | undefined;
  private deadlineTimer: AuthorityTimer | undefined;
  private renewInFlight: Promise<void> | undefined;
  private releasing: Promise<void> | undefined;

  constructor(init: HeldLeaseInit) {
    this.key = init.key;
    this.holderId = init.holderId;
    this.epoch = init.epoch;
    this.ttlMs = init.ttlMs;
    this.clock = init.clock;
    this.renewal = init.renewal;
    this.lastRenewalSentAtMs = init.grantSentAtMs;
    this.lost = new Promise((resolve) => (this.resolveLost = resolve));
    this.armDeadline();
    this.scheduleRenewal(this.lastRenewalSentAtMs + this.ttlMs / 2);
  }

  /**
   * Also consults the clock: a holder whose event loop stalled past its deadline (GC pause, SIGSTOP)
   * finds itself deauthorized here, before any timer of its own gets to run.
   */
  isHeld(): boolean {
    if (this.lossEvent) return false;
    if (this.clock.now() >= this.authorizedUntilMs()) {
      this.markLost('ttl_elapsed_without_renewal', `no successful renewal within the ${this.ttlMs} ms TTL`);
      return false;
    }
    return true;
  }

  authorizedUntilMs(): number {
    return this.lastRenewalSentAtMs + this.ttlMs;
  }

  onLost(listener: (event: LeaseLossEvent) => void): () => void {
    const lost = this.lossEvent;
    if (lost) {
      queueMicrotask(() => listener(lost));
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  renew(): Promise<void> {
    if (!this.isHeld()) {
      return Promise.reject(this.lostError('renew'));
    }
    if (!this.renewInFlight) {
      this.renewInFlight = this.renewOnce().finally(() => (this.renewInFlight = undefined));
    }
    return this.renewInFlight;
  }

  release(): Promise<void> {
    if (!this.releasing) {
      // Stop emitting first (listeners run now), then free the key for a successor.
      this.markLost('released');
      this.releasing = this.renewal.revoke().catch(() => {
        // The store is unreachable: the lease expires there after its TTL; locally it is already gone.
      });
    }
    return this.releasing;
  }

  /** Ends the lease (idempotent). Used by the backend for key watch events and store close. */
  markLost(reason: LeaseLossReason, detail?: string): void {
    if (this.lossEvent) return;
    this.lossEvent = {
      key: this.key,
      holderId: this.holderId,
      epoch: this.epoch,
      reason,
      atMs: this.clock.now(),
      ...(detail === undefined ? {} : { detail }),
    };
    if (this.renewTimer) this.clock.clearTimer(this.renewTimer);
    if (this.deadlineTimer) this.clock.clearTimer(this.deadlineTimer);
    this.renewTimer = undefined;
    this.deadlineTimer = undefined;
    const event = this.lossEvent;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A failing listener must not keep the others from stopping.
      }
    }
    this.listeners.clear();
    this.resolveLost(event);
    this.renewal.dispose();
    if (reason === 'ttl_elapsed_without_renewal') {
      // A stalled (not partitioned) holder frees the key now instead of letting it expire; only our
      // own lease is revoked, never a successor's. Unreachable store: it expires there by itself.
      this.renewal.revoke().catch(() => undefined);
    }
  }

  private async renewOnce(): Promise<void> {
    const sentAtMs = this.clock.now();
    let answer: 'renewed' | 'gone';
    try {
      answer = await this.renewal.renew();
    } catch (error) {
      if (this.lossEvent) throw this.lostError('renew');
      throw new LeaseError(
        'store_unreachable',
        `renewal of the authority lease for key "${this.key}" (epoch ${this.epoch}) failed: ${messageOf(error)}`,
      );
    }
    // Past the deadline while waiting for the answer: the window closed, it is not reopened.
    if (!this.isHeld()) throw this.lostError('renew');
    if (answer === 'gone') {
      this.markLost('lease_expired_in_store', 'the store no longer knows the lease');
      throw this.lostError('renew');
    }
    if (sentAtMs > this.lastRenewalSentAtMs) {
      this.lastRenewalSentAtMs = sentAtMs;
      this.armDeadline();
    }
  }

  private scheduleRenewal(atMs: number): void {
    if (this.lossEvent) return;
    if (this.renewTimer) this.clock.clearTimer(this.renewTimer);
    this.renewTimer = this.clock.setTimer(() => {
      this.renewTimer = undefined;
      this.renew().then(
        () => this.scheduleRenewal(this.lastRenewalSentAtMs + this.ttlMs / 2),
        () => this.scheduleRenewal(this.clock.now() + Math.max(50, this.ttlMs / 10)),
      );
    }, atMs - this.clock.now());
  }

  private armDeadline(): void {
    if (this.lossEvent) return;
    if (this.deadlineTimer) this.clock.clearTimer(this.deadlineTimer);
    const deadline = this.authorizedUntilMs();
    this.deadlineTimer = this.clock.setTimer(() => {
      this.deadlineTimer = undefined;
      if (this.clock.now() >= this.authorizedUntilMs()) {
        this.markLost('ttl_elapsed_without_renewal', `no successful renewal within the ${this.ttlMs} ms TTL`);
      } else {
        this.armDeadline();
      }
    }, deadline - this.clock.now());
  }

  private lostError(operation: string): LeaseError {
    return new LeaseError(
      'lease_lost',
      `cannot ${operation} the authority lease for key "${this.key}" (epoch ${this.epoch}): ` +
        `it was lost (${this.lossEvent?.reason}); acquire a new lease (new epoch) instead`,
    );
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
