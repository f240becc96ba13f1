/**
 * The compiled strict decoder's error reports: every error code with its JSON path and the wording of
 * the former interpreter, the first-violation order (unknown field first, then the schema-version major,
 * then the structure, then the cross-field rules), and `contractProblems` returning every problem at once.
 */
import fc from 'fast-check';
import { contractProblems, validateContract, type EventRecord } from '../../../runtime/contracts/v1';
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

const plan = {
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

describe('strict decoder: codes, paths and messages', () => {
  test.each([
    ['a string field given a number', { ...event, session_id: 7 }, { code: 'wrong_type', path: '$.session_id', message: 'expected string, got number' }],
    ['an integer field given a string', { ...event, runtime_sequence: '1' }, { code: 'wrong_type', path: '$.runtime_sequence', message: 'expected integer, got string' }],
    ['an enum given a number', { ...event, lane: 3 }, { code: 'wrong_type', path: '$.lane', message: 'expected Lane string, got number' }],
    ['a bad enum member', { ...event, lane: 'FastLane' }, { code: 'bad_enum', path: '$.lane', message: '"FastLane" is not a Lane (one of DataLane, ControlLane, TelemetryLane)' }],
    ['a nested object given an array', { ...event, payload_class: 'audio_raw', media_time: [] }, { code: 'wrong_type', path: '$.media_time', message: 'expected MediaTime object, got array' }],
    ['a nested unknown field', { ...event, media_time: { pts_ms: 1, frame: 2 } }, { code: 'unknown_field', path: '$.media_time.frame', message: 'unknown field "frame" in MediaTime' }],
    ['a missing field', { ...event, event_id: undefined }, { code: 'missing_required', path: '$.event_id', message: 'EventRecord.event_id is required' }],
    ['a too-long list', { ...event, merge_group_id: 'g', merged_from_event_ids: Array.from({ length: 65 }, (_, i) => `e${i}`) }, { code: 'too_many_items', path: '$.merged_from_event_ids', message: 'allows at most 64 item(s), got 65' }],
    ['an empty list', { ...event, merge_group_id: 'g', merged_from_event_ids: [] }, { code: 'too_few_items', path: '$.merged_from_event_ids', message: 'needs at least 1 item(s), got 0' }],
    ['a repeated item', { ...event, merge_group_id: 'g', merged_from_event_ids: ['a', 'b', 'a'] }, { code: 'duplicate_item', path: '$.merged_from_event_ids[2]', message: 'duplicate item a' }],
    ['an item of the wrong type', { ...event, merge_group_id: 'g', merged_from_event_ids: ['a', 5] }, { code: 'wrong_type', path: '$.merged_from_event_ids[1]', message: 'expected string, got number' }],
    ['a nested rule', { ...event, payload_class: 'audio_raw', media_time: { pts_ms: 1, sample_index: 2 } }, { code: 'rule_violation', rule: 'media_time.exactly_one', path: '$.media_time', message: 'media_time needs exactly one of sample_index or pts_ms' }],
    ['a top-level rule', { ...event, merged_from_event_ids: ['a'] }, { code: 'rule_violation', rule: 'envelope.merge_group_with_lineage', path: '$.merge_group_id' }],
  ])('%s', (_name, value, expected) => {
    expect(validateContract('EventRecord', value)).toMatchObject({ kind: 'EventRecord', ...expected });
  });

  test.each([
    ['an empty map', { ...plan, provider_bindings: {} }, { code: 'too_few_items', path: '$.provider_bindings', message: 'needs at least 1 entry' }],
    ['an empty map key', { ...plan, provider_bindings: { '': 'x' } }, { code: 'empty_string', path: '$.provider_bindings.', message: 'key: must be a non-empty string' }],
    ['a map value of the wrong type', { ...plan, provider_bindings: { stt: 5 } }, { code: 'wrong_type', path: '$.provider_bindings.stt', message: 'expected string, got number' }],
    ['a map given a string', { ...plan, provider_bindings: 'stt' }, { code: 'wrong_type', path: '$.provider_bindings', message: 'expected object (map), got string' }],
    ['a negative budget deep inside', { ...plan, budgets: { ...plan.budgets, turn_budget_ms: -5 } }, { code: 'out_of_range', path: '$.budgets.turn_budget_ms' }],
  ])('ResolvedTurnPlan: %s', (_name, value, expected) => {
    expect(validateContract('ResolvedTurnPlan', value)).toMatchObject({ kind: 'ResolvedTurnPlan', ...expected });
  });

  test('the first violation: an unknown field before the version major, the major before the structure', () => {
    const { colour: _colour, ...known } = { ...event, schema_version: 'v2.0', colour: 'red', session_id: '' };
    expect(validateContract('EventRecord', { ...known, colour: 'red' })).toMatchObject({ code: 'unknown_field', path: '$.colour' });
    expect(validateContract('EventRecord', { ...known, colour: undefined })).toMatchObject({ code: 'unknown_field', path: '$.colour' });
    expect(validateContract('EventRecord', known)).toMatchObject({ code: 'unsupported_version', path: '$.schema_version' });
    expect(validateContract('EventRecord', { ...known, schema_version: 'v1.0' })).toMatchObject({ code: 'empty_string', path: '$.session_id' });
  });

  test('contractProblems reports every structural problem at once, each with its path', () => {
    const problems = contractProblems('EventRecord', { ...event, colour: 'red', session_id: '', lane: 'FastLane', runtime_sequence: -1, event_id: undefined });
    expect(problems.map((p) => [p.code, p.path]).sort()).toEqual(
      [
        ['bad_enum', '$.lane'],
        ['empty_string', '$.session_id'],
        ['missing_required', '$.event_id'],
        ['out_of_range', '$.runtime_sequence'],
        ['unknown_field', '$.colour'],
      ].sort(),
    );
    expect(contractProblems('EventRecord', event)).toEqual([]);
    expect(contractProblems('EventRecord', { ...event, merged_from_event_ids: ['a'] })).toEqual([expect.objectContaining({ code: 'rule_violation' })]);
  });
});

describe('strict decoder: the first violation is one of all the problems (property)', () => {
  const fields = Object.keys(event);
  const junk = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer({ min: -3, max: 3 }), fc.double(), fc.string({ maxLength: 3 }), fc.constantFrom('DataLane', 'ControlLane', 'turn', 'v2.0', 'audio_raw'), fc.array(fc.string({ maxLength: 2 }), { maxLength: 3 }), fc.constant({ pts_ms: 1 }));
  const edits = fc.array(fc.tuple(fc.constantFrom(...fields, 'colour', 'media_time', 'merged_from_event_ids', 'merge_group_id', 'signal'), junk), { maxLength: 4 });

  test('validateContract is undefined exactly when contractProblems is empty, and otherwise names one of them', () => {
    fc.assert(
      fc.property(edits, (changes) => {
        const value: Record<string, unknown> = { ...event };
        for (const [k, v] of changes) value[k] = v;
        const first = validateContract('EventRecord', value);
        const all = contractProblems('EventRecord', value);
        if (first === undefined) return all.length === 0;
        return all.some((p) => p.code === first.code && p.path === first.path) || (first.code === 'unsupported_version' && all.length > 0);
      }),
      { numRuns: 2000, seed: 17 },
    );
  });
});
