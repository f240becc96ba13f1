/**
 * Event envelope, EventRecord and ControlSignal (`contracts.md` §3-§4).
 */
import {
  EVENT_SCOPES,
  LANES,
  PAYLOAD_CLASSES,
  SIGNAL_EMITTERS,
  SIGNAL_NAMES,
  SIGNAL_SCOPES,
  type SignalName,
} from './enums';
import { SIGNAL_REGISTRY } from './signal-registry';
import { SCHEMA_VERSION_PATTERN } from './strict-decoder';
import { arrayOf, bool, enumOf, int, obj, opt, req, str, type Fields, type Infer, type ObjectRule } from './schema-dsl';

export const MediaTimeSchema = obj(
  'MediaTime',
  { sample_index: opt(int()), pts_ms: opt(int()) },
  [
    {
      id: 'media_time.exactly_one',
      check: (m) =>
        (m.sample_index === undefined) === (m.pts_ms === undefined)
          ? { path: '', message: 'media_time needs exactly one of sample_index or pts_ms' }
          : undefined,
    },
  ],
);

export const SeqRangeSchema = obj('SeqRange', { start: req(int()), end: req(int()) }, [
  {
    id: 'seq_range.ordered',
    check: (r) => (r.end < r.start ? { path: '.end', message: `seq_range.end (${r.end}) must be >= start (${r.start})` } : undefined),
  },
]);

const laneSchema = enumOf('Lane', LANES);

/** Envelope fields shared by EventRecord and ControlSignal. */
const envelopeFields = {
  schema_version: req(str({ pattern: SCHEMA_VERSION_PATTERN })),
  event_scope: req(enumOf('EventScope', EVENT_SCOPES)),
  session_id: req(str()),
  turn_id: opt(str()),
  pipeline_version: req(str()),
  event_id: req(str()),
  node_id: opt(str()),
  edge_id: opt(str()),
  causal_parent_id: opt(str()),
  idempotency_key: opt(str()),
  provider_invocation_id: opt(str()),
  lane: req(laneSchema),
  transport_sequence: req(int()),
  runtime_sequence: req(int()),
  authority_epoch: opt(int()),
  lease_token: opt(str()),
  runtime_timestamp_ms: req(int()),
  wall_clock_timestamp_ms: req(int()),
  payload_class: req(enumOf('PayloadClass', PAYLOAD_CLASSES)),
  media_time: opt(MediaTimeSchema),
  sync_id: opt(str()),
  sync_domain: opt(str()),
  discontinuity_id: opt(str()),
  merge_group_id: opt(str()),
  merged_from_event_ids: opt(arrayOf(str(), { minItems: 1, maxItems: 64, unique: true })),
  late_after_cancel: opt(bool()),
} satisfies Fields;

type Envelope = Infer<ReturnType<typeof envelopeOnly>>;
function envelopeOnly() {
  return obj('EventEnvelope', envelopeFields);
}

const envelopeRules: readonly ObjectRule<Envelope>[] = [
  {
    id: 'envelope.turn_id_when_turn_scoped',
    check: (e) =>
      (e.event_scope === 'turn' || e.late_after_cancel === true) && e.turn_id === undefined
        ? { path: '.turn_id', message: 'turn_id is required when event_scope=turn or late_after_cancel=true' }
        : undefined,
  },
  {
    id: 'envelope.epoch_when_turn_or_control',
    check: (e) =>
      (e.event_scope === 'turn' || e.lane === 'ControlLane') && e.authority_epoch === undefined
        ? { path: '.authority_epoch', message: 'authority_epoch is required for event_scope=turn and every ControlLane event' }
        : undefined,
  },
  {
    id: 'envelope.control_is_metadata',
    check: (e) =>
      e.lane === 'ControlLane' && e.payload_class !== 'metadata'
        ? { path: '.payload_class', message: 'ControlLane events must have payload_class=metadata' }
        : undefined,
  },
  {
    id: 'envelope.audio_needs_media_time',
    check: (e) =>
      e.payload_class === 'audio_raw' && e.media_time === undefined
        ? { path: '.media_time', message: 'media_time is required when payload_class=audio_raw' }
        : undefined,
  },
  {
    id: 'envelope.discontinuity_needs_domain',
    check: (e) =>
      e.discontinuity_id !== undefined && e.sync_domain === undefined
        ? { path: '.sync_domain', message: 'discontinuity_id requires sync_domain' }
        : undefined,
  },
  {
    id: 'envelope.merge_group_with_lineage',
    check: (e) =>
      e.merged_from_event_ids !== undefined && e.merge_group_id === undefined
        ? { path: '.merge_group_id', message: 'merge_group_id is required when merged_from_event_ids is present' }
        : undefined,
  },
  {
    id: 'envelope.late_after_cancel_is_turn_scoped',
    check: (e) =>
      e.late_after_cancel === true && e.event_scope !== 'turn'
        ? { path: '.event_scope', message: 'late_after_cancel=true requires event_scope=turn' }
        : undefined,
  },
];

/** A DataLane or TelemetryLane event (the envelope without `signal`). */
export const EventRecordSchema = obj('EventRecord', envelopeFields, [
  ...(envelopeRules as readonly ObjectRule[]),
  {
    id: 'event_record.lane',
    check: (e) =>
      e.lane === 'ControlLane' ? { path: '.lane', message: 'an EventRecord travels on DataLane or TelemetryLane; ControlLane carries ControlSignals' } : undefined,
  },
]);
export type EventRecord = Infer<typeof EventRecordSchema>;

const controlSignalFields = {
  ...envelopeFields,
  signal: req(enumOf('SignalName', SIGNAL_NAMES)),
  emitted_by: req(enumOf('SignalEmitter', SIGNAL_EMITTERS)),
  reason: opt(str()),
  scope: opt(enumOf('SignalScope', SIGNAL_SCOPES)),
  target_lane: opt(laneSchema),
  seq_range: opt(SeqRangeSchema),
  amount: opt(int({ min: 1 })),
} satisfies Fields;

type ControlSignalShape = Infer<ReturnType<typeof controlOnly>>;
function controlOnly() {
  return obj('ControlSignal', controlSignalFields);
}

const controlRules: readonly ObjectRule<ControlSignalShape>[] = [
  {
    id: 'control_signal.lane',
    check: (s) => (s.lane !== 'ControlLane' ? { path: '.lane', message: 'a signal is only valid on ControlLane' } : undefined),
  },
  {
    id: 'control_signal.registry',
    params: SIGNAL_REGISTRY,
    check: (s) => {
      const entry = SIGNAL_REGISTRY[s.signal as SignalName];
      if (!entry.emitters.includes(s.emitted_by)) {
        return { path: '.emitted_by', message: `${s.emitted_by} may not emit ${s.signal} (allowed: ${entry.emitters.join(', ')})` };
      }
      if (entry.eventScope !== undefined && s.event_scope !== entry.eventScope) {
        return { path: '.event_scope', message: `${s.signal} requires event_scope=${entry.eventScope}` };
      }
      for (const field of entry.requires) {
        if ((s as Record<string, unknown>)[field] === undefined) {
          return { path: `.${field}`, message: `${s.signal} requires ${field}` };
        }
      }
      return undefined;
    },
  },
];

export const ControlSignalSchema = obj('ControlSignal', controlSignalFields, [
  ...(envelopeRules as readonly ObjectRule[]),
  ...(controlRules as readonly ObjectRule[]),
]);
export type ControlSignal = Infer<typeof ControlSignalSchema>;
export type MediaTime = Infer<typeof MediaTimeSchema>;
export type SeqRange = Infer<typeof SeqRangeSchema>;
