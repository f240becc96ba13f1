/**
 * Property tests over random input sequences (fast-check, bounded runs). Each generated command
 * list is turned into a valid input log; invariants are checked on the output timeline and, for
 * buffer bounds, after every input.
 */
import fc from 'fast-check';
import { checkBaselineCompleteness } from '../../../runtime/contracts/v1';
import { RecordingSink, replay, runInputLog, TurnEngine, type EngineInput, type InputLog } from '../../../runtime/engine';
import { config, control, data, edgePolicy, EPOCH, healthyStart, profileWithEdges, propose, signal } from './support/engine-fixtures';

type Command =
  | { readonly k: 'propose'; readonly variant: 'ok' | 'snapshot' | 'capacity' | 'stale' | 'cp_defer' }
  | { readonly k: 'data'; readonly stale: boolean; readonly edge: 'a' | 'b'; readonly sessionScoped: boolean }
  | { readonly k: 'cancel' }
  | { readonly k: 'revoke' }
  | { readonly k: 'lease' }
  | { readonly k: 'success' }
  | { readonly k: 'failure'; readonly cls: 'provider_failure' | 'node_timeout_or_failure' | 'transport_disconnect_or_stall'; readonly legal: boolean }
  | { readonly k: 'downstream'; readonly edge: 'a' | 'b'; readonly ready: boolean }
  | { readonly k: 'tick' }
  | { readonly k: 'evidence'; readonly available: boolean };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('propose' as const), variant: fc.constantFrom('ok', 'ok', 'ok', 'snapshot', 'capacity', 'stale', 'cp_defer') }) },
  { weight: 40, arbitrary: fc.record({ k: fc.constant('data' as const), stale: fc.constantFrom(false, false, false, false, true), edge: fc.constantFrom('a' as const, 'b' as const), sessionScoped: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ k: 'cancel' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'revoke' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'lease' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'success' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('failure' as const), cls: fc.constantFrom('provider_failure' as const, 'node_timeout_or_failure' as const, 'transport_disconnect_or_stall' as const), legal: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('downstream' as const), edge: fc.constantFrom('a' as const, 'b' as const), ready: fc.constantFrom(false, false, true) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'tick' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('evidence' as const), available: fc.boolean() }) },
);

const profile = profileWithEdges({
  a: edgePolicy({ max_queue_items: 4, max_queue_ms: 40, watermarks: { queue_items: { high: 3, low: 1 } } }),
  b: edgePolicy({ strategy: 'merge', max_queue_items: 3, max_queue_bytes: 50, watermarks: { queue_items: { high: 2, low: 0 } } }),
});

/** Turn commands into a valid input log: time advances, epochs and sequences are tracked. */
function toLog(commands: readonly Command[]): InputLog {
  const entries: EngineInput[] = [];
  let t = 0;
  let epoch = EPOCH;
  let turnNo = 0;
  let seq = 0;
  let currentTurn = 'T0';
  for (const c of commands) {
    t += 3;
    switch (c.k) {
      case 'propose': {
        turnNo++;
        currentTurn = `T${turnNo}`;
        const start =
          c.variant === 'snapshot' ? healthyStart({ snapshots: 'stale' }, epoch)
          : c.variant === 'capacity' ? healthyStart({ capacity: 'defer' }, epoch)
          : c.variant === 'cp_defer' ? { ...healthyStart({}, epoch), bundle: { ...healthyStart({}, epoch).bundle!, cp_admission: { outcome_kind: 'defer' as const, reason: 'cp_busy' } } }
          : healthyStart({}, epoch);
        entries.push(propose(t, currentTurn, start, c.variant === 'stale' ? epoch - 1 : epoch));
        break;
      }
      case 'data':
        seq++;
        entries.push(
          data(t, seq, {
            event_id: `e${seq}`,
            edge_id: c.edge,
            authority_epoch: c.stale ? epoch - 1 : epoch,
            ...(c.sessionScoped ? { event_scope: 'session' as const, turn_id: undefined } : { turn_id: currentTurn }),
          }, 10 + (seq % 30)),
        );
        break;
      case 'cancel':
        entries.push(control(t, signal('cancel', 'RK-06', { turn_id: currentTurn, scope: 'turn', authority_epoch: epoch, runtime_timestamp_ms: t - 1 })));
        break;
      case 'revoke':
        entries.push({ type: 'authority_revoked', at_ms: t, reason: 'lease_lost' });
        break;
      case 'lease':
        epoch++;
        entries.push(control(t, signal('lease_rotated', 'CP-07', { authority_epoch: epoch })));
        break;
      case 'success':
        entries.push({ type: 'step', at_ms: t, conditions: { success_ready: true } });
        break;
      case 'failure':
        entries.push({ type: 'step', at_ms: t, conditions: { failures: [{ class: c.cls, legal_paths: c.legal ? ['fallback', 'provider_switch'] : [] }] } });
        break;
      case 'downstream':
        entries.push({ type: 'downstream', at_ms: t, edge_id: c.edge, ready: c.ready });
        break;
      case 'tick':
        entries.push({ type: 'tick', at_ms: t });
        break;
      case 'evidence':
        entries.push({ type: 'evidence_store', at_ms: t, available: c.available });
        break;
    }
  }
  // End every log at an arbitration point that terminates whatever is still Active.
  entries.push({ type: 'step', at_ms: t + 3, conditions: { success_ready: true } });
  return { config: config({ profiles: { 'simple/v1': profile } }), entries };
}

