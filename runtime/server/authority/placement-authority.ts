/**
 * The server's hold on authority: one placement lease (key `runtime-placements/<region>/<pod>`)
 * acquired from the configured `LeaseStore`. Its epoch is what every session's engine stamps and
 * fences with. The holder also probes the store so `/readyz` can report "store reachable".
 *
 * On loss the `onLost` callback runs synchronously inside the lease's loss listener, so sessions
 * are fenced before any further output can leave. The holder then tries to re-acquire with capped
 * backoff; a new lease means a new, higher epoch, used by sessions opened afterwards.
 */
import type { AuthorityLease, LeaseLossEvent, LeaseStore } from '../../authority';

export interface PlacementAuthorityProps {
  readonly store: LeaseStore;
  /** Lease key, e.g. `runtime-placements/local/pod-0`. */
  readonly key: string;
  /** Placement identity (pod name). */
  readonly holderId: string;
  readonly ttlSeconds: number;
  /** Called synchronously when a lease is granted (first time and after re-acquisition). */
  readonly onAcquired: (lease: AuthorityLease) => void;
  /** Called synchronously when the held lease is lost; the caller must stop emitting at once. */
  readonly onLost: (event: LeaseLossEvent) => void;
  /** Called after every store probe with its result. */
  readonly onReachability?: (reachable: boolean) => void;
  /**
   * Interval between store reachability probes, ms.
   * @default ttlSeconds * 1000 / 4
   */
  readonly probeIntervalMs?: number;
  /**
   * Re-acquire after a loss.
   * @default true
   */
  readonly reacquire?: boolean;
}

export function placementLeaseKey(region: string, podName: string): string {
  return `runtime-placements/${region}/${podName}`;
}

export class PlacementAuthority {
  private lease: AuthorityLease | undefined;
  private unsubscribe: (() => void) | undefined;
  private reachable = true;
  private stopped = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private reacquireTimer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(private readonly props: PlacementAuthorityProps) {
    if (props.key.trim() === '') throw new Error('PlacementAuthority: key must be non-empty');
    if (props.holderId.trim() === '') throw new Error('PlacementAuthority: holderId must be non-empty');
  }

  /** The held epoch, or undefined while no lease is held. */
  get epoch(): number | undefined {
    return this.lease?.isHeld() ? this.lease.epoch : undefined;
  }

  get held(): boolean {
    return this.lease?.isHeld() ?? false;
  }

  get storeReachable(): boolean {
    return this.reachable;
  }

  /**
   * Acquires the lease, waiting up to one TTL for a previous holder of the same name (a restarted
   * pod) to expire. Rejects if it cannot be acquired.
   */
  async start(): Promise<void> {
    await this.acquire(this.props.ttlSeconds * 1000);
    const interval = this.props.probeIntervalMs ?? Math.max(250, (this.props.ttlSeconds * 1000) / 4);
    this.probeTimer = setInterval(() => void this.probe(), interval);
    this.probeTimer.unref();
  }

  /** Releases the lease (a successor can acquire at once) and stops probing. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    if (this.reacquireTimer) clearTimeout(this.reacquireTimer);
    this.unsubscribe?.();
    const lease = this.lease;
    this.lease = undefined;
    if (lease?.isHeld()) await lease.release().catch(() => undefined);
  }

  private async acquire(waitMs: number): Promise<void> {
    const lease = await this.props.store.acquire({
      key: this.props.key,
      holderId: this.props.holderId,
      ttlSeconds: this.props.ttlSeconds,
      waitMs,
    });
    if (this.stopped) {
      await lease.release().catch(() => undefined);
      return;
    }
    this.lease = lease;
    this.reachable = true;
    this.unsubscribe = lease.onLost((event) => this.handleLoss(event));
    if (lease.isHeld()) this.props.onAcquired(lease);
  }

  private handleLoss(event: LeaseLossEvent): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.props.onLost(event);
    if (!this.stopped && event.reason !== 'released' && this.props.reacquire !== false) this.scheduleReacquire(500);
  }

  private scheduleReacquire(delayMs: number): void {
    this.reacquireTimer = setTimeout(() => {
      this.reacquireTimer = undefined;
      if (this.stopped || this.held) return;
      this.acquire(0).catch(() => {
        if (!this.stopped) this.scheduleReacquire(Math.min(delayMs * 2, this.props.ttlSeconds * 1000));
      });
    }, delayMs);
    this.reacquireTimer.unref();
  }

  /** One reachability probe: the store answers `inspect` within half a TTL. */
  private async probe(): Promise<void> {
    if (this.probing || this.stopped) return;
    this.probing = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('probe timeout')), (this.props.ttlSeconds * 1000) / 2);
      });
      await Promise.race([this.props.store.inspect(this.props.key), timeout]);
      this.reachable = true;
    } catch {
      this.reachable = false;
    } finally {
      if (timer) clearTimeout(timer);
      this.probing = false;
      this.props.onReachability?.(this.reachable);
    }
  }
}
