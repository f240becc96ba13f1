/**
 * The session prelude's turn-start resolution (turn-engine.md §2 steps 1-5) for the embedded
 * posture: snapshots from the documented defaults, local capacity from the server's state, and a
 * turn-start bundle for the configured profile under the placement's current lease.
 *
 * In `control-plane` turn-start mode the server asks `POST /v1/turn-start` instead
 * (`control-plane/control-plane-turn-start.ts`); the engine sees a `TurnStartContext` either way.
 * This resolver still answers there while draining (local admission refuses first).
 */
import { DEFAULT_ALLOWED_ADAPTIVE_ACTIONS, DEFAULT_SNAPSHOT_PROVENANCE } from '../../contracts/v1';
import type { TurnStartBundle } from '../../contracts/v1';
import type { TurnStartContext } from '../../engine';

export interface TurnStartInputs {
  /** Pipeline version stamped on envelopes and plans. */
  readonly pipelineVersion: string;
  /** Execution profile name (`simple/v1`). */
  readonly profile: string;
  /** Digest of the pinned bundle, recorded as the graph fingerprint when set. */
  readonly bundleDigest?: string;
  /** The placement's current lease epoch; undefined while no lease is held. */
  readonly epoch: number | undefined;
  /** Draining: new turns are refused by local admission (RK-25 `admission_capacity_reject`). */
  readonly draining: boolean;
}

/** Reason the embedded control-plane admission (CP-05) gives when it admits. */
export const EMBEDDED_ADMISSION_REASON = 'embedded_admission_allow';

export function resolveTurnStart(inputs: TurnStartInputs): TurnStartContext {
  const held = inputs.epoch !== undefined;
  const bundle: TurnStartBundle = {
    pipeline_version: inputs.pipelineVersion,
    graph_definition_ref: `graphs/${inputs.profile}`,
    execution_profile: inputs.profile,
    ...(inputs.bundleDigest !== undefined ? { graph_fingerprint: inputs.bundleDigest } : {}),
    allowed_adaptive_actions: DEFAULT_ALLOWED_ADAPTIVE_ACTIONS,
    snapshot_provenance: DEFAULT_SNAPSHOT_PROVENANCE,
    cp_admission: { outcome_kind: 'admit', scope: 'session', reason: EMBEDDED_ADMISSION_REASON },
    lease: { authority_epoch: inputs.epoch ?? 0, valid: held, granted: held },
  };
  return {
    snapshots: 'valid',
    capacity: inputs.draining ? 'reject' : 'allow',
    bundle,
  };
}
