import {
  CONTRACT_SCHEMA_SET_V1,
  checkCompatibility,
  EventRecordSchema,
  type ContractSchemaSet,
  type JsonSchemaDoc,
} from '../../../runtime/contracts/v1';

/** The JSON Schema document of EventRecord, as a next version edits it. */
type EditableDoc = { properties: Record<string, any>; required: string[]; 'x-rules': unknown[] };

/** Derive a next version by editing a deep copy of EventRecord's JSON Schema document. */
function nextWith(edit: (schema: EditableDoc) => void, version = 'v1.1'): ContractSchemaSet {
  const copy = JSON.parse(JSON.stringify(EventRecordSchema)) as EditableDoc;
  edit(copy);
  return { version, schemas: { ...CONTRACT_SCHEMA_SET_V1.schemas, EventRecord: copy as JsonSchemaDoc } };
}

describe('contract compatibility checker (additive-only within a major)', () => {
  test('identical schema sets are compatible', () => {
    const r = checkCompatibility(CONTRACT_SCHEMA_SET_V1, { ...CONTRACT_SCHEMA_SET_V1, version: 'v1.1' });
    expect(r).toMatchObject({ compatible: true, problems: [] });
  });

  test('a JSON snapshot of v1 (rules kept by id + params as x-rules, functions dropped) is compatible with the live set', () => {
    const snapshot = JSON.parse(JSON.stringify(CONTRACT_SCHEMA_SET_V1)) as ContractSchemaSet;
    expect(checkCompatibility(snapshot, { ...CONTRACT_SCHEMA_SET_V1, version: 'v1.1' })).toMatchObject({ compatible: true, problems: [] });
  });

  test('a registry rule may gain a signal (additive) but not change an existing entry', () => {
    const cs = CONTRACT_SCHEMA_SET_V1.schemas.ControlSignal;
    const rules = cs['x-rules']!;
    const withParams = (params: unknown): ContractSchemaSet => ({
      version: 'v1.1',
      schemas: { ...CONTRACT_SCHEMA_SET_V1.schemas, ControlSignal: { ...cs, 'x-rules': rules.map((r) => (r.id === 'control_signal.registry' ? { ...r, params } : r)) } },
    });
    const registry = rules.find((r) => r.id === 'control_signal.registry')!.params as Record<string, unknown>;
    expect(checkCompatibility(CONTRACT_SCHEMA_SET_V1, withParams({ ...registry, teleport: { emitters: ['RK-06'], requires: [] } })).compatible).toBe(true);
    const changed = checkCompatibility(CONTRACT_SCHEMA_SET_V1, withParams({ ...registry, cancel: { emitters: ['RK-06'], requires: ['scope'] } }));
    expect(changed.problems).toContainEqual(expect.objectContaining({ change: 'rule_changed', path: 'ControlSignal#control_signal.registry' }));
  });

  test('a new optional field is allowed and reported as an addition', () => {
    const r = checkCompatibility(CONTRACT_SCHEMA_SET_V1, nextWith((s) => (s.properties.region = { type: 'string', minLength: 1 })));
    expect(r.compatible).toBe(true);
    expect(r.additions).toContain('EventRecord.region: new optional field');
  });

  test('a new enum member is allowed', () => {
    const r = checkCompatibility(
      CONTRACT_SCHEMA_SET_V1,
      nextWith((s) => {
        s.properties.lane.anyOf = [...s.properties.lane.anyOf, { const: 'BulkLane', type: 'string' }];
      }),
    );
    expect(r.compatible).toBe(true);
    expect(r.additions.some((a) => a.includes('BulkLane'))).toBe(true);
  });

  const refused: [string, (s: EditableDoc) => void, string, string][] = [
    ['removed field', (s) => delete s.properties.node_id, 'field_removed', 'EventRecord.node_id'],
    ['renamed field', (s) => ((s.properties.node = s.properties.node_id), delete s.properties.node_id), 'field_removed', 'EventRecord.node_id'],
    ['retyped field', (s) => (s.properties.runtime_sequence = { type: 'string', minLength: 1 }), 'type_changed', 'EventRecord.runtime_sequence'],
    ['newly required field', (s) => s.required.push('node_id'), 'field_made_required', 'EventRecord.node_id'],
    ['new required field', (s) => ((s.properties.region = { type: 'string', minLength: 1 }), s.required.push('region')), 'field_added_required', 'EventRecord.region'],
    ['removed enum member', (s) => (s.properties.lane.anyOf = s.properties.lane.anyOf.slice(0, 2)), 'enum_member_removed', 'EventRecord.lane'],
    ['tightened bound', (s) => (s.properties.merged_from_event_ids.maxItems = 8), 'constraint_tightened', 'EventRecord.merged_from_event_ids'],
    ['tightened integer minimum', (s) => (s.properties.runtime_sequence.minimum = 1), 'constraint_tightened', 'EventRecord.runtime_sequence'],
    ['changed pattern', (s) => (s.properties.schema_version.pattern = '^v1$'), 'constraint_changed', 'EventRecord.schema_version'],
    ['removed rule', (s) => s['x-rules'].pop(), 'rule_changed', 'EventRecord#event_record.lane'],
  ];
  test.each(refused)('%s is refused with its path', (_n, edit, change, path) => {
    const r = checkCompatibility(CONTRACT_SCHEMA_SET_V1, nextWith(edit));
    expect(r.compatible).toBe(false);
    expect(r.problems).toContainEqual(expect.objectContaining({ change, path }));
  });

  test('a removed contract kind is refused', () => {
    const { EventRecord: _gone, ...rest } = CONTRACT_SCHEMA_SET_V1.schemas;
    const r = checkCompatibility(CONTRACT_SCHEMA_SET_V1, { version: 'v1.1', schemas: rest });
    expect(r.problems).toContainEqual(expect.objectContaining({ change: 'kind_removed', path: 'EventRecord' }));
  });

  test('a major bump or an older version is refused here', () => {
    expect(checkCompatibility(CONTRACT_SCHEMA_SET_V1, { ...CONTRACT_SCHEMA_SET_V1, version: 'v2.0' }).problems[0].change).toBe('major_version_mismatch');
    expect(checkCompatibility({ ...CONTRACT_SCHEMA_SET_V1, version: 'v1.3' }, CONTRACT_SCHEMA_SET_V1).problems[0].change).toBe('version_not_newer');
  });
});
