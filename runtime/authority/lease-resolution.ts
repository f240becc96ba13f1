/**
 * The contracts' view of an epoch check: `LeaseResolution` (contracts.md §9) from an `EpochVerdict`,
 * so the control plane, the server and the engine report authority the same way.
 */
import { DEFAULT_LEASE_RESOLUTION_SNAPSHOT, type LeaseResolution } from '../contracts/v1';
import type { EpochVerdict } from './lease-store';

/**
 * @param snapshot the lease resolution snapshot ref. @default DEFAULT_LEASE_RESOLUTION_SNAPSHOT
 */
export function leaseResolutionOf(verdict: EpochVerdict, snapshot: string = DEFAULT_LEASE_RESOLUTION_SNAPSHOT): LeaseResolution {
  return {
    lease_resolution_snapshot: snapshot,
    ...(verdict.epoch === undefined ? {} : { authority_epoch: verdict.epoch }),
    authority_epoch_valid: verdict.reason !== 'lease_stale_epoch' && verdict.reason !== 'lease_invalid_input',
    authority_authorized: verdict.accepted,
    reason: verdict.reason,
  };
}
