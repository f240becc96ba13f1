/**
 * The session wire protocol (`rspp.session.v1`), documented in `runtime/server/README.md`.
 *
 * Client → server: one JSON text frame per event, the event envelope of contracts.md §3 as is:
 * an EventRecord (DataLane / TelemetryLane) or a ControlSignal (ControlLane). A frame may also be
 * a JSON array of envelopes (a batch, processed in order).
 *
 * Server → client: JSON text frames with a `type`:
 *   - `session`  once, on connect: session id, authority epoch, pipeline version, profile, drain time;
 *   - `outputs`  the engine outputs produced by one ingress frame (or one timer tick), in timeline
 *                order, each encoded canonically (contracts v1 canonical JSON);
 *   - `error`    a refused ingress frame: stable `code`, JSON `path`, `reason`; the session continues.
 */

/** WebSocket subprotocol name; clients may offer it, the server accepts connections without it too. */
export const SESSION_PROTOCOL = 'rspp.session.v1';

/**
 * Close codes. 1000-1015 are RFC 6455; 4000-4999 are application codes ("private use") of this
 * protocol. Each close carries a reason text starting with the code's name.
 */
export const CLOSE_CODES = {
  /** The client closed, or the session ended normally. */
  normal: 1000,
  /** Drain finished (or the server is stopping): reconnect to another replica. */
  goingAway: 1001,
  /** The connection request is malformed (e.g. an invalid `session_id` query parameter). */
  policyViolation: 1008,
  /** Frame over `maxFrameBytes` (ws closes with it). */
  messageTooBig: 1009,
  /** Not accepting sessions now (draining, not ready, at capacity): retry elsewhere / later. */
  tryAgainLater: 1013,
  /** This placement lost its authority lease; its outputs are fenced. Reconnect to be re-placed. */
  authorityLost: 4001,
  /**
   * The connection's egress stayed over its byte budget (`EGRESS_BUDGET_BYTES`) for longer than
   * `EGRESS_OVER_BUDGET_CLOSE_MS`: the client does not read what the server sends.
   */
  egressBudgetExceeded: 4008,
  /** The requested session id is already open on this process. */
  sessionConflict: 4009,
} as const;

/** Error codes of `error` frames: the contracts decoder's codes, plus the protocol's own. */
export type WireErrorCode =
  /** Frame is not JSON, or not an object/array of objects. */
  | 'invalid_json'
  /** Binary frames are not part of the protocol. */
  | 'binary_frame'
  /** Envelope failed strict decoding (`detail` carries the decoder code, e.g. `unknown_field`). */
  | 'contract_violation'
  /** `session_id` of the envelope is not this connection's session. */
  | 'session_mismatch'
  /** Envelope is valid but not accepted from clients: a signal/emitter outside the client allow-list. */
  | 'not_accepted_from_client'
  /** `event_id` in the server's namespace (`<session_id>/...`). */
  | 'reserved_event_id'
  /** A DataLane `event_id` this session already sent (within the dedupe window). */
  | 'duplicate_event_id'
  /** A DataLane `runtime_sequence` not above the last one on its edge in this session. */
  | 'sequence_regression'
  /** An empty batch `[]`. */
  | 'empty_batch'
  /** Several envelopes of one frame refused: one coalesced frame listing them (`errors`, capped). */
  | 'frame_errors'
  /** Batch larger than the limit. */
  | 'batch_too_large'
  /** The engine refused the input (its message). */
  | 'engine_rejected';

export interface WireError {
  readonly code: WireErrorCode;
  /** JSON path of the problem, `$` the frame root (`$[2].lane` inside a batch). */
  readonly path: string;
  readonly reason: string;
  /** Finer cause, e.g. the contracts decoder code (`bad_enum`) or rule id. */
  readonly detail?: string;
  /** `event_id` of the refused envelope, when it had a readable one. */
  readonly event_id?: string;
}

/** Largest batch (array frame) accepted. */
export const MAX_BATCH_EVENTS = 256;

export interface SessionHello {
  readonly session_id: string;
  readonly authority_epoch: number;
  readonly pipeline_version: string;
  readonly profile: string;
  readonly drain_seconds: number;
  readonly protocol: typeof SESSION_PROTOCOL;
}

export function encodeHello(hello: SessionHello): string {
  return JSON.stringify({ type: 'session', ...hello });
}

function encodeErrorFields(error: WireError): string {
  // Fixed key order; values are escaped by JSON.stringify.
  let out = `"code":"${error.code}","path":${JSON.stringify(error.path)},"reason":${JSON.stringify(error.reason)}`;
  if (error.detail !== undefined) out += `,"detail":${JSON.stringify(error.detail)}`;
  if (error.event_id !== undefined) out += `,"event_id":${JSON.stringify(error.event_id)}`;
  return out;
}

export function encodeError(error: WireError): string {
  return `{"type":"error",${encodeErrorFields(error)}}`;
}

/** Most problems one coalesced `frame_errors` frame lists (the count names them all). */
export const MAX_ERRORS_PER_FRAME = 16;

/**
 * The one `error` frame answering an ingress frame with problems: the error itself when there is
 * one; otherwise `frame_errors` with `count` and the first `MAX_ERRORS_PER_FRAME` in `errors`.
 */
export function encodeFrameErrors(errors: readonly WireError[], count: number): string {
  if (count === 1) return encodeError(errors[0]);
  let list = '';
  for (let i = 0; i < errors.length && i < MAX_ERRORS_PER_FRAME; i++) list += (i > 0 ? ',' : '') + `{${encodeErrorFields(errors[i])}}`;
  const reason = `${count} envelopes of this frame were refused${count > MAX_ERRORS_PER_FRAME ? ` (the first ${MAX_ERRORS_PER_FRAME} listed)` : ''}`;
  return `{"type":"error","code":"frame_errors","path":"$","reason":${JSON.stringify(reason)},"count":${count},"errors":[${list}]}`;
}

/**
 * Client → server ControlLane signals the server accepts, by signal and the emitters a client may
 * claim (contracts.md §4 registry, restricted to what a session client legitimately originates).
 * Everything else — lease/migration (CP-07/CP-08), admission and authority decisions, lifecycle,
 * edge/flow/budget/provider markers, connection states — is refused with `not_accepted_from_client`
 * naming the signal: those come only from the runtime or the control plane.
 */
export const CLIENT_SIGNAL_ALLOW_LIST: { readonly [signal: string]: readonly string[] } = Object.freeze({
  turn_open_proposed: ['RK-02'],
  cancel: ['RK-06'],
  barge_in: ['RK-06'],
  stop: ['RK-06'],
  playback_started: ['RK-22', 'RK-23'],
  playback_completed: ['RK-22', 'RK-23'],
});

/** Per-connection egress budget: bytes queued in the lanes plus bytes queued on the socket. */
export const EGRESS_BUDGET_BYTES = 2 * 1024 * 1024;
/** Ingress reading resumes once the connection's egress is back under this many bytes. */
export const EGRESS_RESUME_BYTES = 512 * 1024;
/** A connection over its egress budget this long is closed with `4008 egress_budget_exceeded`. */
export const EGRESS_OVER_BUDGET_CLOSE_MS = 5000;

/** Prefix/suffix of an `outputs` frame; the canonical outputs go between, comma-separated. */
export const OUTPUTS_FRAME_PREFIX = '{"type":"outputs","outputs":[';
export const OUTPUTS_FRAME_SUFFIX = ']}';
