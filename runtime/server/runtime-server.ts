/**
 * The runtime session server: WebSocket session ingress/egress on the session port, probes and
 * metrics on the admin port, one placement lease for authority, graceful drain.
 *
 *   const server = await RuntimeServer.start({ config: loadServerConfig() });
 *   process.once('SIGTERM', () => server.drain().then(() => process.exit(0)));
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Duplex } from 'stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { createLeaseStoreFromEnv, type AuthorityLease, type LeaseLossEvent, type LeaseStore } from '../authority';
import { PATHS, RUNTIME_ENV } from '../contracts/runtime-interface';
import type { EngineCounters, TurnStartContext } from '../engine';
import { AdminServer, type ReadinessChecks } from './admin/admin-server';
import { PlacementAuthority, placementLeaseKey } from './authority/placement-authority';
import type { ServerConfig } from './config/server-config';
import type { ControlPlaneClient } from './control-plane/control-plane-client';
import { ControlPlaneTurnStart } from './control-plane/control-plane-turn-start';
import { JsonlEvidenceSink, MemoryEvidenceSink, type EvidenceSink } from './evidence/evidence-sink';
import { silentLogger, type ServerLogger } from './logging/server-logger';
import { RuntimeMetrics } from './metrics/runtime-metrics';
import { SessionConnection, type SessionHost } from './session/session-connection';
import { resolveTurnStart } from './session/turn-start-resolver';
import { CLOSE_CODES, encodeHello, SESSION_PROTOCOL } from './session/wire-protocol';

/** The fix for a listen error: a port in use names the env var that moves it. */
function portHint(err: Error, envName: string): string {
  return /EADDRINUSE/.test(err.message) ? `; the port is in use: stop what holds it or set ${envName} to a free port (0 picks one)` : '';
}

export interface RuntimeServerProps {
  readonly config: ServerConfig;
  /** Authority lease store. @default built from `config` (memory or etcd); closed by the server on stop */
  readonly leaseStore?: LeaseStore;
  /** OR-02 Stage B export. @default a `JsonlEvidenceSink` on `config.evidenceFile` if set, else a `MemoryEvidenceSink` */
  readonly evidence?: EvidenceSink;
  /** @default silentLogger */
  readonly logger?: ServerLogger;
  /** Period of engine ticks for sessions with an active turn, ms. @default 100 */
  readonly tickIntervalMs?: number;
  /**
   * Interval of WebSocket pings; a session that has not answered the previous ping is terminated.
   * @default 30000
   */
  readonly keepaliveIntervalMs?: number;
  /**
   * Client of the control plane (mTLS, keep-alive), required when `config.turnStartMode` is
   * `control-plane`: every proposal is resolved with `POST /v1/turn-start` on it. The server closes
   * it on stop. `main` passes the client of the startup bundle fetch.
   * @default undefined
   */
  readonly controlPlane?: ControlPlaneClient;
  /**
   * Interface of the admin listener. A worker of a pod's worker pool binds it on 127.0.0.1 (its
   * primary serves the pod's admin port). @default config.host
   */
  readonly adminHost?: string;
}

/** What a drain did; returned by `drain()` and logged. */
export interface DrainReport {
  /** Drain time allowed, ms (`drainSeconds` × 1000). */
  readonly deadlineMs: number;
  /** Wall time the drain took, ms. */
  readonly durationMs: number;
  /** Turns in flight (Opening/Active) when drain started. */
  readonly turnsInFlightAtStart: number;
  /** Of those, turns that reached their terminal before the deadline. */
  readonly turnsFinished: number;
  /** Turns aborted at the deadline. */
  readonly turnsAborted: number;
  /** Sessions closed by the drain. */
  readonly sessionsClosed: number;
}

const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const DRAIN_POLL_MS = 20;

type CounterTotals = { -readonly [K in keyof EngineCounters]: number };

