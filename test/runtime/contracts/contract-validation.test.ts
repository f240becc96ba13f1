import {
  CONTRACT_SCHEMAS_V1,
  decodeControlSignal,
  decodeDecisionOutcome,
  decodeEventRecord,
  decodeResolvedTurnPlan,
  decodeTurnTransition,
  encodeCanonical,
  LEGAL_TRANSITIONS,
  SIGNAL_EMITTERS,
  SIGNAL_NAMES,
  SIGNAL_REGISTRY,
  TRANSITION_TRIGGERS,
  TURN_STATES,
  validateContract,
  type ControlSignal,
  type DecisionOutcome,
  type EventRecord,
  type ResolvedTurnPlan,
  type SignalName,
} from '../../../runtime/contracts/v1';
import { SIMPLE_V1_PROFILE } from '../../../runtime/engine';

const event: EventRecord = {
  schema_version: 'v1.0',
  event_scope: 'turn',
  session_id: 'S',
  turn_id: 'T',
  pipeline_version: 'p/v1',
  event_id: 'e1',
  lane: 'DataLane',
  transport_sequence: 0,
  runtime_sequence: 1,
  authority_epoch: 3,
  runtime_timestamp_ms: 10,
  wall_clock_timestamp_ms: 20,
  payload_class: 'text_raw',
};

/** A valid ControlSignal for any registry entry: the required extras are filled in. */
function validSignal(name: SignalName, emitter = SIGNAL_REGISTRY[name].emitters[0]): ControlSignal {
  const entry = SIGNAL_REGISTRY[name];
  const s: Record<string, unknown> = {
    ...event,
    lane: 'ControlLane',
    payload_class: 'metadata',
    event_scope: entry.eventScope ?? 'turn',
    signal: name,
    emitted_by: emitter,
  };
  const extras: Record<string, unknown> = {
    reason: 'r',
    scope: 'turn',
    edge_id: 'edge-a',
    target_lane: 'DataLane',
    seq_range: { start: 1, end: 2 },
    amount: 1,
    sync_domain: 'av',
    discontinuity_id: 'd1',
    authority_epoch: 3,
    turn_id: 'T',
  };
  for (const f of entry.requires) s[f] = extras[f];
  return s as ControlSignal;
}

const decision: DecisionOutcome = {
  outcome_kind: 'reject',
  phase: 'pre_turn',
  scope: 'turn',
  session_id: 'S',
  turn_id: 'T',
  event_id: 'd1',
  runtime_timestamp_ms: 1,
  wall_clock_timestamp_ms: 2,
  emitted_by: 'RK-25',
  reason: 'admission_capacity_reject',
};

const plan: ResolvedTurnPlan = {
  turn_id: 'T',
  pipeline_version: 'p/v1',
  plan_hash: 'a'.repeat(64),
  graph_definition_ref: 'g',
  execution_profile: 'simple/v1',
  authority_epoch: 3,
  budgets: SIMPLE_V1_PROFILE.budgets,
  provider_bindings: { stt: 'x' },
  edge_buffer_policies: SIMPLE_V1_PROFILE.edge_buffer_policies,
  flow_control: SIMPLE_V1_PROFILE.flow_control,
  allowed_adaptive_actions: [],
  snapshot_provenance: {
    routing_view_snapshot: 'a',
    admission_policy_snapshot: 'b',
    abi_compatibility_snapshot: 'c',
    version_resolution_snapshot: 'd',
    policy_resolution_snapshot: 'e',
    provider_health_snapshot: 'f',
  },
  recording_policy: { recording_level: 'L0', allowed_replay_modes: ['replay_decisions'] },
  determinism: { seed: 1, ordering_markers: ['runtime_sequence'], merge_rule_id: 'm', merge_rule_version: 'v1.0', nondeterministic_inputs: [] },
};

const without = <T extends object>(v: T, key: string): T => {
  const copy = { ...v } as Record<string, unknown>;
  delete copy[key];
  return copy as T;
};

