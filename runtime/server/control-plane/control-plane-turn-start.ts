/**
 * Per-turn resolution from the control plane (turn-engine.md §2 step 5): `POST /v1/turn-start`
 * answers one proposal with a `TurnStartBundle` carrying the CP-05 admission decision and the lease
 * decision the control plane re-checked against the store. One bounded attempt (no retry inside a
 * turn); the promise never rejects: a timeout, an HTTP error or an answer that is not a valid
 * `TurnStartBundle` for this runtime's pipeline comes back as `{ ok: false, problem }`, which the
 * caller turns into the step-5 failure (`turn_start_bundle_resolution_failed`, plan-failure policy).
 */
import { decodeTurnStartBundle, type TurnStartBundle } from '../../contracts/v1';
import type { ControlPlaneClient } from './control-plane-client';

export interface ControlPlaneTurnStartOptions {
  /** The client of the startup bundle fetch (same mTLS material, same keep-alive pool). */
  readonly client: ControlPlaneClient;
  /** Tenant sessions are admitted under (CP-05). */
  readonly tenantId: string;
  /** The pinned bundle (`sha256:<64 hex>`). */
  readonly bundleDigest: string;
  /** The placement's lease key (`runtime-placements/<region>/<pod>`), re-checked by the control plane. */
  readonly placementKey: string;
  /** Pipeline version this runtime stamps; an answer for another pipeline is refused. */
  readonly pipelineVersion: string;
  /** Deadline of one request, ms. */
  readonly timeoutMs: number;
}

export type TurnStartAnswer =
  | { readonly ok: true; readonly bundle: TurnStartBundle; readonly elapsedMs: number }
  | { readonly ok: false; readonly problem: string; readonly elapsedMs: number };

/** Path of the turn-start endpoint (runtime/control-plane/control-plane-api.ts). */
export const TURN_START_PATH = '/v1/turn-start';

export class ControlPlaneTurnStart {
  private readonly options: ControlPlaneTurnStartOptions;

  constructor(options: ControlPlaneTurnStartOptions) {
    if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1) {
      throw new RangeError(`ControlPlaneTurnStartOptions.timeoutMs must be a positive integer, got ${options.timeoutMs}`);
    }
    this.options = options;
  }

  /** Asks for the turn start of a proposal of `sessionId` carrying `authorityEpoch`. Never rejects. */
  async request(sessionId: string, authorityEpoch: number): Promise<TurnStartAnswer> {
    const o = this.options;
    const startedAt = performance.now();
    const elapsed = () => Math.round((performance.now() - startedAt) * 1000) / 1000;
    let json: unknown;
    try {
      json = await o.client.postJson(
        TURN_START_PATH,
        { tenant_id: o.tenantId, session_id: sessionId, bundle_digest: o.bundleDigest, placement_key: o.placementKey, authority_epoch: authorityEpoch },
        o.timeoutMs,
      );
    } catch (err) {
      return { ok: false, problem: (err as Error).message, elapsedMs: elapsed() };
    }
    const decoded = decodeTurnStartBundle(json);
    if (!decoded.ok) {
      return { ok: false, problem: `answer is not a valid TurnStartBundle: ${decoded.error.path}: ${decoded.error.message}`, elapsedMs: elapsed() };
    }
    if (decoded.value.pipeline_version !== o.pipelineVersion) {
      return {
        ok: false,
        problem: `answer is for pipeline ${decoded.value.pipeline_version} but this runtime serves ${o.pipelineVersion}`,
        elapsedMs: elapsed(),
      };
    }
    return { ok: true, bundle: decoded.value, elapsedMs: elapsed() };
  }

  /** Gives the session's CP-05 slot back (`DELETE /v1/admission/<id>`); best effort, one attempt. */
  async release(sessionId: string): Promise<void> {
    await this.options.client.deleteJson(`/v1/admission/${encodeURIComponent(sessionId)}`, Math.max(this.options.timeoutMs, 1000));
  }
}
