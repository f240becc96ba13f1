/**
 * A deterministic `AuthorityClock` for tests and simulations: time moves only when `advance` is
 * called, and due timers fire in due-time order (ties in creation order).
 */
import type { AuthorityClock, AuthorityTimer } from './authority-clock';

interface PendingTimer {
  readonly id: number;
  readonly dueMs: number;
  readonly callback: () => void;
}

export class ManualAuthorityClock implements AuthorityClock {
  private nowMs: number;
  private nextId = 1;
  private readonly pending = new Map<number, PendingTimer>();

  /** @param startMs initial reading of `now()`. @default 0 */
  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimer(callback: () => void, delayMs: number): AuthorityTimer {
    const id = this.nextId++;
    this.pending.set(id, { id, dueMs: this.nowMs + Math.max(0, delayMs), callback });
    return id as unknown as AuthorityTimer;
  }

  clearTimer(timer: AuthorityTimer): void {
    this.pending.delete(timer as unknown as number);
  }

  /** Number of timers not yet fired. */
  pendingTimers(): number {
    return this.pending.size;
  }

  /**
   * Moves time forward by `ms` WITHOUT firing timers: a frozen event loop (GC pause, SIGSTOP) that
   * has just woken up, before any of its timers ran. The next `advance` fires what fell due.
   */
  jump(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualAuthorityClock.jump: ms must be >= 0, got ${ms}`);
    this.nowMs += ms;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way. Between timers the
   * pending promise callbacks run (one macrotask turn), so async renewals settle as they would.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`ManualAuthorityClock.advance: ms must be >= 0, got ${ms}`);
    const target = this.nowMs + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.pending.delete(next.id);
      this.nowMs = next.dueMs;
      next.callback();
      await settle();
    }
    this.nowMs = target;
    await settle();
  }

  private nextDue(limitMs: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.pending.values()) {
      if (timer.dueMs > limitMs) continue;
      if (!best || timer.dueMs < best.dueMs || (timer.dueMs === best.dueMs && timer.id < best.id)) best = timer;
    }
    return best;
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
