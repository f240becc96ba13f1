/**
 * Merge lineage (`turn-engine.md` §6 `merge`): a coalesced event carries `merge_group_id` and
 * `merged_from_event_ids` (1-64 unique ids) ordered by (`runtime_sequence`, `event_id`); its
 * source span is [min, max] runtime_sequence.
 */
import type { EventRecord, SeqRange } from '../contracts/v1';

export const MAX_MERGE_SOURCES = 64;

export interface MergedEvent {
  readonly event: EventRecord;
  readonly span: SeqRange;
}

export function compareBySequence(a: EventRecord, b: EventRecord): number {
  if (a.runtime_sequence !== b.runtime_sequence) return a.runtime_sequence - b.runtime_sequence;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}

/**
 * Coalesce `sources` (2..64 events) into one event. The envelope is the newest source's, with the
 * group id as `event_id` and `merge_group_id`, and `runtime_sequence` = the span's end.
 * Throws a RangeError naming the rule when there are fewer than 2 or more than 64 sources.
 */
export function mergeEvents(sources: readonly EventRecord[], mergeGroupId: string): MergedEvent {
  if (sources.length < 2) throw new RangeError(`merge needs at least 2 source events, got ${sources.length}`);
  if (sources.length > MAX_MERGE_SOURCES) throw new RangeError(`merge takes at most ${MAX_MERGE_SOURCES} source events, got ${sources.length}`);
  const ordered = [...sources].sort(compareBySequence);
  const ids = ordered.map((e) => e.event_id);
  if (new Set(ids).size !== ids.length) throw new RangeError(`merged_from_event_ids must be unique, got ${ids.join(', ')}`);
  const newest = ordered[ordered.length - 1];
  const span = { start: ordered[0].runtime_sequence, end: newest.runtime_sequence };
  const event: EventRecord = {
    ...newest,
    event_id: mergeGroupId,
    runtime_sequence: span.end,
    merge_group_id: mergeGroupId,
    merged_from_event_ids: ids,
  };
  return { event, span };
}
