/**
 * One session: one WebSocket, one `TurnEngine`. The connection is the engine's sink: it encodes
 * outputs canonically and hands them to its `EgressScheduler` (ControlLane > DataLane >
 * TelemetryLane, a small socket window, a byte budget), which writes once the frames read in this
 * event-loop turn have been processed (`SessionHost.scheduleFlush`): one `writev` per connection
 * per loop turn. Refusals of one ingress frame leave as one `error` frame (coalesced, capped).
 *
 * The server, not the client, is the authority on the wire: the session's epoch is the lease's
 * (client signals are an allow-list, `CLIENT_SIGNAL_ALLOW_LIST`), ControlLane streams are
 * numbered by the server, DataLane ids are deduplicated and sequences never go back within the
 * session, ids of the server's namespace (`<session_id>/`) are refused.
 *
 * The server plays the session prelude (RK-02) and transport mapping (RK-22) around the engine:
 *   - `turn_open_proposed` (RK-02) from the client → `propose_turn` with the resolved turn start
 *     (embedded), or `propose_turn` without it and `turn_start_resolved` once the control plane
 *     answered (two-phase Opening; a late answer for a closed session or a moved-on turn is dropped);
 *   - `playback_completed` (RK-22/23) for the active turn → the turn's output was delivered:
 *     generation complete (`step { success_ready }`) → `commit`, `close`;
 *   - every other envelope goes to the engine as is (DataLane on the hot path `ingestData`).
 * Internal intents and OR-02 records never reach the client: intents are dropped, records go to
 * the evidence sink (Stage B).
 */
import type { RawData, WebSocket } from 'ws';
import { checkBaselineCompleteness } from '../../contracts/v1';
import type { ControlSignal, EventRecord, Or02BaselineRecord } from '../../contracts/v1';
import { TurnEngine } from '../../engine';
import type { EngineConfig, EngineCounters, EngineInput, EngineOutput, EngineSink, TurnStartContext } from '../../engine';
import type { EvidenceSink } from '../evidence/evidence-sink';
import type { RuntimeMetrics } from '../metrics/runtime-metrics';
import { CONTRACTS_SCHEMA_VERSION } from '../../contracts/v1';
import { encodeDataOutput, encodeEnvelope, encodeOutput } from './canonical-output-encoder';
import { EgressScheduler, type PurgedRun } from './egress-scheduler';
import { decodeIngressFrame, type IngressVisitor } from './ingress-decoder';
import {
  CLIENT_SIGNAL_ALLOW_LIST,
  CLOSE_CODES,
  EGRESS_BUDGET_BYTES,
  EGRESS_OVER_BUDGET_CLOSE_MS,
  EGRESS_RESUME_BYTES,
  encodeFrameErrors,
  MAX_ERRORS_PER_FRAME,
  type WireError,
} from './wire-protocol';

/** What every session shares with the server that owns it. */
export interface SessionHost {
  readonly metrics: RuntimeMetrics;
  readonly evidence: EvidenceSink;
  /** Engine clock: integer monotonic milliseconds. */
  now(): number;
  /** Pipeline version of the sessions (stamped on server-made signals outside a turn). */
  readonly pipelineVersion: string;
  /**
   * Two-phase Opening: proposals are applied without `start` and `resolveTurnStart` may answer
   * with a promise (control-plane turn-start mode). False: it always answers synchronously.
   */
  readonly twoPhaseTurnStart: boolean;
  /**
   * Turn-start resolution for a proposal of `sessionId` made now under `authorityEpoch`. A promise
   * (two-phase only) never rejects: a failed resolution resolves to a context without `bundle`.
   */
  resolveTurnStart(sessionId: string, authorityEpoch: number): TurnStartContext | Promise<TurnStartContext>;
  /** Called once when the socket has closed. */
  sessionClosed(session: SessionConnection): void;
  /**
   * Asks for `flush()` once the current batch of I/O callbacks has run (one `setImmediate` for all
   * sessions), so several frames of one session read in the same loop turn leave as one frame.
   */
  scheduleFlush(session: SessionConnection): void;
}

