/**
 * Run an `InputLog` through a fresh engine and collect what it produced. Used for recording a
 * reference run and by `replay`.
 */
import type { Or02BaselineRecord } from '../contracts/v1';
import type { EngineOutput, InputLog } from './engine-types';
import { RecordingSink } from './recording-sink';
import { TurnEngine } from './turn-engine';

/** What a run produced: the full output timeline and the OR-02 records, in close order. */
export interface RecordedRun {
  readonly outputs: readonly EngineOutput[];
  readonly records: readonly Or02BaselineRecord[];
}

export function runInputLog(log: InputLog): RecordedRun {
  const sink = new RecordingSink();
  const engine = new TurnEngine(log.config, sink);
  for (const entry of log.entries) engine.apply(entry);
  const records: Or02BaselineRecord[] = [];
  for (const o of sink.outputs) if (o.kind === 'evidence') records.push(o.record);
  return { outputs: sink.outputs, records };
}
