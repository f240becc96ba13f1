/**
 * Types are derived from the schemas (`Infer<>`), so they cannot drift; these compile-time checks
 * (run by `npm run typecheck`) and runtime checks pin the derivation to the wire names of contracts.md.
 */
import {
  ControlSignalSchema,
  EventRecordSchema,
  LANES,
  Or02BaselineRecordSchema,
  ResolvedTurnPlanSchema,
  type ControlSignal,
  type EventRecord,
  type Infer,
  type Lane,
  type ResolvedTurnPlan,
} from '../../../runtime/contracts/v1';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

describe('schema ⇄ type lockstep', () => {
  test('derived types are the exported types', () => {
    expect(assertType<Equal<Infer<typeof EventRecordSchema>, EventRecord>>()).toBe(true);
    expect(assertType<Equal<Infer<typeof ControlSignalSchema>, ControlSignal>>()).toBe(true);
    expect(assertType<Equal<Infer<typeof ResolvedTurnPlanSchema>, ResolvedTurnPlan>>()).toBe(true);
    expect(assertType<Equal<EventRecord['lane'], Lane>>()).toBe(true);
    expect(assertType<Equal<Lane, (typeof LANES)[number]>>()).toBe(true);
  });

  test('required/optional sets match contracts.md', () => {
    const required = (s: { required?: string[] }) => [...(s.required ?? [])].sort();
    expect(required(EventRecordSchema)).toEqual(
      [
        'schema_version', 'event_scope', 'session_id', 'pipeline_version', 'event_id', 'lane', 'transport_sequence',
        'runtime_sequence', 'runtime_timestamp_ms', 'wall_clock_timestamp_ms', 'payload_class',
      ].sort(),
    );
    expect(required(ControlSignalSchema)).toEqual([...required(EventRecordSchema), 'emitted_by', 'signal'].sort());
    expect(required(ResolvedTurnPlanSchema)).toEqual(Object.keys(ResolvedTurnPlanSchema.properties).sort());
    expect(Or02BaselineRecordSchema.required).toContain('close_emitted');
  });

  test('enums are frozen', () => {
    expect(Object.isFrozen(LANES)).toBe(true);
    expect(() => (LANES as unknown as string[]).push('X')).toThrow();
  });
});
