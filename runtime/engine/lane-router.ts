/**
 * Deterministic lane routing (`turn-engine.md` §5): the default queue key is
 * `runtime/<data|control|telemetry>/<node_type lowercased>`; an explicit override is keyed
 * `<node_type lowercased>|<Lane>` and must name a valid lane and a non-empty queue.
 */
import { LANES, type Lane } from '../contracts/v1';

const LANE_SEGMENT: { readonly [L in Lane]: string } = { DataLane: 'data', ControlLane: 'control', TelemetryLane: 'telemetry' };

export type QueueOverrides = { readonly [key: string]: string };

/** Check overrides once (at configuration time); returns every problem, naming the key. */
export function queueOverrideProblems(overrides: QueueOverrides): string[] {
  const problems: string[] = [];
  for (const [key, queue] of Object.entries(overrides)) {
    const sep = key.lastIndexOf('|');
    const nodeType = sep > 0 ? key.slice(0, sep) : '';
    const lane = sep > 0 ? key.slice(sep + 1) : '';
    if (nodeType.length === 0 || nodeType !== nodeType.toLowerCase()) problems.push(`override "${key}": key must be "<node_type lowercased>|<Lane>"`);
    if (!(LANES as readonly string[]).includes(lane)) problems.push(`override "${key}": "${lane}" is not a Lane (${LANES.join(', ')})`);
    if (typeof queue !== 'string' || queue.length === 0) problems.push(`override "${key}": queue must be a non-empty string`);
  }
  return problems;
}

export function resolveQueueKey(nodeType: string, lane: Lane, overrides: QueueOverrides = {}): string {
  if (nodeType.length === 0) throw new TypeError('resolveQueueKey: node_type must be a non-empty string');
  const type = nodeType.toLowerCase();
  const override = overrides[`${type}|${lane}`];
  return override !== undefined && override.length > 0 ? override : `runtime/${LANE_SEGMENT[lane]}/${type}`;
}
