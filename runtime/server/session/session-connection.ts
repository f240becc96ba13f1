/**
 * One session: one WebSocket, one `TurnEngine`. The connection is the engine's sink: it encodes
 * outputs canonically into a batch and sends the batch as one `outputs` frame once the frames read
 * in this event-loop turn have been processed (`SessionHost.scheduleFlush`), or at once on ticks,
 * errors and close.
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
import { encodeDataOutput, encodeOutput } from './canonical-output-encoder';
import { decodeIngressFrame, type IngressVisitor } from './ingress-decoder';
import { encodeError, OUTPUTS_FRAME_PREFIX, OUTPUTS_FRAME_SUFFIX, type WireError } from './wire-protocol';

/** What every session shares with the server that owns it. */
export interface SessionHost {
  readonly metrics: RuntimeMetrics;
  readonly evidence: EvidenceSink;
  /** Engine clock: integer monotonic milliseconds. */
  now(): number;
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
 * Egress backpressure: above this many bytes queued on the socket (client reading slowly) the
 * session tells the engine its downstream is not ready, so DataLane outputs queue in the plan's
 * bounded edge buffers and are shed by its strategy (watermark, flow_xoff, drop_notice) instead of
 * growing the socket buffer without bound. ControlLane outputs are never held back.
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
}

export class SessionConnection implements EngineSink {
  readonly sessionId: string;
  readonly engine: TurnEngine;
  private readonly socket: WebSocket;
  private readonly host: SessionHost;
  /** Canonical outputs waiting to be sent as one frame. */
  private batch: string[] = [];
  /** Set on authority loss: nothing the engine produces leaves any more (OR-02 records still do). */
  private egressFenced = false;
  /** Outputs refused by the egress fence after authority loss (they carry an epoch no longer held). */
  private fencedOutputs = 0;
  private closed = false;
  private flushScheduled = false;
  private telemetryPending = false;
  /** Engine time of the frame being decoded. */
  private frameAt = 0;
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

  /** The engine's counters (frozen at close, so totals survive the session). */
  counters(): EngineCounters {
    return this.finalCounters ?? this.engine.counters();
  }

  // ------------------------------------------------------------------ ingress

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) {
      this.sendError({ code: 'binary_frame', path: '$', reason: 'binary frames are not part of rspp.session.v1; send JSON text frames' });
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
    this.frameAt = this.host.now();
    decodeIngressFrame(text, this.sessionId, this.visitor);
    if (this.downstreamBlocked || this.socket.bufferedAmount > EGRESS_HIGH_WATER_BYTES) this.syncDownstream();
    if (this.batch.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      this.host.scheduleFlush(this);
    }
  }

  /** The ingress visitor, bound once (no per-frame closures). */
  private readonly visitor: IngressVisitor = {
    event: (event, bytes) => this.ingestEvent(event, bytes, this.frameAt),
    signal: (signal) => this.ingestSignal(signal, this.frameAt),
    error: (error) => {
      this.host.metrics.ingressErrorsTotal.labels(error.code).inc();
      this.sendError(error);
    },
  };

  private ingestEvent(event: EventRecord, bytes: number, at: number): void {
    if (event.lane === 'DataLane') {
      this.engine.ingestData(event, undefined, bytes, at);
    } else {
      this.engine.emitTelemetry(event);
      this.telemetryPending = true;
    }
  }

  private ingestSignal(signal: ControlSignal, at: number): void {
    const wall = Date.now();
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
    if (this.batch.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      this.host.scheduleFlush(this);
    }
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
        break;
      default:
        break;
    }
    if (this.egressFenced) {
      this.fencedOutputs++;
      return;
    }
    this.batch.push(encodeOutput(output));
  }

  egress(edgeId: string, event: EventRecord): void {
    if (this.egressFenced) {
      // The engine was told of the loss; anything still leaving it is refused here and counted.
      this.fencedOutputs++;
      return;
    }
    this.batch.push(encodeDataOutput(edgeId, event));
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

  /** Sends the pending outputs as one frame. */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(OUTPUTS_FRAME_PREFIX + batch.join(',') + OUTPUTS_FRAME_SUFFIX);
  }

  private sendError(error: WireError): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    // Keep timeline order: outputs produced before the bad envelope go first.
    this.flush();
    this.socket.send(encodeError(error));
  }

  // ------------------------------------------------------------------ server-driven transitions

  /**
   * Time passes for the engine; backpressure is re-evaluated. Edges only hold items while their
   * downstream is not ready (otherwise they cut through), so the engine's `tick` (queue age, block
   * timers) runs only then: an idle or flowing session costs one branch per tick.
   */
  tick(): void {
    if (this.closed || this.engine.state !== 'Active') return;
    if (this.downstreamBlocked || this.blockedTurn !== undefined || this.socket.bufferedAmount > EGRESS_HIGH_WATER_BYTES) {
      this.syncDownstream();
      this.engine.apply({ type: 'tick', at_ms: this.host.now() });
    }
    if (this.telemetryPending) {
      // Telemetry is best effort: the engine sampled it on ingress; the host drains what it kept.
      this.telemetryPending = false;
      this.engine.takeTelemetry(Number.MAX_SAFE_INTEGER);
    }
    this.flush();
  }

  /** True while the socket is over its high-water mark (see EGRESS_HIGH_WATER_BYTES). */
  get isDownstreamBlocked(): boolean {
    return this.downstreamBlocked;
  }

  /** Tells the engine whether the active turn's edges may egress, from the socket's queued bytes. */
  private syncDownstream(): void {
    if (this.egressFenced || this.closed) return;
    const buffered = this.socket.bufferedAmount;
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
    this.batch = [];
    this.engine.apply({ type: 'authority_revoked', at_ms: this.host.now(), wall_ms: Date.now(), reason });
    this.batch = [];
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

  /** Closes the socket (outputs already batched are sent first). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.flush();
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
    this.batch = [];
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