function emptyTotals(): CounterTotals {
  return {
    accepted_turns: 0,
    complete_baseline_records: 0,
    data_ingested: 0,
    data_egressed: 0,
    data_dropped: 0,
    stale_epoch_rejected: 0,
    stale_epoch_accepted: 0,
    post_fence_egress: 0,
    late_provider_output_dropped_count: 0,
    telemetry_accepted: 0,
    telemetry_dropped: 0,
    telemetry_sampled: 0,
  };
}

function addCounters(into: CounterTotals, from: EngineCounters): void {
  for (const key of Object.keys(into) as (keyof EngineCounters)[]) into[key] += from[key];
}

/** The lease store the config names, built by the authority module's one factory. */
export function leaseStoreFromConfig(config: ServerConfig, logger: ServerLogger = silentLogger): LeaseStore {
  return createLeaseStoreFromEnv({
    onTlsEvent: (event) =>
      event.kind === 'rotated'
        ? logger.log('info', 'etcd client certificate rotated; reconnected with it, leases kept', { cert_file: event.certFile, not_after: event.notAfter, watches_moved: event.watchesMoved })
        : logger.log('error', `etcd client certificate not usable; keeping the previous one: ${event.message}`),
    env: {
      [RUNTIME_ENV.leaseStore]: config.leaseStore,
      [RUNTIME_ENV.etcdEndpoints]: config.etcdEndpoints.join(','),
      [RUNTIME_ENV.leaseTtlSeconds]: String(config.leaseTtlSeconds),
      ...(config.etcdTlsDir !== undefined ? { [RUNTIME_ENV.etcdTlsDir]: config.etcdTlsDir } : {}),
    },
  });
}

export class RuntimeServer implements SessionHost {
  readonly metrics = new RuntimeMetrics();
  readonly evidence: EvidenceSink;
  readonly config: ServerConfig;
  private readonly logger: ServerLogger;
  private readonly store: LeaseStore;
  private readonly ownsStore: boolean;
  private readonly authority: PlacementAuthority;
  private readonly admin: AdminServer;
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<string, SessionConnection>();
  private readonly closedTotals = emptyTotals();
  private closedSuppressedOutputs = 0;
  private closedPurgedItems = 0;
  private closedTelemetryShed = 0;
  private readonly tickIntervalMs: number;
  private readonly clockOrigin = performance.now();
  private tickTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private readonly keepaliveIntervalMs: number;
  private readonly pendingFlush: SessionConnection[] = [];
  private readonly flushPending = () => this.flushPendingSessions();
  private sessionCounter = 0;
  private boundSessionPort = 0;
  private draining = false;
  private drainPromise: Promise<DrainReport> | undefined;
  private stopped = false;
  private readonly controlPlaneClient: ControlPlaneClient | undefined;
  private readonly controlPlaneTurnStart: ControlPlaneTurnStart | undefined;
  readonly twoPhaseTurnStart: boolean;

  /** Starts listeners and acquires the placement lease; rejects (and cleans up) if any step fails. */
  static async start(props: RuntimeServerProps): Promise<RuntimeServer> {
    const server = new RuntimeServer(props);
    try {
      await server.authority.start();
      await Promise.all([
        server.admin.listen().catch((err: Error) => {
          throw new Error(`${err.message}${portHint(err, RUNTIME_ENV.adminPort)}`);
        }),
        server.listenSessions(),
      ]);
    } catch (err) {
      await server.stop();
      throw err;
    }
    server.tickTimer = setInterval(() => server.tickSessions(), server.tickIntervalMs);
    server.tickTimer.unref();
    server.keepaliveTimer = setInterval(() => server.keepaliveSessions(), server.keepaliveIntervalMs);
    server.keepaliveTimer.unref();
    server.logger.log('info', 'runtime server started', {
      session_port: server.sessionPort,
      admin_port: server.adminPort,
      lease_store: server.store.kind,
      authority_epoch: server.authority.epoch,
      profile: server.config.profile,
      drain_seconds: server.config.drainSeconds,
      turn_start: server.config.turnStartMode,
    });
    return server;
  }

