import {
  CONTRACT_SCHEMA_SET_V1,
  checkCompatibility,
  EventRecordSchema,
  type ContractSchemaSet,
  type ObjectSchema,
} from '../../../runtime/contracts/v1';

/** Derive a next version by editing a deep copy of EventRecord (functions in rules are kept). */
function nextWith(edit: (schema: { fields: Record<string, unknown>; rules: unknown[] }) => void, version = 'v1.1'): ContractSchemaSet {
  const copy = { ...EventRecordSchema, fields: JSON.parse(JSON.stringify(EventRecordSchema.fields)), rules: [...EventRecordSchema.rules] };
  edit(copy as unknown as { fields: Record<string, unknown>; rules: unknown[] });
  return { version, schemas: { ...CONTRACT_SCHEMA_SET_V1.schemas, EventRecord: copy as unknown as ObjectSchema } };
}

describe('contract compatibility checker (additive-only within a major)', () => {
  test('identical schema sets are compatible', () => {
    const r = checkCompatibility(CONTRACT_SCHEMA_SET_V1, { ...CONTRACT_SCHEMA_SET_V1, version: 'v1.1' });
    expect(r).toMatchObject({ compatible: true, problems: [] });
  });

  test('a JSON snapshot of v1 (rules kept by id + params, functions dropped) is compatible with the live set', () => {
    const snapshot = JSON.parse(JSON.stringify(CONTRACT_SCHEMA_SET_V1)) as ContractSchemaSet;
    expect(checkCompatibility(snapshot, { ...CONTRACT_SCHEMA_SET_V1, version: 'v1.1' })).toMatchObject({ compatible: true, problems: [] });
  });

  test('a registry rule may gain a signal (additive) but not change an existing entry', () => {
    const cs = CONTRACT_SCHEMA_SET_V1.schemas.ControlSignal;
    const withParams = (params: unknown): ContractSchemaSet => ({
      version: 'v1.1',
      schemas: { ...CONTRACT_SCHEMA_SET_V1.schemas, ControlSignal: { ...cs, rules: cs.rules.map((r) => (r.id === 'control_signal.registry' ? { ...r, params } : r)) } },
    });
    const registry = cs.rules.find((r) => r.id === 'control_signal.registry')!.params as Record<string, unknown>;
    expect(checkCompatibility(CONTRACT_SCHEMA_SET_V1, withParams({ ...registry, teleport: { emitters: ['RK-06'], requires: [] } })).compatible).toBe(true);
    const changed = checkCompatibility(CONTRACT_SCHEMA_SET_V1, withParams({ ...registry, cancel: { emitters: ['RK-06'], requires: ['scope'] } }));
    expect(changed.problems).toContainEqual(expect.objectContaining({ change: 'rule_changed', path: 'ControlSignal#control_signal.registry' }));
  });

  test('a new optional field is allowed and reported as an addition', () => {
    const r = checkCompatibility(CONTRACT_SCHEMA_SET_V1, nextWith((s) => (s.fields.region = { schema: { kind: 'string', minLength: 1 }, required: false })));
    expect(r.compatible).toBe(true);
    expect(r.additions).toContain('EventRecord.region: new optional field');
  });

  test('a new enum member is allowed', () => {
    const r = checkCompatibility(
      CONTRACT_SCHEMA_SET_V1,
      nextWith((s) => {
        const lane = (s.fields.lane as { schema: { values: string[] } }).schema;
        lane.values = [...lane.values, 'BulkLane'];
      }),
    );
    expect(r.compatible).toBe(true);
    expect(r.additions.some((a) => a.includes('BulkLane'))).toBe(true);
  });

  const refused: [string, (s: { fields: Record<string, any>; rules: unknown[] }) => void, string, string][] = [
    ['removed field', (s) => delete s.fields.node_id, 'field_removed', 'EventRecord.node_id'],
    ['renamed field', (s) => ((s.fields.node = s.fields.node_id), delete s.fields.node_id), 'field_removed', 'EventRecord.node_id'],
    ['retyped field', (s) => (s.fields.runtime_sequence = { schema: { kind: 'string', minLength: 1 }, required: true }), 'type_changed', 'EventRecord.runtime_sequence'],
    ['newly required field', (s) => (s.fields.node_id.required = true), 'field_made_required', 'EventRecord.node_id'],
    ['new required field', (s) => (s.fields.region = { schema: { kind: 'string', minLength: 1 }, required: true }), 'field_added_required', 'EventRecord.region'],
    ['removed enum member', (s) => (s.fields.lane.schema.values = ['DataLane', 'ControlLane']), 'enum_member_removed', 'EventRecord.lane'],
    ['tightened bound', (s) => (s.fields.merged_from_event_ids.schema.maxItems = 8), 'constraint_tightened', 'EventRecord.merged_from_event_ids'],
    ['removed rule', (s) => s.rules.pop(), 'rule_changed', 'EventRecord#event_record.lane'],
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
