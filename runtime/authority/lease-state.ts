/** Comparison of two store views of a key (watchers deliver only changes). */
import type { LeaseState } from './lease-store';

export function sameLeaseState(a: LeaseState, b: LeaseState): boolean {
  return a.key === b.key && a.latestEpoch === b.latestEpoch && a.holder?.holderId === b.holder?.holderId && a.holder?.epoch === b.holder?.epoch;
}
