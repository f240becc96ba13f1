/**
 * Placement authority as the control plane reports it (`CP-07`): the lease store's view of a
 * placement key, and a `LeaseResolution` (contracts.md §9) for a carried epoch. The comparison is
 * the authority module's (`verdictFromState`), so the control plane and every fence agree.
 */
import { leaseResolutionOf, verdictFromState, type LeaseState, type LeaseStore } from '../authority';
import { DEFAULT_LEASE_RESOLUTION_SNAPSHOT, type LeaseResolution } from '../contracts/v1';
import { ControlPlaneError } from './control-plane-errors';

export interface PlacementAuthorityView {
  readonly key: string;
  readonly latest_epoch: number;
  readonly holder: { readonly holder_id: string; readonly epoch: number } | null;
  readonly lease_resolution: LeaseResolution;
}

/**
 * Resolves `key`'s authority for a carried epoch. Without a carried epoch the routing view's
 * epoch (the live holder's) is used, as ingress enrichment does (turn-engine.md §8).
 */
export async function resolvePlacementAuthority(store: LeaseStore, key: string, carriedEpoch: number | undefined): Promise<PlacementAuthorityView> {
  let state: LeaseState;
  try {
    state = await store.inspect(key);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'invalid_request') throw new ControlPlaneError('invalid_request', (error as Error).message, 'placement_key');
    throw new ControlPlaneError('store_unreachable', `lease store unreachable while resolving placement "${key}": ${(error as Error).message}`);
  }
  const epoch = carriedEpoch ?? state.holder?.epoch;
  const verdict = verdictFromState(state, epoch);
  const lease_resolution = leaseResolutionOf(verdict, `${DEFAULT_LEASE_RESOLUTION_SNAPSHOT}@${state.latestEpoch}`);
  return {
    key,
    latest_epoch: state.latestEpoch,
    holder: state.holder ? { holder_id: state.holder.holderId, epoch: state.holder.epoch } : null,
    lease_resolution,
  };
}