describe('CT-001 contract fixtures: valid accepted, invalid rejected', () => {
  test('valid fixtures of each artifact decode', () => {
    expect(decodeEventRecord(event).ok).toBe(true);
    expect(decodeControlSignal(validSignal('abort')).ok).toBe(true);
    expect(decodeDecisionOutcome(decision).ok).toBe(true);
    expect(decodeResolvedTurnPlan(plan).ok).toBe(true);
    expect(decodeTurnTransition({ from_state: 'Idle', trigger: 'turn_open_proposed', to_state: 'Opening', deterministic: true }).ok).toBe(true);
    expect(decodeEventRecord(JSON.stringify(event)).ok).toBe(true);
  });

  const invalid: [string, string, unknown, string][] = [
    ['abort without reason', 'ControlSignal', without(validSignal('abort'), 'reason'), '$.reason'],
    ['credit_grant without amount', 'ControlSignal', without(validSignal('credit_grant'), 'amount'), '$.amount'],
    ['discontinuity without sync_domain', 'ControlSignal', without(validSignal('discontinuity'), 'sync_domain'), '$.sync_domain'],
    ['drop_notice without seq_range', 'ControlSignal', without(validSignal('drop_notice'), 'seq_range'), '$.seq_range'],
    ['unknown emitter', 'ControlSignal', { ...validSignal('cancel'), emitted_by: 'RK-99' }, '$.emitted_by'],
    ['lease_rotated from RK-24', 'ControlSignal', { ...validSignal('lease_rotated'), emitted_by: 'RK-24' }, '$.emitted_by'],
    ['shed without reason', 'ControlSignal', without(validSignal('shed'), 'reason'), '$.reason'],
    ['watermark without edge_id', 'ControlSignal', without(validSignal('watermark'), 'edge_id'), '$.edge_id'],
    ['event without lane', 'EventRecord', without(event, 'lane'), '$.lane'],
    ['plan without snapshot_provenance', 'ResolvedTurnPlan', without(plan, 'snapshot_provenance'), '$.snapshot_provenance'],
    ['audio_raw without media_time', 'EventRecord', { ...event, payload_class: 'audio_raw' }, '$.media_time'],
    ['merged_from_event_ids without merge_group_id', 'EventRecord', { ...event, merged_from_event_ids: ['a', 'b'] }, '$.merge_group_id'],
  ];
  test.each(invalid)('%s is rejected naming %s', (_name, kind, value, path) => {
    const err = validateContract(kind as keyof typeof CONTRACT_SCHEMAS_V1, value);
    expect(err).toBeDefined();
    expect(err!.path).toBe(path);
  });
});

describe('strict decoding: typed errors with the JSON path', () => {
  test('unknown field', () => {
    const r = decodeEventRecord({ ...event, colour: 'red' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'unknown_field', path: '$.colour', kind: 'EventRecord' });
  });
  test('unknown nested field names the nested path', () => {
    const r = decodeResolvedTurnPlan({ ...plan, budgets: { ...plan.budgets, extra: 1 } });
    expect(!r.ok && r.error).toMatchObject({ code: 'unknown_field', path: '$.budgets.extra' });
  });
  test('bad enum', () => {
    const r = decodeEventRecord({ ...event, lane: 'FastLane' });
    expect(!r.ok && r.error).toMatchObject({ code: 'bad_enum', path: '$.lane' });
  });
  test('bad enum deep in a map', () => {
    const policies = { default: { ...plan.edge_buffer_policies.default, strategy: 'yolo' } };
    const r = decodeResolvedTurnPlan({ ...plan, edge_buffer_policies: policies });
    expect(!r.ok && r.error).toMatchObject({ code: 'bad_enum', path: '$.edge_buffer_policies.default.strategy' });
  });
  test('missing required', () => {
    const r = decodeEventRecord(without(event, 'session_id'));
    expect(!r.ok && r.error).toMatchObject({ code: 'missing_required', path: '$.session_id' });
  });
  test('wrong major version', () => {
    const r = decodeEventRecord({ ...event, schema_version: 'v2.0' });
    expect(!r.ok && r.error).toMatchObject({ code: 'unsupported_version', path: '$.schema_version' });
  });
  test('malformed version', () => {
    const r = decodeEventRecord({ ...event, schema_version: '1.0' });
    expect(!r.ok && r.error).toMatchObject({ code: 'pattern_mismatch', path: '$.schema_version' });
  });
  test('negative integers and empty strings are rejected', () => {
    expect(validateContract('EventRecord', { ...event, runtime_sequence: -1 })).toMatchObject({ code: 'out_of_range' });
    expect(validateContract('EventRecord', { ...event, session_id: '' })).toMatchObject({ code: 'empty_string' });
    expect(validateContract('EventRecord', { ...event, runtime_sequence: 1.5 })).toMatchObject({ code: 'not_integer' });
  });
  test('invalid JSON text', () => {
    const r = decodeEventRecord('{');
    expect(!r.ok && r.error.code).toBe('invalid_json');
  });
  test('a signal on DataLane is invalid', () => {
    expect(validateContract('ControlSignal', { ...validSignal('cancel'), lane: 'DataLane' })).toMatchObject({ rule: 'control_signal.lane' });
  });
});

describe('CT-002 signal registry: every signal with every emitter', () => {
  test.each([...SIGNAL_NAMES])('%s: listed emitters accepted, all others rejected', (name) => {
    const entry = SIGNAL_REGISTRY[name];
    for (const emitter of SIGNAL_EMITTERS) {
      const err = validateContract('ControlSignal', validSignal(name, emitter));
      if (entry.emitters.includes(emitter)) expect(err).toBeUndefined();
      else expect(err).toMatchObject({ path: '$.emitted_by' });
    }
  });
  test('an unknown signal name is rejected', () => {
    expect(validateContract('ControlSignal', { ...validSignal('cancel'), signal: 'teleport' })).toMatchObject({ code: 'bad_enum', path: '$.signal' });
  });
});

