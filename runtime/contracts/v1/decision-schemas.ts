/**
 * DecisionOutcome with rules D1-D10 (`contracts.md` §5) and TurnTransition (§6).
 */
import {
  OUTCOME_EMITTERS,
  OUTCOME_KINDS,
  OUTCOME_PHASES,
  OUTCOME_SCOPES,
  SCHEDULING_SCOPES,
  TRANSITION_TRIGGERS,
  TURN_STATES,
  type OutcomeScope,
  type TransitionTrigger,
  type TurnState,
} from './enums';
import { bool, enumOf, int, obj, opt, req, str, type Infer } from './schema-dsl';

const isScheduling = (scope: OutcomeScope) => (SCHEDULING_SCOPES as readonly string[]).includes(scope);

export const DecisionOutcomeSchema = obj(
  'DecisionOutcome',
  {
    outcome_kind: req(enumOf('OutcomeKind', OUTCOME_KINDS)),
    phase: req(enumOf('OutcomePhase', OUTCOME_PHASES)),
    scope: req(enumOf('OutcomeScope', OUTCOME_SCOPES)),
    session_id: req(str()),
    turn_id: opt(str()),
    event_id: req(str()),
    runtime_timestamp_ms: req(int()),
    wall_clock_timestamp_ms: req(int()),
    timestamp_ms: opt(int()),
    emitted_by: req(enumOf('OutcomeEmitter', OUTCOME_EMITTERS)),
    authority_epoch: opt(int()),
    reason: req(str()),
  },
  [
    {
      id: 'D1',
      check: (d) =>
        (d.outcome_kind === 'admit' || d.outcome_kind === 'reject' || d.outcome_kind === 'defer') &&
        d.emitted_by !== 'RK-25' &&
        d.emitted_by !== 'CP-05'
          ? { path: '.emitted_by', message: `D1: ${d.outcome_kind} must be emitted by RK-25 or CP-05` }
          : undefined,
    },
    {
      id: 'D2',
      check: (d) =>
        d.outcome_kind === 'shed' && (d.emitted_by !== 'RK-25' || d.phase !== 'scheduling_point')
          ? { path: d.emitted_by !== 'RK-25' ? '.emitted_by' : '.phase', message: 'D2: shed requires emitter RK-25 and phase scheduling_point' }
          : undefined,
    },
    {
      id: 'D3',
      check: (d) => {
        if (d.outcome_kind !== 'stale_epoch_reject' && d.outcome_kind !== 'deauthorized_drain') return undefined;
        if (d.emitted_by !== 'RK-24') return { path: '.emitted_by', message: `D3: ${d.outcome_kind} must be emitted by RK-24` };
        if (d.authority_epoch === undefined) return { path: '.authority_epoch', message: `D3: ${d.outcome_kind} requires authority_epoch` };
        return undefined;
      },
    },
    {
      id: 'D4',
      check: (d) =>
        d.emitted_by === 'CP-05' && (d.phase !== 'pre_turn' || (d.scope !== 'tenant' && d.scope !== 'session'))
          ? { path: d.phase !== 'pre_turn' ? '.phase' : '.scope', message: 'D4: CP-05 outcomes are pre_turn with scope tenant|session' }
          : undefined,
    },
    {
      id: 'D5',
      check: (d) =>
        d.phase === 'pre_turn' && d.scope !== 'tenant' && d.scope !== 'session' && d.scope !== 'turn'
          ? { path: '.scope', message: 'D5: pre_turn outcomes have scope tenant|session|turn' }
          : undefined,
    },
    {
      id: 'D6',
      check: (d) =>
        d.phase === 'scheduling_point' && !isScheduling(d.scope)
          ? { path: '.scope', message: 'D6: scheduling_point outcomes have scope edge_enqueue|edge_dequeue|node_dispatch' }
          : undefined,
    },
    {
      id: 'D7',
      check: (d) => {
        if (d.phase !== 'active_turn') return undefined;
        if (d.scope !== 'turn' && !isScheduling(d.scope)) return { path: '.scope', message: 'D7: active_turn outcomes have scope turn or a scheduling scope' };
        if (d.turn_id === undefined) return { path: '.turn_id', message: 'D7: active_turn outcomes require turn_id' };
        return undefined;
      },
    },
    {
      id: 'D8',
      check: (d) => (d.scope === 'turn' && d.turn_id === undefined ? { path: '.turn_id', message: 'D8: scope turn requires turn_id' } : undefined),
    },
    {
      id: 'D9',
      check: (d) =>
        d.outcome_kind === 'stale_epoch_reject' &&
        !((d.phase === 'pre_turn' && (d.scope === 'session' || d.scope === 'turn')) || d.phase === 'scheduling_point')
          ? { path: '.phase', message: 'D9: stale_epoch_reject is pre_turn (scope session|turn) or scheduling_point' }
          : undefined,
    },
    {
      id: 'D10',
      check: (d) =>
        d.outcome_kind === 'deauthorized_drain' &&
        !((d.phase === 'pre_turn' && (d.scope === 'session' || d.scope === 'turn')) || (d.phase === 'active_turn' && d.scope === 'turn'))
          ? { path: '.phase', message: 'D10: deauthorized_drain is pre_turn (scope session|turn) or active_turn (scope turn)' }
          : undefined,
    },
  ],
);
export type DecisionOutcome = Infer<typeof DecisionOutcomeSchema>;

/** The only five lifecycle edges (`turn-engine.md` §1). */
export const LEGAL_TRANSITIONS: readonly { readonly from: TurnState; readonly triggers: readonly TransitionTrigger[]; readonly to: TurnState }[] =
  Object.freeze([
    { from: 'Idle', triggers: ['turn_open_proposed'], to: 'Opening' },
    { from: 'Opening', triggers: ['turn_open'], to: 'Active' },
    { from: 'Opening', triggers: ['reject', 'defer', 'stale_epoch_reject', 'deauthorized_drain'], to: 'Idle' },
    { from: 'Active', triggers: ['commit', 'abort'], to: 'Terminal' },
    { from: 'Terminal', triggers: ['close'], to: 'Closed' },
  ]);

export function isLegalTransition(from: TurnState, trigger: TransitionTrigger, to: TurnState): boolean {
  return LEGAL_TRANSITIONS.some((e) => e.from === from && e.to === to && e.triggers.includes(trigger));
}

export const TurnTransitionSchema = obj(
  'TurnTransition',
  {
    from_state: req(enumOf('TurnState', TURN_STATES)),
    trigger: req(enumOf('TransitionTrigger', TRANSITION_TRIGGERS)),
    to_state: req(enumOf('TurnState', TURN_STATES)),
    deterministic: req(bool(true)),
  },
  [
    {
      id: 'turn_transition.legal_edge',
      params: LEGAL_TRANSITIONS,
      check: (t) =>
        isLegalTransition(t.from_state, t.trigger, t.to_state)
          ? undefined
          : { path: '', message: `illegal transition ${t.from_state} --${t.trigger}--> ${t.to_state}` },
    },
  ],
);
export type TurnTransition = Infer<typeof TurnTransitionSchema>;
