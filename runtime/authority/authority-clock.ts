/**
 * Time source of the lease machinery. Injected so the in-memory store and the holder's
 * renewal / self-deauthorization timers can be driven by a test clock (turn-engine.md §8:
 * renewal at TTL/2, self-deauthorization past TTL).
 */
export interface AuthorityClock {
  /** Milliseconds on a monotonic-enough timeline; only differences are used. */
  now(): number;
  /** Runs `callback` once after `delayMs`; returns a handle for `clearTimer`. */
  setTimer(callback: () => void, delayMs: number): AuthorityTimer;
  clearTimer(timer: AuthorityTimer): void;
}

/** Opaque timer handle. */
export interface AuthorityTimer {
  readonly __authorityTimer: unique symbol;
}

/** The process clock: `performance.now()` and unref'd Node timers (a lease never keeps a process alive). */
export const systemAuthorityClock: AuthorityClock = {
  now: () => performance.now(),
  setTimer: (callback, delayMs) => {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    handle.unref();
    return handle as unknown as AuthorityTimer;
  },
  clearTimer: (timer) => clearTimeout(timer as unknown as NodeJS.Timeout),
};
