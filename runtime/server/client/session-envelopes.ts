/**
 * Builders for the client side of `rspp.session.v1`: the envelopes a transport adapter sends for
 * one session. Used by the example client, the load bench and the tests, so the three speak the
 * protocol the same way. Every builder returns a contracts v1-valid envelope.
 */
import { CONTRACTS_SCHEMA_VERSION } from '../../contracts/v1';
import type { ControlSignal, EventRecord, PayloadClass } from '../../contracts/v1';

/** Per-session envelope state: ids, sequences, the epoch from the server's `session` frame. */
export class SessionEnvelopes {
  private eventCounter = 0;
  private controlSequence = 0;
  private readonly dataSequence = new Map<string, number>();

  constructor(
    readonly sessionId: string,
    /** Authority epoch from the `session` frame; stamped on ControlLane and turn-scoped events. */
    public authorityEpoch: number,
    readonly pipelineVersion: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  nextEventId(prefix: string): string {
    return `${prefix}-${++this.eventCounter}`;
  }

  private base(eventId: string, runtimeSequence: number) {
    const now = this.now();
    return {
      schema_version: CONTRACTS_SCHEMA_VERSION,
      session_id: this.sessionId,
      pipeline_version: this.pipelineVersion,
      event_id: eventId,
      transport_sequence: runtimeSequence,
      runtime_sequence: runtimeSequence,
      runtime_timestamp_ms: now,
      wall_clock_timestamp_ms: now,
    };
  }

  private control(signal: ControlSignal['signal'], emittedBy: ControlSignal['emitted_by'], fields: Partial<ControlSignal>): ControlSignal {
    return {
      ...this.base(fields.event_id ?? this.nextEventId(signal), ++this.controlSequence),
      event_scope: fields.turn_id !== undefined && signal !== 'turn_open_proposed' ? 'turn' : 'session',
      lane: 'ControlLane',
      payload_class: 'metadata',
      authority_epoch: this.authorityEpoch,
      signal,
      emitted_by: emittedBy,
      ...fields,
    };
  }

  /** The session prelude's intent to open `turnId` (RK-02). */
  proposeTurn(turnId: string, eventId?: string): ControlSignal {
    return this.control('turn_open_proposed', 'RK-02', { turn_id: turnId, ...(eventId ? { event_id: eventId } : {}) });
  }

  /** A DataLane event of the turn (`text_raw` by default; sequences are per edge). */
  data(turnId: string, options: { readonly eventId?: string; readonly payloadClass?: PayloadClass; readonly edgeId?: string } = {}): EventRecord {
    const edgeKey = options.edgeId ?? '';
    const seq = (this.dataSequence.get(edgeKey) ?? 0) + 1;
    this.dataSequence.set(edgeKey, seq);
    const payloadClass = options.payloadClass ?? 'text_raw';
    return {
      ...this.base(options.eventId ?? this.nextEventId('data'), seq),
      event_scope: 'turn',
      turn_id: turnId,
      lane: 'DataLane',
      payload_class: payloadClass,
      authority_epoch: this.authorityEpoch,
      ...(options.edgeId !== undefined ? { edge_id: options.edgeId } : {}),
      ...(payloadClass === 'audio_raw' ? { media_time: { sample_index: seq * 320 } } : {}),
    };
  }

  /**
   * `JSON.stringify(this.data(turnId, { eventId }))` for a `text_raw` event on the default edge,
   * built as a string without the intermediate object: the load bench sends tens of thousands a
   * second and must not starve the server it measures. Same bytes (a test holds it to that).
   */
  dataFrame(turnId: string, eventId: string): string {
    const seq = (this.dataSequence.get('') ?? 0) + 1;
    this.dataSequence.set('', seq);
    const now = this.now();
    return (
      `{"schema_version":"${CONTRACTS_SCHEMA_VERSION}","session_id":${JSON.stringify(this.sessionId)},` +
      `"pipeline_version":${JSON.stringify(this.pipelineVersion)},"event_id":${JSON.stringify(eventId)},` +
      `"transport_sequence":${seq},"runtime_sequence":${seq},"runtime_timestamp_ms":${now},"wall_clock_timestamp_ms":${now},` +
      `"event_scope":"turn","turn_id":${JSON.stringify(turnId)},"lane":"DataLane","payload_class":"text_raw","authority_epoch":${this.authorityEpoch}}`
    );
  }

  /** Cancels the turn (RK-06, scope `turn`). */
  cancel(turnId: string, eventId?: string): ControlSignal {
    return this.control('cancel', 'RK-06', { turn_id: turnId, scope: 'turn', ...(eventId ? { event_id: eventId } : {}) });
  }

  /** The transport finished playing the turn's output (RK-22): the server commits the turn. */
  playbackCompleted(turnId: string, eventId?: string): ControlSignal {
    return this.control('playback_completed', 'RK-22', { turn_id: turnId, ...(eventId ? { event_id: eventId } : {}) });
  }
}
