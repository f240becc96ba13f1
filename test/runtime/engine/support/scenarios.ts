/**
 * Named input logs covering every lifecycle path; reused by the global assertions (G1-G5), the
 * replay tests and the quality-gate tests.
 */
import type { EngineInput, InputLog } from '../../../../runtime/engine';
import { cancel, config, control, data, EPOCH, healthyStart, propose, signal, TURN, edgePolicy, profileWithEdges } from './engine-fixtures';

const step = (at: number, conditions: Extract<EngineInput, { type: 'step' }>['conditions']): EngineInput => ({ type: 'step', at_ms: at, conditions });
const pressured = profileWithEdges({ default: edgePolicy({ max_queue_items: 4, watermarks: { queue_items: { high: 3, low: 1 } } }) });

export const SCENARIOS: { readonly [name: string]: InputLog } = {
  happy: { config: config(), entries: [propose(0), data(10, 1), data(20, 2), step(30, { success_ready: true })] },
  'two-turns': {
    config: config(),
    entries: [propose(0), data(10, 1), step(20, { success_ready: true }), propose(30, 'T2'), data(40, 1, { turn_id: 'T2' }), step(50, { success_ready: true })],
  },
  cancel: { config: config(), entries: [propose(0), data(5, 1), cancel(10, 8), data(12, 2)] },
  revoke: { config: config(), entries: [propose(0), data(5, 1), { type: 'authority_revoked', at_ms: 10, reason: 'lease_lost' }] },
  'revoke-and-cancel': { config: config(), entries: [propose(0), step(10, { authority_revoked: true, cancel: { scope: 'turn', sent_at_ms: 9, event_id: 'c' } })] },
  'pre-turn-rejects': {
    config: config(),
    entries: [propose(0, 'A', healthyStart({ snapshots: 'missing' })), propose(1, 'B', healthyStart({ capacity: 'reject' })), propose(2, 'C', healthyStart(), EPOCH - 1)],
  },
  'provider-failure': {
    config: config(),
    entries: [propose(0), step(5, { failures: [{ class: 'provider_failure' }, { class: 'transport_disconnect_or_stall' }] })],
  },
  'transport-stall': { config: config(), entries: [propose(0), control(3, signal('disconnected', 'RK-23')), control(4, signal('stall', 'RK-23'))] },
  'edge-pressure': {
    config: config({ profiles: { 'simple/v1': pressured } }),
    entries: [
      propose(0),
      { type: 'downstream', at_ms: 1, edge_id: 'default', ready: false },
      ...[1, 2, 3, 4, 5, 6].map((i) => data(2, i)),
      { type: 'downstream', at_ms: 3, edge_id: 'default', ready: true },
      step(4, { success_ready: true }),
    ],
  },
  failover: {
    config: config(),
    entries: [
      propose(0),
      data(1, 1),
      control(2, signal('lease_rotated', 'CP-07', { authority_epoch: EPOCH + 1 })),
      control(3, signal('migration_start', 'CP-08', { authority_epoch: EPOCH + 1 })),
      data(4, 2),
      data(5, 3, { authority_epoch: EPOCH + 1 }),
      step(6, { success_ready: true }),
    ],
  },
  'evidence-unavailable': { config: config(), entries: [propose(0), { type: 'evidence_store', at_ms: 1, available: false }, step(2, { success_ready: true })] },
  'late-after-close': {
    config: config({ late_event_policy: 'remap' }),
    entries: [propose(0), step(1, { success_ready: true }), data(2, 5), data(3, 6, { turn_id: TURN, authority_epoch: EPOCH - 1 })],
  },
};