/**
 * Egress backpressure: above this many DataLane bytes not yet written (the scheduler's DataLane
 * queue plus the socket's queue; client reading slowly) the session tells the engine its
 * downstream is not ready, so DataLane outputs queue in the plan's bounded edge buffers and are
 * shed by its strategy (watermark, flow_xoff, drop_notice) instead of growing without bound.
 * ControlLane outputs are never held back.
 */
export const EGRESS_HIGH_WATER_BYTES = 1024 * 1024;
/** Below this many queued bytes the downstream is ready again (hysteresis). */
export const EGRESS_LOW_WATER_BYTES = 256 * 1024;

export interface SessionConnectionProps {
  readonly sessionId: string;
  readonly socket: WebSocket;
  readonly host: SessionHost;
  /** Engine configuration (session id, pipeline version, epoch, profiles). */
  readonly engineConfig: EngineConfig;
  /** Egress budget in bytes (default `EGRESS_BUDGET_BYTES`). */
  readonly egressBudgetBytes?: number;
}

/** DataLane event ids remembered per session to refuse duplicates: this many, and at most ... */
export const DEDUPE_WINDOW_IDS = 4096;
/** ... this many characters of ids in total (ids are client-chosen strings). */
export const DEDUPE_WINDOW_CHARS = 256 * 1024;

export class SessionConnection implements EngineSink {
  readonly sessionId: string;
  readonly engine: TurnEngine;
  private readonly socket: WebSocket;
  private readonly host: SessionHost;
  /** Owns every byte sent: lanes in priority order, the window, the byte budget. */
  private readonly egressLanes: EgressScheduler;
  /** ControlLane `runtime_sequence` on the wire, per edge ('' = the session's edge-less stream). */
  private readonly controlSequence = new Map<string, number>();
  /** Last DataLane `runtime_sequence` accepted per edge over the whole session (all turns). */
  private readonly dataSequence = new Map<string, number>();
  /** Recent DataLane event ids (duplicates refused): set + FIFO, bounded by count and characters. */
  private readonly recentIds = new Set<string>();
  private readonly recentOrder: string[] = [];
  private recentHead = 0;
  private recentChars = 0;
  /** `<session_id>/`: the prefix of every id the server mints; refused on client envelopes. */
  private readonly serverIdPrefix: string;
  private serverIdCounter = 0;
  /** Refusals of the frame being decoded (one coalesced `error` frame per ingress frame). */
  private frameErrors: WireError[] = [];
  private frameErrorCount = 0;
  /** `event_id` of the envelope the engine is processing (names it in a `stale_epoch_reject`). */
  private ingressEventId: string | undefined;
  /** Turn whose queued DataLane items were already purged (abort). */
  private purgedTurn: string | undefined;
  /** DataLane items purged from the egress queue (aborted turns), for the shed metric. */
  private purgedItems = 0;
  /** Ingress reading paused because egress is over budget; the close timer of the episode. */
  private ingressPaused = false;
  private overBudgetTimer: NodeJS.Timeout | undefined;
  /** Set on authority loss: nothing the engine produces leaves any more (OR-02 records still do). */
  private egressFenced = false;
  /** Outputs refused by the egress fence after authority loss (they carry an epoch no longer held). */
  private fencedOutputs = 0;
  private closed = false;
  private flushScheduled = false;
  private telemetryPending = false;
  /** Engine time and wall-clock time of the frame being decoded. */
  private frameAt = 0;
  private frameWall = 0;
  /** A pong (or the connection itself) arrived since the last keepalive ping. */
  private alive = true;
  /** Socket over the high-water mark; the engine has been (or will be) told downstream is not ready. */
  private downstreamBlocked = false;
  /** The turn whose edges were told "not ready". */
  private blockedTurn: string | undefined;
  private finalCounters: EngineCounters | undefined;
  /** Identifies the latest two-phase proposal; an answer for an older one is discarded. */
  private turnStartToken = 0;