const runs = { numRuns: 150 };
const commands = fc.array(command, { minLength: 5, maxLength: 120, size: 'max' });

describe('engine properties over random event sequences', () => {
  test('exactly one terminal per opened turn, then close; no terminal from pre-turn outcomes', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        const run = runInputLog(toLog(cmds));
        const opened = new Map<string, string[]>();
        const preTurn = new Set<string>();
        for (const o of run.outputs) {
          if (o.kind === 'decision' && o.outcome.phase === 'pre_turn' && o.outcome.outcome_kind !== 'admit' && o.outcome.turn_id) preTurn.add(o.outcome.turn_id);
          if (o.kind !== 'signal' || !o.signal.turn_id) continue;
          const s = o.signal.signal;
          if (s === 'turn_open') opened.set(o.signal.turn_id, []);
          if (s === 'commit' || s === 'abort' || s === 'close') {
            expect(preTurn.has(o.signal.turn_id)).toBe(false);
            expect(opened.has(o.signal.turn_id)).toBe(true);
            opened.get(o.signal.turn_id)!.push(s);
          }
        }
        // Every log ends with an arbitration point, so every opened turn has exactly [terminal, close].
        for (const [, seq] of opened) expect(seq.length === 2 && (seq[0] === 'commit' || seq[0] === 'abort') && seq[1] === 'close').toBe(true);
        for (const t of preTurn) expect(opened.has(t)).toBe(false);
      }),
      runs,
    );
  });

  test('no DataLane egress after the cancel fence; no output accepted under a stale epoch', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        const run = runInputLog(toLog(cmds));
        const fenced = new Set<string>();
        let epoch = EPOCH;
        let activeTurn: string | undefined;
        for (const o of run.outputs) {
          if (o.kind === 'signal') {
            const s = o.signal;
            if (s.signal === 'lease_rotated' || s.signal === 'lease_issued') epoch = s.authority_epoch!;
            if (s.signal === 'turn_open') activeTurn = s.turn_id;
            if ((s.signal === 'cancel' && s.emitted_by === 'RK-16' && (s.scope === 'turn' || s.scope === 'session')) || s.signal === 'abort' || s.signal === 'commit') {
              fenced.add(s.turn_id!);
            }
          }
          if (o.kind === 'data') {
            expect(o.event.authority_epoch).toBe(epoch);
            const turn = o.event.turn_id ?? activeTurn!;
            expect(fenced.has(turn)).toBe(false);
          }
        }
      }),
      runs,
    );
  });

  test('OR-02 completeness is 100 % for every closed accepted turn (and the generator reaches every path)', () => {
    const seen = { turns: 0, egress: 0, drops: 0, cancels: 0, stale: 0, aborts: 0, commits: 0 };
    fc.assert(
      fc.property(commands, (cmds) => {
        const run = runInputLog(toLog(cmds));
        for (const o of run.outputs) {
          if (o.kind === 'data') seen.egress++;
          if (o.kind === 'decision' && o.outcome.outcome_kind === 'stale_epoch_reject') seen.stale++;
          if (o.kind !== 'signal') continue;
          if (o.signal.signal === 'turn_open') seen.turns++;
          if (o.signal.signal === 'drop_notice') seen.drops++;
          if (o.signal.signal === 'abort') seen.aborts++;
          if (o.signal.signal === 'commit') seen.commits++;
          if (o.signal.signal === 'abort' && o.signal.reason === 'cancelled') seen.cancels++;
        }
        const closed = run.outputs.filter((o) => o.kind === 'signal' && o.signal.signal === 'close').length;
        expect(run.records).toHaveLength(closed);
        for (const r of run.records) expect(checkBaselineCompleteness(r).problems).toEqual([]);
      }),
      runs,
    );
    for (const [k, v] of Object.entries(seen)) expect([k, v > 0]).toEqual([k, true]);
  });

  test('buffers never exceed their bounds, checked after every input', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        const log = toLog(cmds);
        const engine = new TurnEngine(log.config, new RecordingSink());
        for (const entry of log.entries) {
          engine.apply(entry);
          for (const e of engine.edgeStates()) {
            expect(e.queued).toBeLessThanOrEqual(e.bound);
            expect(e.depth).toBeLessThanOrEqual(2 * e.bound);
            if (e.queued > 1) expect(e.bytes).toBeLessThanOrEqual(e.maxBytes);
          }
        }
      }),
      runs,
    );
  });

  test('replay of any run is identical (zero divergences)', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        const log = toLog(cmds);
        const recorded = runInputLog(log);
        const result = replay(JSON.parse(JSON.stringify(log)), JSON.parse(JSON.stringify(recorded)), { timing_tolerance_ms: 0 });
        expect(result.divergences).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('robustness: malformed input entries', () => {
  test('arbitrary junk entries never throw; each yields an invalid_input diagnostic or is handled', () => {
    const junkConditions = fc.record(
      {
        invocations: fc.oneof(fc.anything(), fc.array(fc.anything())),
        failures: fc.oneof(fc.anything(), fc.array(fc.record({ class: fc.constantFrom('provider_failure', 'node_timeout_or_failure', 'generic', 'x'), legal_paths: fc.anything(), invocation: fc.anything(), reason: fc.anything(), node_id: fc.anything() }, { requiredKeys: ['class'] }))),
        cancel: fc.anything(),
        success_ready: fc.anything(),
        authority_revoked: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const types = ['propose_turn', 'turn_start_resolved', 'data', 'telemetry', 'control', 'step', 'downstream', 'authority_revoked', 'evidence_store', 'scheduling_shed', 'plan_change', 'tick', 'bogus'];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ type: fc.constantFrom(...types), at_ms: fc.oneof(fc.nat(1000), fc.constant(-1)) }, { requiredKeys: ['type'] }).chain((base) =>
            fc
              .tuple(
                fc.dictionary(fc.constantFrom('turn_id', 'event_id', 'start', 'event', 'signal', 'conditions', 'edge_id', 'ready', 'reason', 'available', 'point', 'fairness_key', 'policy'), fc.anything()),
                junkConditions,
              )
              .map(([extra, conditions]) => ({ ...extra, ...(base.type === 'step' ? { conditions } : {}), ...base })),
          ).chain((entry) =>
            fc
              .record(
                { snapshots: fc.anything(), capacity: fc.constantFrom('allow', 'defer', 'bogus', 7), plan_failure_policy: fc.anything(), provenance: fc.anything(), bundle: fc.anything() },
                { requiredKeys: [] },
              )
              .map((start) => (entry.type === 'propose_turn' || entry.type === 'turn_start_resolved' ? { turn_id: 'J', event_id: 'j', ...entry, start } : entry)),
          ),
          { maxLength: 30 },
        ),
        fc.boolean(),
        (entries, startActive) => {
          const sink = new RecordingSink();
          const engine = new TurnEngine(config(), sink);
          if (startActive) engine.apply(propose(0));
          for (const e of entries) expect(() => engine.apply(e as unknown as EngineInput)).not.toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });
});
