/**
 * Authority, lease and turn-start inputs (`contracts.md` §9). Fields with a documented default
 * are optional on the wire; `*_DEFAULTS` below are the one spelling of those defaults.
 */
import {
  ADAPTIVE_ACTIONS,
  CP_ADMISSION_OUTCOMES,
  CP_ADMISSION_SCOPES,
  INGRESS_AUTHORITY_SOURCES,
  LEASE_REASONS,
  type AdaptiveAction,
} from './enums';
import type { SnapshotProvenance } from './plan-schemas';
import { arrayOf, bool, enumOf, int, obj, opt, req, str, type Infer } from './schema-dsl';

/** Snapshot refs used when a control-plane backend supplies none (`contracts.md` §9). */
export const DEFAULT_SNAPSHOT_PROVENANCE: SnapshotProvenance = Object.freeze({
  routing_view_snapshot: 'routing-view/v1',
  admission_policy_snapshot: 'admission-policy/v1',
  abi_compatibility_snapshot: 'abi-compat/v1',
  version_resolution_snapshot: 'version-resolution/v1',
  policy_resolution_snapshot: 'policy-resolution/v1',
  provider_health_snapshot: 'provider-health/v1',
});

export const DEFAULT_LEASE_RESOLUTION_SNAPSHOT = 'lease-resolution/v1';
export const DEFAULT_ALLOWED_ADAPTIVE_ACTIONS: readonly AdaptiveAction[] = Object.freeze(['retry', 'provider_switch', 'fallback']);

export const LeaseResolutionSchema = obj('LeaseResolution', {
  lease_resolution_snapshot: opt(str()),
  authority_epoch: opt(int()),
  authority_epoch_valid: opt(bool()),
  authority_authorized: opt(bool()),
  reason: req(enumOf('LeaseReason', LEASE_REASONS)),
});
export type LeaseResolution = Infer<typeof LeaseResolutionSchema>;

export const IngressAuthoritySchema = obj('IngressAuthority', {
  authority_epoch: req(int()),
  enriched: req(bool()),
  source: req(enumOf('IngressAuthoritySource', INGRESS_AUTHORITY_SOURCES)),
});
export type IngressAuthority = Infer<typeof IngressAuthoritySchema>;

export const VersionResolutionSchema = obj('VersionResolution', {
  pipeline_version: req(str()),
  version_resolution_snapshot: opt(str()),
});
export type VersionResolution = Infer<typeof VersionResolutionSchema>;

export const PolicyResolutionSchema = obj('PolicyResolution', {
  policy_resolution_snapshot: opt(str()),
  allowed_adaptive_actions: opt(arrayOf(enumOf('AdaptiveAction', ADAPTIVE_ACTIONS), { unique: true })),
});
export type PolicyResolution = Infer<typeof PolicyResolutionSchema>;

/** Provenance as a backend reports it: any ref may be missing (backend down → default ref). */
export const PartialSnapshotProvenanceSchema = obj('PartialSnapshotProvenance', {
  routing_view_snapshot: opt(str()),
  admission_policy_snapshot: opt(str()),
  abi_compatibility_snapshot: opt(str()),
  version_resolution_snapshot: opt(str()),
  policy_resolution_snapshot: opt(str()),
  provider_health_snapshot: opt(str()),
});
export type PartialSnapshotProvenance = Infer<typeof PartialSnapshotProvenanceSchema>;

export const TurnStartBundleSchema = obj('TurnStartBundle', {
  pipeline_version: req(str()),
  graph_definition_ref: req(str()),
  execution_profile: req(str()),
  graph_fingerprint: opt(str()),
  allowed_adaptive_actions: req(arrayOf(enumOf('AdaptiveAction', ADAPTIVE_ACTIONS), { unique: true })),
  snapshot_provenance: req(PartialSnapshotProvenanceSchema),
  cp_admission: req(
    obj('CpAdmission', {
      outcome_kind: req(enumOf('CpAdmissionOutcome', CP_ADMISSION_OUTCOMES)),
      scope: opt(enumOf('CpAdmissionScope', CP_ADMISSION_SCOPES)),
      reason: req(str()),
    }),
  ),
  lease: req(obj('BundleLease', { authority_epoch: req(int()), valid: req(bool()), granted: req(bool()) })),
});
export type TurnStartBundle = Infer<typeof TurnStartBundleSchema>;

/** Sort + dedupe adaptive actions into canonical order (retry, provider_switch, degrade, fallback). */
export function canonicalAdaptiveActions(actions: readonly AdaptiveAction[]): AdaptiveAction[] {
  return ADAPTIVE_ACTIONS.filter((a) => actions.includes(a));
}

/** Fill missing provenance refs with the documented defaults. */
export function withDefaultProvenance(partial: PartialSnapshotProvenance | undefined): SnapshotProvenance {
  return { ...DEFAULT_SNAPSHOT_PROVENANCE, ...(partial ?? {}) };
}