  constructor(props: SessionConnectionProps) {
    this.sessionId = props.sessionId;
    this.socket = props.socket;
    this.host = props.host;
    this.serverIdPrefix = `${props.sessionId}/`;
    this.egressLanes = new EgressScheduler(props.socket, props.egressBudgetBytes ?? EGRESS_BUDGET_BYTES, () => this.requestFlush());
    this.engine = new TurnEngine(props.engineConfig, this);
    this.socket.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    this.socket.once('close', () => this.onSocketClosed());
    this.socket.on('error', () => undefined); // 'close' follows every error; nothing else to do
    this.socket.on('pong', () => {
      this.alive = true;
    });
  }

  /**
   * Keepalive, called every keepalive interval: a session that did not answer the previous ping is
   * terminated (a half-open TCP connection would otherwise hold its turn and memory forever; the
   * close ends an active turn as a transport failure). Returns false when it terminated the socket.
   */
  keepalive(): boolean {
    if (this.closed) return true;
    if (!this.alive) {
      this.socket.terminate();
      return false;
    }
    this.alive = false;
    this.socket.ping();
    return true;
  }

  /** A turn is Opening or Active (drain waits for these). */
  get turnInFlight(): boolean {
    const state = this.engine.state;
    return state === 'Opening' || state === 'Active';
  }

  get isEgressFenced(): boolean {
    return this.egressFenced;
  }

  /** Two-phase proposals that asked for a turn start (the control plane holds a CP-05 slot only if > 0). */
  get turnStartsRequested(): number {
    return this.turnStartToken;
  }

  get suppressedOutputs(): number {
    return this.fencedOutputs;
  }

  /** DataLane items purged from the egress queue when their turn was aborted. */
  get purgedDataItems(): number {
    return this.purgedItems;
  }

  /** TelemetryLane answers shed by the egress budget. */
  get shedTelemetryItems(): number {
    return this.egressLanes.shedTelemetryItems;
  }

  /** The engine's counters (frozen at close, so totals survive the session). */
  counters(): EngineCounters {
    return this.finalCounters ?? this.engine.counters();
  }