  private constructor(props: RuntimeServerProps) {
    this.config = props.config;
    this.logger = props.logger ?? silentLogger;
    this.evidence =
      props.evidence ?? (this.config.evidenceFile !== undefined ? new JsonlEvidenceSink(this.config.evidenceFile) : new MemoryEvidenceSink());
    this.tickIntervalMs = props.tickIntervalMs ?? 100;
    if (!Number.isInteger(this.tickIntervalMs) || this.tickIntervalMs < 1) {
      throw new RangeError(`RuntimeServerProps.tickIntervalMs must be an integer >= 1, got ${props.tickIntervalMs}`);
    }
    this.keepaliveIntervalMs = props.keepaliveIntervalMs ?? 30_000;
    if (!Number.isInteger(this.keepaliveIntervalMs) || this.keepaliveIntervalMs < 10) {
      throw new RangeError(`RuntimeServerProps.keepaliveIntervalMs must be an integer >= 10, got ${props.keepaliveIntervalMs}`);
    }
    this.twoPhaseTurnStart = this.config.turnStartMode === 'control-plane';
    if (this.twoPhaseTurnStart) {
      if (props.controlPlane === undefined || this.config.bundleDigest === undefined) {
        throw new RangeError(
          `turnStartMode "control-plane" needs RuntimeServerProps.controlPlane (a ControlPlaneClient for ${RUNTIME_ENV.controlPlaneUrl}) and config.bundleDigest (${RUNTIME_ENV.bundleDigest}); main() builds both from the environment, or set ${RUNTIME_ENV.turnStartMode}=embedded`,
        );
      }
      this.controlPlaneClient = props.controlPlane;
      this.controlPlaneTurnStart = new ControlPlaneTurnStart({
        client: props.controlPlane,
        tenantId: this.config.tenantId,
        bundleDigest: this.config.bundleDigest,
        placementKey: placementLeaseKey(this.config.region, this.config.podName),
        pipelineVersion: this.config.profile,
        timeoutMs: this.config.turnStartTimeoutMs,
      });
    } else {
      // Not used for turn starts in embedded mode; closed on stop all the same (it is ours now).
      this.controlPlaneClient = props.controlPlane;
    }
    this.ownsStore = props.leaseStore === undefined;
    this.store = props.leaseStore ?? leaseStoreFromConfig(props.config, this.logger);
    this.authority = new PlacementAuthority({
      store: this.store,
      key: placementLeaseKey(this.config.region, this.config.podName),
      holderId: this.config.podName,
      ttlSeconds: this.config.leaseTtlSeconds,
      onAcquired: (lease) => this.onLeaseAcquired(lease),
      onLost: (event) => this.onLeaseLost(event),
    });
    this.admin = new AdminServer({
      host: props.adminHost ?? this.config.host,
      port: this.config.adminPort,
      readiness: () => this.readiness(),
      renderMetrics: () => this.renderMetrics(),
    });
    this.http = http.createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
      res.end(`connect with a WebSocket to ${PATHS.sessions} (protocol ${SESSION_PROTOCOL})\n`);
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.config.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(SESSION_PROTOCOL) ? SESSION_PROTOCOL : false),
    });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  /** Bound session port (valid after start, kept after stop). */
  get sessionPort(): number {
    return this.boundSessionPort;
  }

  get adminPort(): number {
    return this.admin.port;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** The authority epoch sessions opened now are fenced with (undefined while no lease is held). */
  get authorityEpoch(): number | undefined {
    return this.authority.epoch;
  }

  readiness(): ReadinessChecks {
    return { leaseHeld: this.authority.held, storeReachable: this.authority.storeReachable, notDraining: !this.draining };
  }

  // ------------------------------------------------------------------ SessionHost

  now(): number {
    return Math.floor(performance.now() - this.clockOrigin);
  }

  get pipelineVersion(): string {
    return this.config.profile;
  }

  resolveTurnStart(sessionId: string, authorityEpoch: number): TurnStartContext | Promise<TurnStartContext> {
    const remote = this.controlPlaneTurnStart;
    // Local admission (step 2) comes before the control plane's answer (step 5): a draining
    // replica refuses at once, without a round trip.
    if (remote === undefined || this.draining) {
      return resolveTurnStart({
        pipelineVersion: this.config.profile,
        profile: this.config.profile,
        ...(this.config.bundleDigest !== undefined ? { bundleDigest: this.config.bundleDigest } : {}),
        epoch: this.authority.epoch,
        draining: this.draining,
      });
    }
    return remote.request(sessionId, authorityEpoch).then((answer) => {
      this.metrics.turnStartRequestSeconds.observe(answer.elapsedMs / 1000);
      if (answer.ok) {
        this.metrics.turnStartRequestsTotal.labels('answered').inc();
        return { snapshots: 'valid', capacity: 'allow', bundle: answer.bundle };
      }
      this.metrics.turnStartRequestsTotal.labels('failed').inc();
      this.logger.log('warn', 'turn start not resolved by the control plane; step-5 failure applies (plan-failure policy)', {
        session_id: sessionId,
        problem: answer.problem,
        elapsed_ms: answer.elapsedMs,
      });
      // No bundle: the engine's step 5 gives `turn_start_bundle_resolution_failed` (default defer).
      return { snapshots: 'valid', capacity: 'allow' };
    });
  }

  scheduleFlush(session: SessionConnection): void {
    if (this.pendingFlush.push(session) === 1) setImmediate(this.flushPending);
  }

  private flushPendingSessions(): void {
    // Sessions scheduled while flushing (none today: flush() does not ingest) get the next turn.
    const sessions = this.pendingFlush.splice(0);
    for (let i = 0; i < sessions.length; i++) sessions[i].flush();
  }

  sessionClosed(session: SessionConnection): void {
    if (this.sessions.get(session.sessionId) !== session) return;
    this.sessions.delete(session.sessionId);
    addCounters(this.closedTotals, session.counters());
    this.closedSuppressedOutputs += session.suppressedOutputs;
    this.closedPurgedItems += session.purgedDataItems;
    this.closedTelemetryShed += session.shedTelemetryItems;
    this.metrics.sessionsActive.set(this.sessions.size);
    // The control plane's CP-05 slot is per session: give it back (best effort; idle slots expire).
    if (session.turnStartsRequested === 0) return;
    this.controlPlaneTurnStart?.release(session.sessionId).catch((err: Error) => {
      this.logger.log('debug', 'CP-05 admission slot not released; the control plane expires it when idle', {
        session_id: session.sessionId,
        error: err.message,
      });
    });
  }

  // ------------------------------------------------------------------ sessions

  private listenSessions(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) =>
        reject(new Error(`session server: cannot listen on ${this.config.host}:${this.config.sessionPort}: ${err.message}${portHint(err, RUNTIME_ENV.sessionPort)}`));
      this.http.once('error', onError);
      this.http.listen(this.config.sessionPort, this.config.host, () => {
        this.http.off('error', onError);
        this.boundSessionPort = (this.http.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://session.invalid');
    if (url.pathname !== PATHS.sessions) {
      socket.end(`HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-type: text/plain\r\n\r\nsessions are served at ${PATHS.sessions}\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.admit(ws, url.searchParams.get('session_id')));
  }

  /** Accepts or refuses a new session. Refusals complete the handshake, then close with a code and reason. */
  private admit(ws: WebSocket, requestedId: string | null): void {
    const epoch = this.authority.epoch;
    if (this.draining || this.stopped) {
      ws.close(CLOSE_CODES.tryAgainLater, 'draining: this replica accepts no new sessions; reconnect to another replica');
      return;
    }
    if (epoch === undefined) {
      ws.close(CLOSE_CODES.tryAgainLater, 'not_ready: no authority lease held; reconnect to another replica');
      return;
    }
    if (this.sessions.size >= this.config.maxSessions) {
      ws.close(CLOSE_CODES.tryAgainLater, `at_capacity: ${this.config.maxSessions} sessions open; retry later`);
      return;
    }
    if (requestedId !== null && !SESSION_ID.test(requestedId)) {
      ws.close(CLOSE_CODES.policyViolation, 'invalid_session_id: session_id must match [A-Za-z0-9._:-]{1,128}');
      return;
    }
    const sessionId = requestedId ?? `${this.config.podName}-${(++this.sessionCounter).toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    if (this.sessions.has(sessionId)) {
      ws.close(CLOSE_CODES.sessionConflict, `session_conflict: session ${sessionId} is already open here`);
      return;
    }
    const session = new SessionConnection({
      sessionId,
      socket: ws,
      host: this,
      engineConfig: { session_id: sessionId, pipeline_version: this.config.profile, authority_epoch: epoch },
    });
    this.sessions.set(sessionId, session);
    this.metrics.sessionsTotal.inc();
    this.metrics.sessionsActive.set(this.sessions.size);
    ws.send(
      encodeHello({
        session_id: sessionId,
        authority_epoch: epoch,
        pipeline_version: this.config.profile,
        profile: this.config.profile,
        drain_seconds: this.config.drainSeconds,
        protocol: SESSION_PROTOCOL,
      }),
    );
  }

  private tickSessions(): void {
    for (const session of this.sessions.values()) session.tick();
  }

  private keepaliveSessions(): void {
    for (const session of [...this.sessions.values()]) {
      if (!session.keepalive()) this.logger.log('warn', 'session terminated: no pong to keepalive ping', { session_id: session.sessionId });
    }
  }

  // ------------------------------------------------------------------ authority

  private onLeaseAcquired(lease: AuthorityLease): void {
    this.metrics.leaseHeld.set(1);
    this.metrics.leaseEpoch.set(lease.epoch);
    this.logger.log('info', 'authority lease acquired', { key: lease.key, epoch: lease.epoch });
  }

  /** Runs synchronously inside the lease's loss listener: fence every session before anything else runs. */
  private onLeaseLost(event: LeaseLossEvent): void {
    this.metrics.leaseHeld.set(0);
    const sessions = [...this.sessions.values()];
    for (const session of sessions) session.fenceForAuthorityLoss(`lease_${event.reason}`);
    for (const session of sessions) {
      session.close(CLOSE_CODES.authorityLost, `authority_lost: lease epoch ${event.epoch} lost (${event.reason}); reconnect to be re-placed`);
    }
    this.logger.log(event.reason === 'released' ? 'info' : 'error', 'authority lease lost; sessions fenced and closed', {
      key: event.key,
      epoch: event.epoch,
      reason: event.reason,
      sessions: sessions.length,
    });
  }

  // ------------------------------------------------------------------ metrics

  private renderMetrics(): string {
    const totals = emptyTotals();
    addCounters(totals, this.closedTotals);
    for (const session of this.sessions.values()) addCounters(totals, session.counters());
    const m = this.metrics;
    // The engines' stale-epoch rejections (ingress) and, apart, what the server's egress fence
    // refused after a lease loss (outputs stamped with an epoch no longer held).
    let serverFenced = this.closedSuppressedOutputs;
    let purged = this.closedPurgedItems;
    let telemetryShed = this.closedTelemetryShed;
    for (const session of this.sessions.values()) {
      serverFenced += session.suppressedOutputs;
      purged += session.purgedDataItems;
      telemetryShed += session.shedTelemetryItems;
    }
    m.staleEpochRejectedTotal.collect(totals.stale_epoch_rejected);
    m.staleEpochOutputsFencedTotal.collect(serverFenced);
    m.staleEpochAcceptedTotal.collect(totals.stale_epoch_accepted);
    // DataLane: the edge buffers' drops plus queued items of aborted turns purged from egress.
    m.collectShed('DataLane', totals.data_dropped + purged);
    m.collectShed('TelemetryLane', totals.telemetry_dropped + telemetryShed);
    m.draining.set(this.draining ? 1 : 0);
    m.leaseHeld.set(this.authority.held ? 1 : 0);
    return m.render();
  }

  // ------------------------------------------------------------------ drain / stop

  /**
   * Graceful drain (SIGTERM): readiness fails at once and new sessions are refused; idle sessions
   * are closed; sessions with a turn in flight keep running until the turn ends or
   * `drainSeconds` pass, then remaining turns are aborted (T8 sequence) and their sessions closed;
   * OR-02 evidence is flushed, the lease released and the listeners closed. Idempotent.
   */
  drain(): Promise<DrainReport> {
    this.drainPromise ??= this.runDrain();
    return this.drainPromise;
  }

  private async runDrain(): Promise<DrainReport> {
    const startedAt = performance.now();
    const deadlineMs = this.config.drainSeconds * 1000;
    this.draining = true;
    this.metrics.draining.set(1);
    const inFlight = new Set<SessionConnection>();
    let sessionsClosed = 0;
    for (const session of [...this.sessions.values()]) {
      if (session.turnInFlight) {
        inFlight.add(session);
      } else {
        session.close(CLOSE_CODES.goingAway, 'draining: session closed by replica drain; reconnect to another replica');
        sessionsClosed++;
      }
    }
    const turnsInFlightAtStart = inFlight.size;
    this.logger.log('info', 'drain started', { turns_in_flight: turnsInFlightAtStart, deadline_ms: deadlineMs });

    let turnsFinished = 0;
    const closeFinished = () => {
      for (const session of inFlight) {
        if (!session.turnInFlight) {
          inFlight.delete(session);
          turnsFinished++;
          session.close(CLOSE_CODES.goingAway, 'drained: turn finished; reconnect to another replica');
          sessionsClosed++;
        }
      }
    };
    while (inFlight.size > 0 && performance.now() - startedAt < deadlineMs) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(DRAIN_POLL_MS, Math.max(1, deadlineMs - (performance.now() - startedAt)))));
      closeFinished();
    }
    const turnsAborted = inFlight.size;
    for (const session of inFlight) {
      session.abortForDrain();
      session.close(CLOSE_CODES.goingAway, 'drain_deadline: in-flight turn aborted at the drain deadline; reconnect to another replica');
      sessionsClosed++;
    }
    // Sessions admitted concurrently with the drain start (none, but be exact) are closed too.
    for (const session of [...this.sessions.values()]) {
      if (!inFlight.has(session)) session.close(CLOSE_CODES.goingAway, 'draining: session closed by replica drain');
    }

    // Evidence that cannot be exported fails the drain (exit 1), but only after the lease is
    // released and the listeners are closed, so a successor is never kept waiting.
    let flushError: Error | undefined;
    try {
      await this.evidence.flush();
    } catch (err) {
      flushError = err as Error;
      this.logger.log('error', 'OR-02 evidence flush failed during drain', { error: flushError.message });
    }
    await this.shutdown(false);
    if (flushError) throw flushError;
    const report: DrainReport = {
      deadlineMs,
      durationMs: Math.round(performance.now() - startedAt),
      turnsInFlightAtStart,
      turnsFinished,
      turnsAborted,
      sessionsClosed,
    };
    this.logger.log('info', 'drain finished', { ...report });
    return report;
  }

  /** Stops at once: sockets terminated without a handshake, lease released, listeners closed. Idempotent. */
  async stop(): Promise<void> {
    for (const session of [...this.sessions.values()]) session.terminate();
    await this.shutdown(true);
  }

  private async shutdown(terminate: boolean): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    // Let close frames go out before the listener stops (sockets end by themselves after the handshake).
    await this.waitForSessionsClosed(terminate ? 0 : 1000);
    await this.authority.stop();
    this.controlPlaneClient?.close();
    if (this.ownsStore) await this.store.close().catch(() => undefined);
    await new Promise<void>((resolve) => {
      this.wss.close(() => resolve());
    });
    await Promise.all([
      new Promise<void>((resolve) => {
        if (!this.http.listening) return resolve();
        this.http.close(() => resolve());
        this.http.closeAllConnections();
      }),
      this.admin.close(),
    ]);
  }

  private async waitForSessionsClosed(timeoutMs: number): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.sessions.size > 0 && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const session of [...this.sessions.values()]) session.terminate();
  }
}
