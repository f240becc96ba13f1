/**
 * Shape checks for the engine's own input entries (the contract payloads inside them — events,
 * signals, bundles, policies — are checked against their v1 schemas where they are used). A bad
 * entry becomes an `invalid_input` diagnostic instead of an exception deep inside the engine.
 */
import { SCHEDULING_SCOPES } from '../contracts/v1';
import type { EngineInput } from './engine-types';

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isTime = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const FAILURE_CLASSES = ['provider_failure', 'node_timeout_or_failure', 'transport_disconnect_or_stall', 'generic'];

function startProblem(start: unknown, where: string): string | undefined {
  if (!isObject(start)) return `${where} must be an object`;
  const oneOf = (field: string, values: readonly string[]) =>
    start[field] !== undefined && !values.includes(start[field] as string) ? `${where}.${field} must be one of ${values.join(', ')}` : undefined;
  return (
    oneOf('snapshots', ['valid', 'missing', 'stale', 'incompatible']) ??
    oneOf('capacity', ['allow', 'reject', 'defer']) ??
    oneOf('snapshot_failure_policy', ['defer', 'reject']) ??
    oneOf('plan_failure_policy', ['defer', 'reject']) ??
    (start.provenance !== undefined && !isObject(start.provenance) ? `${where}.provenance must be an object` : undefined)
  );
}

/** The first problem with `input`, naming the field, or undefined when its shape is usable. */
export function engineInputProblem(input: unknown): string | undefined {
  if (!isObject(input)) return 'input must be an object';
  if (!isTime(input.at_ms)) return `at_ms must be an integer >= 0, got ${String(input.at_ms)}`;
  if (input.wall_ms !== undefined && !isTime(input.wall_ms)) return `wall_ms must be an integer >= 0, got ${String(input.wall_ms)}`;
  const i = input as unknown as EngineInput;
  switch (i.type) {
    case 'propose_turn':
      if (!isNonEmptyString(i.turn_id)) return 'propose_turn.turn_id must be a non-empty string';
      if (!isNonEmptyString(i.event_id)) return 'propose_turn.event_id must be a non-empty string';
      if (i.authority_epoch !== undefined && !isTime(i.authority_epoch)) return 'propose_turn.authority_epoch must be an integer >= 0';
      return i.start === undefined ? undefined : startProblem(i.start, 'propose_turn.start');
    case 'turn_start_resolved':
      return startProblem(i.start, 'turn_start_resolved.start');
    case 'data':
      if (i.payload_bytes !== undefined && !isTime(i.payload_bytes)) return 'data.payload_bytes must be an integer >= 0';
      return undefined;
    case 'telemetry':
    case 'control':
    case 'tick':
      return undefined;
    case 'step': {
      if (!isObject(i.conditions)) return 'step.conditions must be an object';
      const f = i.conditions.failures;
      if (f !== undefined && (!Array.isArray(f) || f.some((x) => !isObject(x) || !FAILURE_CLASSES.includes(x.class as string)))) {
        return `step.conditions.failures must be a list of {class: ${FAILURE_CLASSES.join('|')}}`;
      }
      if (f !== undefined && f.some((x) => x.legal_paths !== undefined && !Array.isArray(x.legal_paths))) {
        return 'step.conditions.failures[].legal_paths must be a list';
      }
      if (f !== undefined && f.some((x) => (x.reason !== undefined && !isNonEmptyString(x.reason)) || (x.node_id !== undefined && !isNonEmptyString(x.node_id)))) {
        return 'step.conditions.failures[].reason and node_id must be non-empty strings';
      }
      const ne = i.conditions.node_elapsed;
      if (ne !== undefined && (!Array.isArray(ne) || ne.some((x) => !isObject(x) || !isNonEmptyString(x.node_id) || !isTime(x.elapsed_ms)))) {
        return 'step.conditions.node_elapsed must be a list of {node_id: non-empty string, elapsed_ms: integer >= 0}';
      }
      const inv = i.conditions.invocations;
      if (inv !== undefined && !Array.isArray(inv)) return 'step.conditions.invocations must be a list';
      for (const flag of ['success_ready', 'authority_revoked'] as const) {
        const v = i.conditions[flag];
        if (v !== undefined && typeof v !== 'boolean') return `step.conditions.${flag} must be a boolean`;
      }
      const c = i.conditions.cancel;
      if (c !== undefined && (!isObject(c) || (c.scope !== 'turn' && c.scope !== 'session') || !isTime(c.sent_at_ms) || !isNonEmptyString(c.event_id))) {
        return 'step.conditions.cancel needs scope turn|session, sent_at_ms and event_id';
      }
      return undefined;
    }
    case 'downstream':
      if (!isNonEmptyString(i.edge_id)) return 'downstream.edge_id must be a non-empty string';
      return typeof i.ready === 'boolean' ? undefined : 'downstream.ready must be a boolean';
    case 'authority_revoked':
      return isNonEmptyString(i.reason) ? undefined : 'authority_revoked.reason must be a non-empty string';
    case 'evidence_store':
      return typeof i.available === 'boolean' ? undefined : 'evidence_store.available must be a boolean';
    case 'scheduling_shed':
      if (!(SCHEDULING_SCOPES as readonly string[]).includes(i.point)) return `scheduling_shed.point must be one of ${SCHEDULING_SCOPES.join(', ')}`;
      return isNonEmptyString(i.fairness_key) ? undefined : 'scheduling_shed.fairness_key must be a non-empty string';
    case 'plan_change':
      return isNonEmptyString(i.edge_id) ? undefined : 'plan_change.edge_id must be a non-empty string';
    default:
      return `unknown input type ${String((input as { type?: unknown }).type)}`;
  }
}