  // ------------------------------------------------------------------ ingress

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) {
      this.refuse({ code: 'binary_frame', path: '$', reason: 'binary frames are not part of rspp.session.v1; send JSON text frames' });
    } else {
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
      this.frameAt = this.host.now();
      this.frameWall = Date.now();
      decodeIngressFrame(text, this.sessionId, this.visitor);
    }
    if (this.frameErrorCount > 0) {
      // One `error` frame per ingress frame, however many of its envelopes were refused.
      this.egressLanes.controlFrame(encodeFrameErrors(this.frameErrors, this.frameErrorCount));
      this.frameErrors = [];
      this.frameErrorCount = 0;
    }
    if (this.downstreamBlocked || this.egressLanes.dataBacklogBytes > EGRESS_HIGH_WATER_BYTES) this.syncDownstream();
    if (this.egressLanes.hasQueued) this.requestFlush();
    this.checkBudget();
  }

  private requestFlush(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    this.host.scheduleFlush(this);
  }

  /** Counts and collects a refusal of the frame being decoded (sent as one frame at its end). */
  private refuse(error: WireError): void {
    this.host.metrics.ingressErrorsTotal.labels(error.code).inc();
    if (this.frameErrorCount++ < MAX_ERRORS_PER_FRAME) this.frameErrors.push(error);
  }

  /** The ingress visitor, bound once (no per-frame closures). */
  private readonly visitor: IngressVisitor = {
    event: (event, bytes, path) => this.ingestEvent(event, bytes, this.frameAt, path),
    signal: (signal, path) => this.ingestSignal(signal, this.frameAt, path),
    error: (error) => this.refuse(error),
  };

  /** True (and refused) when a client envelope uses an id of the server's namespace. */
  private reservedId(eventId: string, path: string): boolean {
    if (!eventId.startsWith(this.serverIdPrefix)) return false;
    this.refuse({
      code: 'reserved_event_id',
      path: `${path}.event_id`,
      reason: `event_id "${eventId}" is in the server's namespace ("${this.serverIdPrefix}..."); choose ids without that prefix`,
      event_id: eventId,
    });
    return true;
  }

  private ingestEvent(event: EventRecord, bytes: number, at: number, path: string): void {
    const eventId = event.event_id;
    if (this.reservedId(eventId, path)) return;
    if (event.lane !== 'DataLane') {
      // TelemetryLane: best effort; the client gets the verdict on the TelemetryLane (shed first).
      const verdict = this.engine.emitTelemetry(event);
      this.telemetryPending = true;
      this.egressLanes.telemetryItem(`{"event_id":${JSON.stringify(eventId)},"kind":"telemetry","verdict":"${verdict}"}`);
      return;
    }
    if (this.recentIds.has(eventId)) {
      this.refuse({ code: 'duplicate_event_id', path: `${path}.event_id`, reason: `DataLane event_id "${eventId}" was already sent in this session`, event_id: eventId });
      return;
    }
    const edgeKey = event.edge_id ?? this.defaultEdgeId();
    if (edgeKey !== undefined) {
      const last = this.dataSequence.get(edgeKey);
      if (last !== undefined && event.runtime_sequence <= last) {
        this.refuse({
          code: 'sequence_regression',
          path: `${path}.runtime_sequence`,
          reason: `runtime_sequence ${event.runtime_sequence} of event_id "${eventId}" is not above ${last}, the last on edge "${edgeKey}" in this session (sequences never restart, not even in a new turn)`,
          event_id: eventId,
        });
        return;
      }
      this.dataSequence.set(edgeKey, event.runtime_sequence);
    }
    this.rememberId(eventId);
    this.ingressEventId = eventId;
    this.engine.ingestData(event, undefined, bytes, at, this.frameWall);
    this.ingressEventId = undefined;
  }

  /** The edge an event without `edge_id` goes to: the active plan's first edge (engine rule). */
  private defaultEdgeId(): string | undefined {
    const plan = this.engine.plan;
    if (plan === undefined) return undefined;
    let first: string | undefined;
    for (const id in plan.edge_buffer_policies) if (first === undefined || id < first) first = id;
    return first;
  }

  private rememberId(eventId: string): void {
    this.recentIds.add(eventId);
    this.recentOrder.push(eventId);
    this.recentChars += eventId.length;
    while (this.recentOrder.length - this.recentHead > DEDUPE_WINDOW_IDS || this.recentChars > DEDUPE_WINDOW_CHARS) {
      const old = this.recentOrder[this.recentHead++];
      this.recentIds.delete(old);
      this.recentChars -= old.length;
    }
    if (this.recentHead > 4096) {
      this.recentOrder.splice(0, this.recentHead);
      this.recentHead = 0;
    }
  }

  private ingestSignal(signal: ControlSignal, at: number, path: string): void {
    const allowed = CLIENT_SIGNAL_ALLOW_LIST[signal.signal];
    if (allowed === undefined || !allowed.includes(signal.emitted_by)) {
      this.refuse({
        code: 'not_accepted_from_client',
        path: allowed === undefined ? `${path}.signal` : `${path}.emitted_by`,
        reason:
          allowed === undefined
            ? `signal "${signal.signal}" is not accepted from a session client (only the runtime or the control plane emits it); clients may send ${Object.keys(CLIENT_SIGNAL_ALLOW_LIST).join(', ')}`
            : `signal "${signal.signal}" is accepted from a client only with emitted_by ${allowed.join(' or ')}, got "${signal.emitted_by}"`,
        detail: signal.signal,
        event_id: signal.event_id,
      });
      return;
    }
    if (this.reservedId(signal.event_id, path)) return;
    const wall = this.frameWall;
    this.ingressEventId = signal.event_id;
    this.applySignal(signal, at, wall);
    this.ingressEventId = undefined;
  }

  private applySignal(signal: ControlSignal, at: number, wall: number): void {
    switch (signal.signal) {
      case 'turn_open_proposed': {
        const turnId = signal.turn_id ?? `turn-${signal.event_id}`;
        if (!this.host.twoPhaseTurnStart) {
          this.engine.apply({
            ...proposeTurn(signal, turnId, at, wall),
            start: this.host.resolveTurnStart(this.sessionId, this.engine.authorityEpoch) as TurnStartContext,
          });
          return;
        }
        this.proposeTwoPhase(signal, turnId, at, wall);
        return;
      }
      case 'playback_completed': {
        const activeTurn = this.engine.state === 'Active' ? this.engine.turnId : undefined;
        this.engine.apply({ type: 'control', at_ms: at, wall_ms: wall, signal });
        if (activeTurn !== undefined && signal.turn_id === activeTurn && signal.authority_epoch === this.engine.authorityEpoch) {
          this.engine.apply({ type: 'step', at_ms: at, wall_ms: wall, conditions: { success_ready: true } });
        }
        return;
      }
      default:
        this.engine.apply({ type: 'control', at_ms: at, wall_ms: wall, signal });
    }
  }

  /**
   * Opening in two phases: the proposal enters Opening at once (the engine records
   * `turn_open_proposed_at` now), the turn start is asked for, and `turn_start_resolved` applies the
   * answer when it comes. A proposal the engine refused (a turn busy, a closed turn id) asks nothing.
   */
  private proposeTwoPhase(signal: ControlSignal, turnId: string, at: number, wall: number): void {
    this.engine.apply(proposeTurn(signal, turnId, at, wall));
    if (this.engine.state !== 'Opening' || this.engine.turnId !== turnId) return;
    const token = ++this.turnStartToken;
    const start = this.host.resolveTurnStart(this.sessionId, this.engine.authorityEpoch);
    if (start instanceof Promise) {
      void start.then((context) => this.onTurnStartResolved(token, turnId, context));
    } else {
      this.onTurnStartResolved(token, turnId, start);
    }
  }

  /** Applies a turn-start answer unless the session closed or the proposal is no longer the one pending. */
  private onTurnStartResolved(token: number, turnId: string, start: TurnStartContext): void {
    if (this.closed || token !== this.turnStartToken || this.engine.state !== 'Opening' || this.engine.turnId !== turnId) {
      this.host.metrics.turnStartRequestsTotal.labels('discarded').inc();
      return;
    }
    this.engine.apply({ type: 'turn_start_resolved', at_ms: this.host.now(), wall_ms: Date.now(), start });
    if (this.egressLanes.hasQueued) this.requestFlush();
  }

  // ------------------------------------------------------------------ EngineSink

  emit(output: EngineOutput): void {
    switch (output.kind) {
      case 'intent':
        return; // internal, never surfaced (turn-engine.md §1)
      case 'evidence':
        this.recordEvidence(output.record);
        return;
      case 'signal':
        this.countSignal(output.signal);
        if (this.egressFenced) break;
        this.egressLanes.controlItem(`{"kind":"signal","signal":${encodeEnvelope(this.numbered(output.signal))}}`);
        this.purgeOnAbort(output.signal);
        return;
      case 'decision':
        if (this.egressFenced) break;
        if (output.outcome.outcome_kind === 'stale_epoch_reject' && this.ingressEventId !== undefined) {
          // Names the refused envelope, so the client can correlate the refusal.
          this.egressLanes.controlItem(`{"event_id":${JSON.stringify(this.ingressEventId)},${encodeOutput(output).slice(1)}`);
          return;
        }
        break;
      default:
        break;
    }
    if (this.egressFenced) {
      this.fencedOutputs++;
      return;
    }
    this.egressLanes.controlItem(encodeOutput(output));
  }

  egress(edgeId: string, event: EventRecord): void {
    if (this.egressFenced) {
      // The engine was told of the loss; anything still leaving it is refused here and counted.
      this.fencedOutputs++;
      return;
    }
    this.egressLanes.dataItem(encodeDataOutput(edgeId, event), event.turn_id, edgeId, event.runtime_sequence);
  }

  /**
   * The server numbers the ControlLane streams it sends: `runtime_sequence` strictly increasing
   * per (session, edge) on the wire, whoever originated the signal (an echoed client marker too).
   */
  private numbered(signal: ControlSignal): ControlSignal {
    const key = signal.edge_id ?? '';
    const next = (this.controlSequence.get(key) ?? 0) + 1;
    this.controlSequence.set(key, next);
    return signal.runtime_sequence === next ? signal : { ...signal, runtime_sequence: next };
  }

  /**
   * An aborted turn's DataLane items not yet written are dropped (turn-engine.md §7: transport
   * egress queues are flushed), each contiguous run named exactly by a `drop_notice` (RK-12, reason
   * `cancel_fence_applied` for a cancel, `turn_aborted_egress_flush` otherwise) right after the
   * signal that fenced the turn.
   */
  private purgeOnAbort(signal: ControlSignal): void {
    const turnId = signal.turn_id;
    if (turnId === undefined || this.purgedTurn === turnId) return;
    const cancel = signal.signal === 'cancel' && (signal.scope === 'turn' || signal.scope === 'session');
    if (!cancel && signal.signal !== 'abort') return;
    this.purgedTurn = turnId;
    const runs = this.egressLanes.purgeTurn(turnId);
    for (const run of runs) this.announcePurge(turnId, run, cancel ? 'cancel_fence_applied' : 'turn_aborted_egress_flush', signal.event_id);
  }

  private announcePurge(turnId: string, run: PurgedRun, reason: string, cause: string): void {
    this.purgedItems += run.count;
    const notice: ControlSignal = {
      schema_version: CONTRACTS_SCHEMA_VERSION,
      event_scope: 'turn',
      session_id: this.sessionId,
      turn_id: turnId,
      pipeline_version: this.engine.plan?.pipeline_version ?? this.host.pipelineVersion,
      event_id: `${this.serverIdPrefix}egress/${++this.serverIdCounter}`,
      causal_parent_id: cause,
      edge_id: run.edgeId,
      lane: 'ControlLane',
      transport_sequence: 0,
      runtime_sequence: 0,
      authority_epoch: this.engine.authorityEpoch,
      runtime_timestamp_ms: this.host.now(),
      wall_clock_timestamp_ms: Date.now(),
      payload_class: 'metadata',
      signal: 'drop_notice',
      emitted_by: 'RK-12',
      target_lane: 'DataLane',
      reason,
      seq_range: { start: run.start, end: run.end },
    };
    const numbered = this.numbered(notice);
    this.egressLanes.controlItem(`{"kind":"signal","signal":${encodeEnvelope({ ...numbered, transport_sequence: numbered.runtime_sequence })}}`);
  }

  private countSignal(signal: ControlSignal): void {
    const name = signal.signal;
    if (name === 'turn_open') this.host.metrics.acceptedTurnsTotal.inc();
    else if (name === 'commit') this.host.metrics.terminal('commit', 'none');
    else if (name === 'abort') this.host.metrics.terminal('abort', signal.reason ?? 'unspecified');
  }

  private recordEvidence(record: Or02BaselineRecord): void {
    const metrics = this.host.metrics;
    if (checkBaselineCompleteness(record).complete) metrics.or02CompleteRecordsTotal.inc();
    const open = record.turn_open_at_ms;
    const proposed = record.turn_open_proposed_at_ms;
    if (open !== undefined && proposed !== undefined) metrics.turnOpenDecisionSeconds.observe((open - proposed) / 1000);
    if (record.terminal_outcome === 'commit' && open !== undefined && record.first_output_at_ms !== undefined) {
      metrics.firstOutputSeconds.observe((record.first_output_at_ms - open) / 1000);
    }
    if (record.cancel_accepted_at_ms !== undefined && record.cancel_fence_applied_at_ms !== undefined) {
      metrics.cancelFenceSeconds.observe((record.cancel_fence_applied_at_ms - record.cancel_accepted_at_ms) / 1000);
    }
    this.host.evidence.append(record);
  }

  // ------------------------------------------------------------------ egress

  /** Writes what the egress scheduler may write now (once per event-loop turn), then re-checks the budget. */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed) return;
    this.egressLanes.flush();
    if (this.downstreamBlocked) {
      // Back under the low-water mark: the engine releases its edges' queued items now; they may
      // go out in this same pass.
      this.syncDownstream();
      this.egressLanes.flush();
    }
    this.checkBudget();
  }

  /**
   * The egress budget: over it, ingress reading pauses (the client's sends stop producing
   * outputs) and a timer starts; back under `EGRESS_RESUME_BYTES`, reading resumes. A connection
   * still over budget when the timer fires is closed with `4008 egress_budget_exceeded`.
   */
  private checkBudget(): void {
    if (this.closed) return;
    const queued = this.egressLanes.queuedBytes;
    if (!this.ingressPaused) {
      if (queued <= this.egressLanes.budgetBytes) return;
      this.ingressPaused = true;
      this.socket.pause();
      this.overBudgetTimer = setTimeout(() => this.onOverBudgetTimeout(), EGRESS_OVER_BUDGET_CLOSE_MS);
      return;
    }
    if (queued > EGRESS_RESUME_BYTES) return;
    this.ingressPaused = false;
    clearTimeout(this.overBudgetTimer);
    this.overBudgetTimer = undefined;
    this.socket.resume();
  }

  private onOverBudgetTimeout(): void {
    this.overBudgetTimer = undefined;
    if (this.closed || !this.ingressPaused) return;
    if (this.egressLanes.queuedBytes <= EGRESS_RESUME_BYTES) {
      this.checkBudget();
      return;
    }
    this.host.metrics.egressBudgetClosesTotal.inc();
    this.egressLanes.clear();
    this.socket.close(
      CLOSE_CODES.egressBudgetExceeded,
      `egress_budget_exceeded: over ${this.egressLanes.budgetBytes} bytes queued for ${EGRESS_OVER_BUDGET_CLOSE_MS} ms; read what the server sends`,
    );
    // A peer that does not read will not answer the closing handshake either.
    setTimeout(() => this.socket.terminate(), 1000).unref();
  }

  // ------------------------------------------------------------------ server-driven transitions

  /**
   * Time passes for the engine; backpressure is re-evaluated. Edges only hold items while their
   * downstream is not ready (otherwise they cut through), so the engine's `tick` (queue age, block
   * timers) runs only then: an idle or flowing session costs one branch per tick.
   */
  tick(): void {
    if (this.closed || this.engine.state !== 'Active') return;
    if (this.downstreamBlocked || this.blockedTurn !== undefined || this.egressLanes.dataBacklogBytes > EGRESS_HIGH_WATER_BYTES) {
      this.syncDownstream();
      this.engine.apply({ type: 'tick', at_ms: this.host.now(), wall_ms: Date.now() });
    }
    if (this.telemetryPending) {
      // Telemetry is best effort: the engine sampled it on ingress; the host drains what it kept.
      this.telemetryPending = false;
      this.engine.takeTelemetry(Number.MAX_SAFE_INTEGER);
    }
    if (this.egressLanes.hasQueued) this.requestFlush();
  }

  /** True while the socket is over its high-water mark (see EGRESS_HIGH_WATER_BYTES). */
  get isDownstreamBlocked(): boolean {
    return this.downstreamBlocked;
  }

  /** Tells the engine whether the active turn's edges may egress, from the socket's queued bytes. */
  private syncDownstream(): void {
    if (this.egressFenced || this.closed) return;
    const buffered = this.egressLanes.dataBacklogBytes;
    if (!this.downstreamBlocked && buffered > EGRESS_HIGH_WATER_BYTES) this.downstreamBlocked = true;
    else if (this.downstreamBlocked && buffered < EGRESS_LOW_WATER_BYTES) this.downstreamBlocked = false;
    const plan = this.engine.state === 'Active' ? this.engine.plan : undefined;
    if (plan === undefined) {
      this.blockedTurn = undefined;
      return;
    }
    const ready = !this.downstreamBlocked;
    if (ready ? this.blockedTurn !== plan.turn_id : this.blockedTurn === plan.turn_id) return;
    const at = this.host.now();
    for (const edgeId of Object.keys(plan.edge_buffer_policies)) this.engine.apply({ type: 'downstream', at_ms: at, edge_id: edgeId, ready });
    this.blockedTurn = ready ? undefined : plan.turn_id;
  }

  /**
   * Authority lost: close the egress fence first (nothing leaves from here on), then tell the
   * engine, which ends an active turn with `deauthorized_drain`, `abort(authority_loss)`, `close`
   * and records it in OR-02.
   */
  fenceForAuthorityLoss(reason: string): void {
    this.egressFenced = true;
    this.egressLanes.clear();
    this.engine.apply({ type: 'authority_revoked', at_ms: this.host.now(), wall_ms: Date.now(), reason });
    this.egressLanes.clear();
  }

  /**
   * Drain deadline: the placement gives up authority for this session's in-flight turn while it
   * still holds its lease, so the client sees the spec's sequence for a placement that stops
   * serving a turn (T8): `deauthorized_drain`, `abort(authority_loss)`, `close`.
   */
  abortForDrain(): void {
    if (this.closed) return;
    if (this.engine.state === 'Opening' || this.engine.state === 'Active') {
      this.engine.apply({ type: 'authority_revoked', at_ms: this.host.now(), wall_ms: Date.now(), reason: 'drain_deadline_elapsed' });
    }
    this.flush();
  }

  /** Closes the socket (everything queued is written first, whatever the window). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    if (!this.egressFenced) this.egressLanes.flush(true);
    this.socket.close(code, reason);
  }

  /** Closes the socket without a closing handshake (stop without drain). */
  terminate(): void {
    this.socket.terminate();
  }

  private onSocketClosed(): void {
    if (this.closed) return;
    // A turn left open by a vanished client is a transport failure (T10 / F6).
    if (this.engine.state === 'Active' && !this.egressFenced) {
      const at = this.host.now();
      this.engine.apply({ type: 'step', at_ms: at, wall_ms: Date.now(), conditions: { failures: [{ class: 'transport_disconnect_or_stall' }] } });
    }
    this.closed = true;
    this.egressLanes.clear();
    clearTimeout(this.overBudgetTimer);
    this.finalCounters = this.engine.counters();
    this.host.sessionClosed(this);
  }
}

/** The engine's `propose_turn` input for a client's `turn_open_proposed` (without a turn start). */
function proposeTurn(signal: ControlSignal, turnId: string, at: number, wall: number): Extract<EngineInput, { type: 'propose_turn' }> {
  return {
    type: 'propose_turn',
    at_ms: at,
    wall_ms: wall,
    turn_id: turnId,
    event_id: signal.event_id,
    ...(signal.authority_epoch !== undefined ? { authority_epoch: signal.authority_epoch } : {}),
  };
}