describe('CT-003 transition triples', () => {
  test('exactly the five legal edges pass', () => {
    const passing: string[] = [];
    for (const from of TURN_STATES)
      for (const trigger of TRANSITION_TRIGGERS)
        for (const to of TURN_STATES) {
          if (validateContract('TurnTransition', { from_state: from, trigger, to_state: to, deterministic: true }) === undefined) {
            passing.push(`${from}-${trigger}-${to}`);
          }
        }
    const expected = LEGAL_TRANSITIONS.flatMap((e) => e.triggers.map((t) => `${e.from}-${t}-${e.to}`));
    expect(passing.sort()).toEqual(expected.sort());
    expect(new Set(LEGAL_TRANSITIONS.map((e) => `${e.from}>${e.to}`)).size).toBe(5);
  });
  test('Idle→Active and deterministic=false fail', () => {
    expect(validateContract('TurnTransition', { from_state: 'Idle', trigger: 'turn_open', to_state: 'Active', deterministic: true })).toBeDefined();
    expect(
      validateContract('TurnTransition', { from_state: 'Idle', trigger: 'turn_open_proposed', to_state: 'Opening', deterministic: false }),
    ).toMatchObject({ code: 'const_mismatch', path: '$.deterministic' });
  });
});

describe('CT-005 decision outcome rules D1-D10', () => {
  const cases: [string, Partial<DecisionOutcome> & Record<string, unknown>, string | undefined][] = [
    ['D1 admit from RK-24', { outcome_kind: 'admit', emitted_by: 'RK-24', authority_epoch: 1 }, 'D1'],
    ['D2 shed with phase pre_turn', { outcome_kind: 'shed', phase: 'pre_turn' }, 'D2'],
    ['D3 stale_epoch_reject without epoch', { outcome_kind: 'stale_epoch_reject', emitted_by: 'RK-24' }, 'D3'],
    ['D3 deauthorized_drain from RK-25', { outcome_kind: 'deauthorized_drain', emitted_by: 'RK-25', authority_epoch: 1 }, 'D3'],
    ['D4 CP-05 with scope turn', { emitted_by: 'CP-05', scope: 'turn' }, 'D4'],
    ['D5 pre_turn with scheduling scope', { scope: 'edge_enqueue' }, 'D5'],
    ['D6 scheduling_point with scope turn', { outcome_kind: 'shed', phase: 'scheduling_point', scope: 'turn' }, 'D6'],
    ['D7 active_turn without turn_id', { outcome_kind: 'deauthorized_drain', emitted_by: 'RK-24', authority_epoch: 1, phase: 'active_turn', scope: 'session', turn_id: undefined }, 'D7'],
    ['D8 scope turn without turn_id', { turn_id: undefined }, 'D8'],
    ['D9 stale_epoch_reject in active_turn', { outcome_kind: 'stale_epoch_reject', emitted_by: 'RK-24', authority_epoch: 1, phase: 'active_turn' }, 'D9'],
    ['D10 deauthorized_drain at scheduling_point', { outcome_kind: 'deauthorized_drain', emitted_by: 'RK-24', authority_epoch: 1, phase: 'scheduling_point', scope: 'node_dispatch' }, 'D10'],
  ];
  test.each(cases)('%s', (_n, patch, rule) => {
    const value = JSON.parse(JSON.stringify({ ...decision, ...patch }));
    expect(validateContract('DecisionOutcome', value)?.rule).toBe(rule);
  });
  test('valid outcomes of every legal shape pass', () => {
    expect(validateContract('DecisionOutcome', { ...decision, outcome_kind: 'shed', phase: 'scheduling_point', scope: 'edge_enqueue' })).toBeUndefined();
    expect(
      validateContract('DecisionOutcome', { ...decision, outcome_kind: 'deauthorized_drain', emitted_by: 'RK-24', authority_epoch: 2, phase: 'active_turn' }),
    ).toBeUndefined();
    expect(validateContract('DecisionOutcome', { ...decision, emitted_by: 'CP-05', scope: 'tenant', turn_id: undefined })).toBeUndefined();
  });
});

describe('canonical JSON', () => {
  test('sorted keys at every depth, undefined omitted, stable bytes', () => {
    expect(encodeCanonical({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(encodeCanonical(event)).toBe(encodeCanonical(JSON.parse(JSON.stringify(event))));
  });
  test('refuses values JSON cannot carry', () => {
    expect(() => encodeCanonical({ a: NaN })).toThrow(/\$\.a/);
    expect(() => encodeCanonical({ f: () => 1 })).toThrow(/\$\.f/);
  });
});
