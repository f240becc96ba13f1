/**
 * The control signal registry (`contracts.md` §4) as data: which emitters may send each signal,
 * the event scope it must carry, and the extra fields it requires. Any other name/emitter pair
 * is rejected by the ControlSignal schema.
 */
import type { EventScope, SignalEmitter, SignalName } from './enums';

export type SignalExtraField =
  | 'turn_id'
  | 'reason'
  | 'scope'
  | 'edge_id'
  | 'target_lane'
  | 'seq_range'
  | 'amount'
  | 'sync_domain'
  | 'discontinuity_id'
  | 'authority_epoch';

export interface SignalRegistryEntry {
  readonly emitters: readonly SignalEmitter[];
  readonly eventScope?: EventScope;
  readonly requires: readonly SignalExtraField[];
}

function entry(emitters: readonly SignalEmitter[], requires: readonly SignalExtraField[] = [], eventScope?: EventScope): SignalRegistryEntry {
  return Object.freeze({ emitters: Object.freeze([...emitters]), requires: Object.freeze([...requires]), ...(eventScope ? { eventScope } : {}) });
}

const lifecycle = (extra: readonly SignalExtraField[] = []) => entry(['RK-03'], ['turn_id', ...extra], 'turn');
const cancelFamily = (extra: readonly SignalExtraField[] = []) => entry(['RK-06', 'RK-16'], extra);
const authority = () => entry(['CP-07', 'CP-08'], ['authority_epoch']);
const connection = () => entry(['RK-23']);
const delivery = () => entry(['RK-22', 'RK-23'], ['turn_id'], 'turn');

export const SIGNAL_REGISTRY: { readonly [N in SignalName]: SignalRegistryEntry } = Object.freeze({
  turn_open_proposed: entry(['RK-02'], [], 'session'),
  turn_open: lifecycle(),
  commit: lifecycle(),
  abort: lifecycle(['reason']),
  close: lifecycle(),
  barge_in: cancelFamily(),
  stop: cancelFamily(),
  cancel: cancelFamily(['scope']),
  watermark: entry(['RK-13'], ['edge_id', 'target_lane', 'reason']),
  budget_warning: entry(['RK-17'], ['reason']),
  budget_exhausted: entry(['RK-17'], ['reason']),
  degrade: entry(['RK-13', 'RK-17'], ['reason']),
  fallback: entry(['RK-13', 'RK-17'], ['reason']),
  discontinuity: entry(['RK-15'], ['sync_domain', 'discontinuity_id', 'reason']),
  drop_notice: entry(['RK-12', 'RK-13'], ['edge_id', 'target_lane', 'reason', 'seq_range']),
  flow_xoff: entry(['RK-14'], ['edge_id', 'target_lane', 'reason']),
  flow_xon: entry(['RK-14'], ['edge_id', 'target_lane']),
  credit_grant: entry(['RK-14'], ['edge_id', 'target_lane', 'amount']),
  provider_error: entry(['RK-11'], ['reason']),
  circuit_event: entry(['RK-11'], ['reason']),
  provider_switch: entry(['RK-11'], ['reason']),
  lease_issued: authority(),
  lease_rotated: authority(),
  migration_start: authority(),
  migration_finish: authority(),
  session_handoff: authority(),
  admit: entry(['RK-25', 'CP-05'], ['reason'], 'session'),
  reject: entry(['RK-25', 'CP-05'], ['reason'], 'session'),
  defer: entry(['RK-25', 'CP-05'], ['reason'], 'session'),
  shed: entry(['RK-25'], ['reason']),
  stale_epoch_reject: entry(['RK-24'], ['authority_epoch', 'reason']),
  deauthorized_drain: entry(['RK-24'], ['authority_epoch', 'reason']),
  connected: connection(),
  reconnecting: connection(),
  disconnected: connection(),
  ended: connection(),
  silence: connection(),
  stall: connection(),
  output_accepted: delivery(),
  playback_started: delivery(),
  playback_completed: delivery(),
  playback_cancelled: delivery(),
  recording_level_downgraded: entry(['OR-02'], ['reason']),
});
