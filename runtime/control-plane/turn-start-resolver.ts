/**
 * The turn-start bundle (contracts.md §9 `TurnStartBundle`): what the engine's pre-turn step 5
 * needs from the control plane in one answer: the bundle's plan inputs (pipeline version, graph,
 * profile, adaptive actions, provenance), the `CP-05` admission decision, and the lease decision
 * re-checked against the store. Provenance refs are derived from content digests, so the same
 * inputs always give the same refs (replay determinism).
 */
import type { LeaseStore } from '../authority';
import {
  DEFAULT_SNAPSHOT_PROVENANCE,
  TurnStartBundleSchema,
  canonicalAdaptiveActions,
  validateAgainst,
  type TurnStartBundle,
} from '../contracts/v1';
import type { AdmissionController } from './admission-controller';
import { resolvePlacementAuthority } from './authority-resolver';
import type { BundleCatalog } from './bundle-catalog';
import { ControlPlaneError } from './control-plane-errors';

export interface TurnStartRequest {
  readonly tenantId: string;
  readonly sessionId: string;
  /** Must be `sha256:<64 hex>`. */
  readonly bundleDigest: unknown;
  /** The runtime placement's lease key (e.g. `runtime-placements/<region>/<pod>`). */
  readonly placementKey: string;
  /** The epoch the runtime carries; absent → the routing view's (the live holder's). */
  readonly authorityEpoch?: number;
}

export async function resolveTurnStart(
  request: TurnStartRequest,
  deps: { readonly catalog: BundleCatalog; readonly admission: AdmissionController; readonly store: LeaseStore },
): Promise<TurnStartBundle> {
  const bundle = deps.catalog.resolve(request.bundleDigest, 'bundle_digest');
  const authority = await resolvePlacementAuthority(deps.store, request.placementKey, request.authorityEpoch);
  const admission = deps.admission.decide({ tenantId: request.tenantId, sessionId: request.sessionId, bundle });
  const result: TurnStartBundle = {
    pipeline_version: bundle.bundle.pipeline_version,
    graph_definition_ref: bundle.spec.graph_definition_ref,
    execution_profile: bundle.profile.execution_profile,
    graph_fingerprint: bundle.spec.digest,
    allowed_adaptive_actions: canonicalAdaptiveActions([...bundle.policy.allowed_adaptive_actions]),
    snapshot_provenance: {
      routing_view_snapshot: `${DEFAULT_SNAPSHOT_PROVENANCE.routing_view_snapshot}@${authority.key}#${authority.latest_epoch}`,
      admission_policy_snapshot: `${DEFAULT_SNAPSHOT_PROVENANCE.admission_policy_snapshot}@${bundle.bundle.policy}`,
      abi_compatibility_snapshot: DEFAULT_SNAPSHOT_PROVENANCE.abi_compatibility_snapshot,
      version_resolution_snapshot: `${DEFAULT_SNAPSHOT_PROVENANCE.version_resolution_snapshot}@${bundle.digest}`,
      policy_resolution_snapshot: `${DEFAULT_SNAPSHOT_PROVENANCE.policy_resolution_snapshot}@${bundle.bundle.policy}`,
      provider_health_snapshot: DEFAULT_SNAPSHOT_PROVENANCE.provider_health_snapshot,
    },
    cp_admission: { outcome_kind: admission.outcome_kind, scope: admission.scope, reason: admission.reason },
    lease: {
      authority_epoch: authority.lease_resolution.authority_epoch ?? authority.latest_epoch,
      valid: authority.lease_resolution.authority_epoch_valid ?? false,
      granted: authority.lease_resolution.authority_authorized ?? false,
    },
  };
  const violation = validateAgainst(TurnStartBundleSchema, result);
  if (violation) {
    throw new ControlPlaneError('internal', `turn-start bundle failed its own contract (${JSON.stringify(violation)}); this is a control-plane bug`);
  }
  return result;
}
