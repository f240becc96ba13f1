/**
 * Control-plane admission (`CP-05`): admit, reject or defer a session before its turn opens, with
 * scope `tenant` or `session` (contracts.md §5 D4) and a stable reason. Capacity comes from the
 * bundle's policy (`admission.max_concurrent_sessions`, counted per tenant when the policy's scope
 * is `tenant`, across all sessions when it is `session`); exhaustion yields the policy's
 * `capacity_exhausted_outcome`. An admitted session keeps its slot until released or idle for
 * `sessionIdleTimeoutMs`; asking again for an admitted session is idempotent.
 */
import type { ResolvedBundle } from '../../pipelines';
import { ControlPlaneError } from './control-plane-errors';

export type CpAdmissionOutcome = 'admit' | 'reject' | 'defer';
export type CpAdmissionScope = 'tenant' | 'session';

/** Reasons CP-05 gives (stable strings; the engine records them as the decision outcome's reason). */
export const CP_ADMISSION_REASONS = {
  admitted: 'cp_admission_admitted',
  capacityReject: 'cp_admission_capacity_reject',
  capacityDefer: 'cp_admission_capacity_defer',
  draining: 'cp_admission_draining',
  tenantMismatch: 'cp_admission_session_tenant_mismatch',
} as const;

export interface CpAdmissionDecision {
  readonly outcome_kind: CpAdmissionOutcome;
  readonly scope: CpAdmissionScope;
  readonly reason: string;
  readonly emitted_by: 'CP-05';
}

export interface AdmissionRequest {
  readonly tenantId: string;
  readonly sessionId: string;
  readonly bundle: ResolvedBundle;
}

/** An operator override of the bundle policy's admission capacity (scope stays the policy's). */
export interface AdmissionCapacity {
  /** Sessions admitted concurrently per scope (0 admits none). */
  readonly maxConcurrentSessions: number;
  /** Outcome once exhausted. */
  readonly exhaustedOutcome: 'reject' | 'defer';
}

export interface AdmissionControllerOptions {
  /**
   * Replaces every bundle policy's `max_concurrent_sessions` / `capacity_exhausted_outcome`
   * (capacity planning per deployment, load tests).
   * @default undefined (each bundle's policy)
   */
  readonly capacity?: AdmissionCapacity;
  /**
   * A session not seen (admission or turn start) for this long gives its slot back.
   * @default 900000 (15 min)
   */
  readonly sessionIdleTimeoutMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

interface AdmittedSession {
  readonly tenantId: string;
  lastSeenMs: number;
}

export class AdmissionController {
  private readonly sessions = new Map<string, AdmittedSession>();
  private readonly idleTimeoutMs: number;
  private readonly now: () => number;
  private draining = false;
  private readonly capacity: AdmissionCapacity | undefined;

  constructor(options: AdmissionControllerOptions = {}) {
    const capacity = options.capacity;
    if (capacity !== undefined) {
      if (!Number.isInteger(capacity.maxConcurrentSessions) || capacity.maxConcurrentSessions < 0) {
        throw new ControlPlaneError(
          'invalid_request',
          `AdmissionControllerOptions.capacity.maxConcurrentSessions must be an integer >= 0, got ${capacity.maxConcurrentSessions}`,
        );
      }
      if (capacity.exhaustedOutcome !== 'reject' && capacity.exhaustedOutcome !== 'defer') {
        throw new ControlPlaneError('invalid_request', `AdmissionControllerOptions.capacity.exhaustedOutcome must be "reject" or "defer", got ${JSON.stringify(capacity.exhaustedOutcome)}`);
      }
    }
    this.capacity = capacity;
    this.idleTimeoutMs = options.sessionIdleTimeoutMs ?? 900_000;
    if (!(this.idleTimeoutMs > 0)) {
      throw new ControlPlaneError('invalid_request', `AdmissionControllerOptions.sessionIdleTimeoutMs must be > 0, got ${this.idleTimeoutMs}`);
    }
    this.now = options.now ?? Date.now;
  }

  /** While draining every new session is deferred (scope session); admitted ones keep their slot. */
  setDraining(draining: boolean): void {
    this.draining = draining;
  }

  decide(request: AdmissionRequest): CpAdmissionDecision {
    const now = this.now();
    this.evictIdle(now);
    const policy = request.bundle.policy.admission;
    const existing = this.sessions.get(request.sessionId);
    if (existing) {
      if (existing.tenantId !== request.tenantId) {
        return decision('reject', 'session', CP_ADMISSION_REASONS.tenantMismatch);
      }
      existing.lastSeenMs = now;
      return decision('admit', policy.scope, CP_ADMISSION_REASONS.admitted);
    }
    if (this.draining) return decision('defer', 'session', CP_ADMISSION_REASONS.draining);
    const inScope =
      policy.scope === 'tenant' ? [...this.sessions.values()].filter((s) => s.tenantId === request.tenantId).length : this.sessions.size;
    const max = this.capacity?.maxConcurrentSessions ?? policy.max_concurrent_sessions;
    const exhausted = this.capacity?.exhaustedOutcome ?? policy.capacity_exhausted_outcome;
    if (inScope >= max) {
      return exhausted === 'defer'
        ? decision('defer', policy.scope, CP_ADMISSION_REASONS.capacityDefer)
        : decision('reject', policy.scope, CP_ADMISSION_REASONS.capacityReject);
    }
    this.sessions.set(request.sessionId, { tenantId: request.tenantId, lastSeenMs: now });
    return decision('admit', policy.scope, CP_ADMISSION_REASONS.admitted);
  }

  /** Gives a session's slot back. Returns whether it held one. */
  release(sessionId: string): boolean {
    return this.sessions.delete(sessionId);
  }

  admittedSessions(): number {
    this.evictIdle(this.now());
    return this.sessions.size;
  }

  private evictIdle(now: number): void {
    for (const [id, session] of this.sessions) {
      if (now - session.lastSeenMs >= this.idleTimeoutMs) this.sessions.delete(id);
    }
  }
}

function decision(outcome_kind: CpAdmissionOutcome, scope: CpAdmissionScope, reason: string): CpAdmissionDecision {
  return { outcome_kind, scope, reason, emitted_by: 'CP-05' };
}
