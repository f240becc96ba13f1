/**
 * The per-session turn engine (`turn-engine.md`): a pure, deterministic state machine. Every
 * decision is a function of (config, inputs, frozen plan, snapshots in the inputs, seed): no
 * clocks, timers, randomness or I/O — time arrives as `at_ms` on each input. Outputs go to the
 * `EngineSink` synchronously, in timeline order; ControlLane work is done inline, so data or
 * telemetry pressure can never delay it (lane priority Control > Data > Telemetry).
 */
import {
  isLegalTransition,
  validateContract,
  type ContractKind,
  type ControlSignal,
  type DecisionOutcome,
  type EdgeBufferPolicy,
  type EventRecord,
  type IngressAuthority,
  type InvocationOutcome,
  type OutcomeEmitter,
  type OutcomeKind,
  type OutcomeScope,
  type ResolvedTurnPlan,
  type TransitionTrigger,
  type TurnState,
} from '../contracts/v1';
import { EdgeBuffer, type EdgeHost, type EdgeSignalFields, type EdgeSignalName } from './edge-buffer';
import type {
  ActiveFailure,
  ControlInput,
  DiagnosticCode,
  EngineConfig,
  EngineCounters,
  EngineInput,
  EngineOutput,
  EngineSink,
  ExecutionProfile,
  FailureClass,
  LateEventPolicy,
  ProposeTurnInput,
  SchedulingShedInput,
  StepConditions,
  TelemetryVerdict,
  TurnStartContext,
} from './engine-types';
import { PAYLOAD_BIT, StageALog, TurnEvidence } from './evidence-recorder';
import { engineInputProblem } from './engine-input-validator';
import { EnvelopeFactory } from './envelope-factory';
import { deepFreeze, SIMPLE_V1_PROFILE } from './execution-profiles';
import { materializePlan } from './plan-materializer';
import { RingBuffer } from './ring-buffer';

/** A broken engine invariant (a bug, never an input problem): the message names the rule. */
export class EngineInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineInvariantError';
  }
}

export const REASON = Object.freeze({
  snapshotInvalid: 'snapshot_invalid_or_missing',
  epochMismatch: 'authority_epoch_mismatch',
  revokedBeforeOpen: 'authority_revoked_before_open',
  revokedInTurn: 'authority_revoked_in_turn',
  bundleFailed: 'turn_start_bundle_resolution_failed',
  planFailed: 'plan_materialization_failed',
  admitted: 'admission_capacity_allow',
  cancelled: 'cancelled',
  authorityLoss: 'authority_loss',
  evidenceUnavailable: 'recording_evidence_unavailable',
  providerFailure: 'provider_failure',
  nodeFailure: 'node_timeout_or_failure',
  turnBudgetWarning: 'turn_budget_warning',
  turnBudgetExhausted: 'turn_budget_exhausted',
  nodeBudgetWarning: 'node_budget_warning',
  nodeBudgetExhausted: 'node_budget_exhausted',
  transportFailure: 'transport_disconnect_or_stall',
  cancelFence: 'cancel_fence_applied',
  terminalFlush: 'turn_terminal_flush',
  schedulingShed: 'scheduling_point_shed',
  levelDowngraded: 'stage_a_capacity_pressure',
});

/**
 * `budget_warning` threshold: a turn or node budget B warns once elapsed ≥ ⌈B × 0.8⌉ ms
 * (`budget_exhausted` follows at elapsed ≥ B for the turn, or on the node's timeout failure).
 */
export const BUDGET_WARNING_FRACTION = 0.8;

/** The elapsed time at which a budget of `budgetMs` warns. */
export function budgetWarningAt(budgetMs: number): number {
  return Math.ceil(budgetMs * BUDGET_WARNING_FRACTION);
}

const FAILURE_ORDER: readonly FailureClass[] = ['provider_failure', 'node_timeout_or_failure', 'transport_disconnect_or_stall', 'generic'];
const TELEMETRY_CAPACITY = 256;
const CLOSED_TURNS_REMEMBERED = 256;

interface PendingProposal {
  readonly turnId: string;
  readonly eventId: string;
  readonly proposedAt: number;
  readonly carrierEpoch: number | undefined;
}

interface ActiveTurn {
  readonly id: string;
  readonly plan: ResolvedTurnPlan;
  readonly edges: Map<string, EdgeBuffer>;
  readonly edgeList: readonly EdgeBuffer[];
  readonly defaultEdge: EdgeBuffer;
  readonly evidence: TurnEvidence;
  readonly fencedNodes: Set<string>;
  readonly fencedInvocations: Set<string>;
  /** Nodes that already got their `budget_warning` this turn. */
  readonly warnedNodes: Set<string>;
  readonly openedAt: number;
  /** Engine time of the next turn-budget crossing (warning, then exhausted; Infinity after). */
  budgetNextAt: number;
  fenced: boolean;
  disconnectedEmitted: boolean;
  stallEmitted: boolean;
}

interface ClosedTurn {
  readonly cancelled: boolean;
}

type MigrationPhase = 'none' | 'rotated' | 'started' | 'finished';

export class TurnEngine implements EdgeHost {
  private readonly sessionId: string;
  private readonly profiles: { readonly [name: string]: ExecutionProfile };
  private readonly seed: number;
  private readonly latePolicy: LateEventPolicy;
  private readonly factory: EnvelopeFactory;
  private readonly stageA: StageALog;
  private readonly telemetry = new RingBuffer<EventRecord>(TELEMETRY_CAPACITY);
  private readonly telemetryHigh: number;
  private readonly telemetrySampleEvery: number;
  private telemetrySeen = 0;

  private epoch: number;
  private authorized: boolean;
  private routingViewEpoch: number;
  private migration: MigrationPhase = 'none';

  private lifecycle: TurnState = 'Idle';
  private pending: PendingProposal | undefined;
  private turn: ActiveTurn | undefined;
  private readonly closedTurns = new Map<string, ClosedTurn>();
  private readonly edgeOverrides: { [edgeId: string]: EdgeBufferPolicy } = {};
  private remapCount = 0;
  private currentWall = 0;

  // Hot-path cache of the last edge looked up by id.
  private lastEdgeId: string | undefined;
  private lastEdge: EdgeBuffer | undefined;
  private lastPayloadClass: string | undefined;

  // Counters (plain fields: the data path increments them without allocating).
  private acceptedTurns = 0;
  private completeRecords = 0;
  private dataIngested = 0;
  private dataEgressed = 0;
  private dataDropped = 0;
  private staleRejected = 0;
  private staleAccepted = 0;
  private postFenceEgress = 0;
  private lateAfterCancelDropped = 0;
  private telemetryAccepted = 0;
  private telemetryDropped = 0;
  private telemetrySampled = 0;

  constructor(
    private readonly config: EngineConfig,
    private readonly sink: EngineSink,
  ) {
    if (typeof config.session_id !== 'string' || config.session_id.length === 0) {
      throw new TypeError('EngineConfig.session_id must be a non-empty string');
    }
    if (typeof config.pipeline_version !== 'string' || config.pipeline_version.length === 0) {
      throw new TypeError('EngineConfig.pipeline_version must be a non-empty string');
    }
    if (!Number.isInteger(config.authority_epoch) || config.authority_epoch < 0) {
      throw new TypeError(`EngineConfig.authority_epoch must be an integer >= 0, got ${config.authority_epoch}`);
    }
    // The engine keeps its own deep-frozen copy: profile parts are shared by every frozen plan.
    this.profiles = config.profiles ? deepFreeze(JSON.parse(JSON.stringify(config.profiles))) : { [SIMPLE_V1_PROFILE.name]: SIMPLE_V1_PROFILE };
    for (const [name, profile] of Object.entries(this.profiles)) {
      for (const [edgeId, policy] of Object.entries(profile.edge_buffer_policies)) {
        const err = validateContract('EdgeBufferPolicy', policy);
        if (err) throw new TypeError(`EngineConfig.profiles["${name}"].edge_buffer_policies["${edgeId}"]${err.path.slice(1)}: ${err.message}`);
      }
    }
    this.sessionId = config.session_id;
    this.seed = config.seed ?? 0;
    this.latePolicy = config.late_event_policy ?? 'drop';
    this.epoch = config.authority_epoch;
    this.authorized = config.authorized ?? true;
    this.routingViewEpoch = config.routing_view_epoch ?? config.authority_epoch;
    this.factory = new EnvelopeFactory(this.sessionId, config.pipeline_version, this.epoch);
    this.stageA = new StageALog(config.evidence_capacity ?? 4096, 'L0');
    const first = Object.values(this.profiles)[0];
    this.telemetryHigh = Math.min(TELEMETRY_CAPACITY, first ? first.flow_control.watermarks.TelemetryLane.high : TELEMETRY_CAPACITY);
    this.telemetrySampleEvery = Math.max(1, config.telemetry_sample_every ?? 10);
  }

  // ------------------------------------------------------------------ observers

  get state(): TurnState {
    return this.lifecycle;
  }

  get turnId(): string | undefined {
    return this.turn?.id ?? this.pending?.turnId;
  }

  get plan(): ResolvedTurnPlan | undefined {
    return this.turn?.plan;
  }

  get authorityEpoch(): number {
    return this.epoch;
  }

  get isAuthorized(): boolean {
    return this.authorized;
  }

  /** Queue depth (queued + blocked) of an edge of the active turn, or 0. */
  queueDepth(edgeId: string): number {
    return this.turn?.edges.get(edgeId)?.depth ?? 0;
  }

  /** The active turn's edges: id, policy bound and current depth (for invariant checks and metrics). */
  edgeStates(): { readonly id: string; readonly depth: number; readonly queued: number; readonly bound: number; readonly bytes: number; readonly maxBytes: number }[] {
    return (this.turn?.edgeList ?? []).map((e) => ({
      id: e.id,
      depth: e.depth,
      queued: e.queuedItems,
      bound: e.policy.max_queue_items,
      bytes: e.bytesQueued,
      maxBytes: e.policy.max_queue_bytes,
    }));
  }

  counters(): EngineCounters {
    return {
      accepted_turns: this.acceptedTurns,
      complete_baseline_records: this.completeRecords,
      data_ingested: this.dataIngested,
      data_egressed: this.dataEgressed,
      data_dropped: this.dataDropped,
      stale_epoch_rejected: this.staleRejected,
      stale_epoch_accepted: this.staleAccepted,
      post_fence_egress: this.postFenceEgress,
      late_provider_output_dropped_count: this.lateAfterCancelDropped,
      telemetry_accepted: this.telemetryAccepted,
      telemetry_dropped: this.telemetryDropped,
      telemetry_sampled: this.telemetrySampled,
    };
  }

  /** Ingress epoch resolution: the carrier's epoch, else the routing view's (`contracts.md` §9). */
  resolveIngressAuthority(carrierEpoch: number | undefined): IngressAuthority {
    return carrierEpoch === undefined
      ? { authority_epoch: this.routingViewEpoch, enriched: true, source: 'routing_view' }
      : { authority_epoch: carrierEpoch, enriched: false, source: 'carrier' };
  }

  /** Take up to `max` queued telemetry events (best effort; the host calls this when idle). */
  takeTelemetry(max: number): EventRecord[] {
    const out: EventRecord[] = [];
    while (out.length < max && this.telemetry.size > 0) out.push(this.telemetry.shift()!);
    return out;
  }

  // ------------------------------------------------------------------ entry points

  /** Process one input log entry. Contract-carrying inputs are strictly validated first. */
  apply(input: EngineInput): void {
    const problem = engineInputProblem(input);
    if (problem !== undefined) {
      this.diagnostic('invalid_input', problem, 0);
      return;
    }
    const at = input.at_ms;
    const wall = input.wall_ms ?? at;
    this.currentWall = wall;
    if (input.type === 'data') {
      // Same path as the host's `ingestData` (a replayed log reproduces the live outputs).
      this.dispatch(input, at, wall);
      return;
    }
    // Coalesced drop_notices of earlier data ingests go out before anything this step emits, and
    // the step's own drops are announced before it ends: ControlLane output per step stays bounded.
    this.flushDropNotices(at);
    const turn = this.turn;
    if (turn !== undefined && at >= turn.budgetNextAt && this.lifecycle === 'Active') this.onTurnBudget(turn, at, wall);
    this.dispatch(input, at, wall);
    this.flushDropNotices(at);
  }

  /** Announce every pending coalesced drop run of the active turn's edges. */
  flushDropNotices(atMs: number): void {
    const turn = this.turn;
    if (turn === undefined) return;
    for (const edge of turn.edgeList) if (edge.hasPendingDrops) edge.flushDropNotice(atMs);
  }

  private dispatch(input: EngineInput, at: number, wall: number): void {
    switch (input.type) {
      case 'propose_turn':
        this.onPropose(input, at, wall);
        return;
      case 'turn_start_resolved':
        if (this.lifecycle !== 'Opening' || !this.pending) {
          this.diagnostic('invalid_input', `turn_start_resolved while ${this.lifecycle}; it answers a pending proposal`, at);
          return;
        }
        this.arbitrate(input.start, at, wall);
        return;
      case 'data': {
        const err = validateContract('EventRecord', input.event);
        if (err) {
          this.diagnostic('invalid_input', `data event ${err.path}: ${err.message}`, at, undefined, input.event?.event_id);
          return;
        }
        this.ingestData(input.event, undefined, input.payload_bytes ?? 0, at, wall);
        return;
      }
      case 'telemetry': {
        const err = validateContract('EventRecord', input.event);
        if (err) {
          this.diagnostic('invalid_input', `telemetry event ${err.path}: ${err.message}`, at);
          return;
        }
        this.emitTelemetry(input.event);
        return;
      }
      case 'control':
        this.onControl(input, at, wall);
        return;
      case 'step':
        this.onStep(input.conditions, at, wall);
        return;
      case 'downstream': {
        const edge = this.turn?.edges.get(input.edge_id);
        if (!edge) {
          this.diagnostic(this.turn ? 'unknown_edge' : 'no_active_turn', `downstream readiness for edge "${input.edge_id}"`, at);
          return;
        }
        edge.setDownstreamReady(input.ready, at);
        return;
      }
      case 'authority_revoked':
        this.authorized = false;
        if (this.lifecycle === 'Active') this.onStep({ authority_revoked: true }, at, wall);
        return;
      case 'evidence_store':
        this.stageA.setAvailable(input.available);
        return;
      case 'scheduling_shed':
        this.onSchedulingShed(input, at, wall);
        return;
      case 'plan_change':
        this.onPlanChange(input.edge_id, input.policy, at);
        return;
      case 'tick':
        if (this.turn) for (const edge of this.turn.edgeList) edge.expire(at);
        return;
      default: {
        const unknown = input as { type?: unknown };
        this.diagnostic('invalid_input', `unknown input type ${String(unknown.type)}`, at);
      }
    }
  }

  /**
   * Hot path: one DataLane event into its edge. The caller has decoded it (`decodeEventRecord`).
   * Checks, in order: epoch (P6: stale beats late), active turn, turn id, edge, sequence order.
   */
  ingestData(event: EventRecord, payload: unknown, payloadBytes: number, atMs: number, wallMs: number = atMs): void {
    this.currentWall = wallMs;
    let epoch = event.authority_epoch;
    if (epoch === undefined) {
      epoch = this.routingViewEpoch;
      event = { ...event, authority_epoch: epoch };
    }
    if (epoch !== this.epoch) {
      this.rejectStale(event, 'edge_enqueue', atMs);
      return;
    }
    const turn = this.turn;
    if (turn === undefined || (event.turn_id !== undefined && event.turn_id !== turn.id)) {
      this.onLateOrOrphan(event, atMs);
      return;
    }
    if (atMs >= turn.budgetNextAt) this.onTurnBudget(turn, atMs, wallMs);
    if ((event.node_id !== undefined && turn.fencedNodes.has(event.node_id)) ||
        (event.provider_invocation_id !== undefined && turn.fencedInvocations.has(event.provider_invocation_id))) {
      this.cancelLateOutput(turn.id, event, atMs);
      return;
    }
    const edgeId = event.edge_id;
    let edge: EdgeBuffer | undefined;
    if (edgeId === undefined) edge = turn.defaultEdge;
    else if (edgeId === this.lastEdgeId && this.lastEdge !== undefined) edge = this.lastEdge;
    else {
      edge = turn.edges.get(edgeId);
      if (edge === undefined) {
        this.diagnostic('unknown_edge', `edge "${edgeId}" is not in the plan of turn ${turn.id}`, atMs, turn.id, event.event_id);
        return;
      }
      this.lastEdgeId = edgeId;
      this.lastEdge = edge;
    }
    if (event.runtime_sequence <= edge.lastSequence) {
      this.diagnostic('sequence_regression', `runtime_sequence ${event.runtime_sequence} <= ${edge.lastSequence} on edge ${edge.id}`, atMs, turn.id, event.event_id);
      return;
    }
    edge.lastSequence = event.runtime_sequence;
    this.dataIngested++;
    if (event.payload_class !== this.lastPayloadClass) {
      this.lastPayloadClass = event.payload_class;
      turn.evidence.payloadBits |= PAYLOAD_BIT[event.payload_class];
    }
    edge.offer(event, payload, payloadBytes, atMs);
  }

  /** TelemetryLane: never waits. Over the high watermark it samples 1 in N; when full it drops the oldest. */
  emitTelemetry(event: EventRecord): TelemetryVerdict {
    this.telemetrySeen++;
    if (this.telemetry.size >= this.telemetryHigh) {
      if (this.telemetrySeen % this.telemetrySampleEvery !== 0) {
        this.telemetryDropped++;
        return 'dropped';
      }
      if (this.telemetry.isFull) {
        this.telemetry.shift();
        this.telemetryDropped++;
      }
      this.telemetry.push(event);
      this.telemetrySampled++;
      return 'sampled';
    }
    this.telemetry.push(event);
    this.telemetryAccepted++;
    return 'accepted';
  }

  // ------------------------------------------------------------------ EdgeHost (called by edges)

  egressItem(edge: EdgeBuffer, event: EventRecord, payload: unknown, atMs: number): void {
    if (event.authority_epoch !== this.epoch) {
      this.rejectStale(event, 'node_dispatch', atMs);
      return;
    }
    const turn = this.turn;
    if (turn === undefined || turn.fenced) {
      // Unreachable by construction (the fence flushes every edge): blocked and counted if it fires.
      this.postFenceEgress++;
      return;
    }
    if (!edge.outputAccepted) {
      edge.outputAccepted = true;
      this.emitSignal(this.factory.signal('output_accepted', 'RK-22', atMs, this.currentWall, { turn_id: turn.id, edge_id: edge.id }));
    }
    if (turn.evidence.firstOutputAt < 0) turn.evidence.firstOutputAt = atMs;
    this.dataEgressed++;
    this.sink.egress(edge.id, event, payload);
  }

  edgeSignal(edge: EdgeBuffer, name: EdgeSignalName, atMs: number, f: EdgeSignalFields): void {
    const turnId = this.turn?.id;
    const common = { turn_id: turnId, edge_id: edge.id, target_lane: 'DataLane' as const };
    let signal: ControlSignal;
    switch (name) {
      case 'watermark':
        signal = this.factory.signal('watermark', 'RK-13', atMs, this.currentWall, { ...common, reason: f.reason });
        break;
      case 'flow_xoff':
        signal = this.factory.signal('flow_xoff', 'RK-14', atMs, this.currentWall, { ...common, reason: f.reason });
        break;
      case 'flow_xon':
        signal = this.factory.signal('flow_xon', 'RK-14', atMs, this.currentWall, common);
        break;
      case 'credit_grant':
        signal = this.factory.signal('credit_grant', 'RK-14', atMs, this.currentWall, { ...common, amount: f.amount });
        break;
      case 'drop_notice':
        signal = this.factory.signal('drop_notice', 'RK-12', atMs, this.currentWall, {
          ...common,
          reason: f.reason,
          seq_range: f.seq_range,
          sync_domain: f.sync_domain,
          discontinuity_id: f.discontinuity_id,
        });
        this.recordDetail(atMs);
        break;
      case 'discontinuity':
        signal = this.factory.signal('discontinuity', 'RK-15', atMs, this.currentWall, {
          turn_id: turnId,
          edge_id: edge.id,
          reason: f.reason,
          sync_domain: f.sync_domain,
          discontinuity_id: f.discontinuity_id,
        });
        break;
    }
    this.emitSignal(signal);
  }

  edgeDropped(_edge: EdgeBuffer, count: number): void {
    this.dataDropped += count;
  }

  // ------------------------------------------------------------------ pre-turn

  private onPropose(input: ProposeTurnInput, at: number, wall: number): void {
    if (this.lifecycle === 'Opening' || this.lifecycle === 'Active' || this.lifecycle === 'Terminal') {
      this.diagnostic('proposal_while_busy', `proposal ${input.turn_id} dropped: turn ${this.turnId} is ${this.lifecycle} (policy: drop)`, at, input.turn_id, input.event_id);
      return;
    }
    if (this.closedTurns.has(input.turn_id)) {
      this.diagnostic('invalid_input', `turn ${input.turn_id} is Closed; a lifecycle never reopens (propose a new turn id)`, at, input.turn_id, input.event_id);
      return;
    }
    this.emitOutput({
      kind: 'intent',
      signal: this.checked('ControlSignal', this.factory.signal('turn_open_proposed', 'RK-02', at, wall, { event_scope: 'session', turn_id: input.turn_id })),
    });
    this.lifecycle = 'Idle';
    this.transition(input.turn_id, 'Idle', 'turn_open_proposed', 'Opening');
    this.pending = { turnId: input.turn_id, eventId: input.event_id, proposedAt: at, carrierEpoch: input.authority_epoch };
    if (input.start) this.arbitrate(input.start, at, wall);
  }

  /** Pre-turn evaluation, steps 1-7 in spec order; the first failure ends arbitration. */
  private arbitrate(ctx: TurnStartContext, at: number, wall: number): void {
    const p = this.pending!;
    const snapshotPolicy = ctx.snapshot_failure_policy ?? this.config.snapshot_failure_policy ?? 'defer';
    const planPolicy = ctx.plan_failure_policy ?? this.config.plan_failure_policy ?? 'defer';
    // 1. snapshots
    if ((ctx.snapshots ?? 'valid') !== 'valid') return this.preTurnFail(snapshotPolicy, 'RK-25', 'turn', REASON.snapshotInvalid, at, wall);
    // 2. local capacity
    const capacity = ctx.capacity ?? 'allow';
    if (capacity !== 'allow') return this.preTurnFail(capacity, 'RK-25', 'turn', `admission_capacity_${capacity}`, at, wall);
    // 3. authority epoch
    const ingress = this.resolveIngressAuthority(p.carrierEpoch);
    if (ingress.authority_epoch !== this.epoch) {
      return this.preTurnFail('stale_epoch_reject', 'RK-24', 'turn', REASON.epochMismatch, at, wall, ingress.authority_epoch);
    }
    // 4. placement authorized
    if (!this.authorized) return this.preTurnFail('deauthorized_drain', 'RK-24', 'turn', REASON.revokedBeforeOpen, at, wall, this.epoch);
    // 5. bundle, lease re-check, CP-05 admission
    const bundle = ctx.bundle;
    const bundleError = bundle === undefined ? 'no bundle' : validateContract('TurnStartBundle', bundle)?.message;
    if (bundle === undefined || bundleError !== undefined) {
      this.diagnostic('invalid_input', `turn-start bundle did not resolve: ${bundleError}`, at, p.turnId);
      return this.preTurnFail(planPolicy, 'RK-25', 'turn', REASON.bundleFailed, at, wall);
    }
    if (!bundle.lease.valid || bundle.lease.authority_epoch !== this.epoch) {
      return this.preTurnFail('stale_epoch_reject', 'RK-24', 'turn', REASON.epochMismatch, at, wall, bundle.lease.authority_epoch);
    }
    if (!bundle.lease.granted) return this.preTurnFail('deauthorized_drain', 'RK-24', 'turn', REASON.revokedBeforeOpen, at, wall, this.epoch);
    const cp = bundle.cp_admission;
    if (cp.outcome_kind !== 'admit') return this.preTurnFail(cp.outcome_kind, 'CP-05', cp.scope ?? 'session', cp.reason, at, wall);
    // 6. plan
    const m = materializePlan({
      turn_id: p.turnId,
      authority_epoch: this.epoch,
      seed: this.seed,
      bundle,
      profiles: this.profiles,
      provenance: ctx.provenance,
      edge_overrides: this.edgeOverrides,
    });
    if (!m.ok) {
      this.diagnostic('invalid_input', `plan materialization failed: ${m.problem}`, at, p.turnId);
      return this.preTurnFail(planPolicy, 'RK-25', 'turn', REASON.planFailed, at, wall);
    }
    // 7. open
    const admits = [
      this.factory.decision('admit', 'pre_turn', 'turn', 'RK-25', REASON.admitted, at, wall, { turn_id: p.turnId }),
      this.factory.decision('admit', 'pre_turn', cp.scope ?? 'session', 'CP-05', cp.reason, at, wall),
    ];
    this.openTurn(p, m.plan, admits, at, wall);
  }

  private preTurnFail(
    kind: OutcomeKind,
    emitter: OutcomeEmitter,
    scope: OutcomeScope,
    reason: string,
    at: number,
    wall: number,
    epoch?: number,
  ): void {
    const p = this.pending!;
    const outcome = this.factory.decision(kind, 'pre_turn', scope, emitter, reason, at, wall, {
      turn_id: scope === 'turn' ? p.turnId : undefined,
      authority_epoch: epoch,
    });
    this.emitDecision(outcome);
    this.pending = undefined;
    this.transition(p.turnId, 'Opening', kind as TransitionTrigger, 'Idle');
    if (kind === 'stale_epoch_reject') this.staleRejected++;
  }

  private openTurn(p: PendingProposal, plan: ResolvedTurnPlan, admits: readonly DecisionOutcome[], at: number, wall: number): void {
    this.stageA.release();
    this.stageA.level = plan.recording_policy.recording_level;
    const baselineKept = this.stageA.appendBaseline();
    const host: EdgeHost = this;
    const edgeIds = Object.keys(plan.edge_buffer_policies).sort();
    const edges = new Map<string, EdgeBuffer>();
    const edgeList: EdgeBuffer[] = [];
    for (const id of edgeIds) {
      const edge = new EdgeBuffer(id, plan.edge_buffer_policies[id], plan.flow_control.mode_by_lane.DataLane, host);
      edges.set(id, edge);
      edgeList.push(edge);
    }
    const evidence = new TurnEvidence(this.sessionId, plan, p.eventId, p.proposedAt, at, this.epoch);
    this.turn = {
      id: p.turnId,
      plan,
      edges,
      edgeList,
      defaultEdge: edgeList[0],
      evidence,
      fencedNodes: new Set(),
      fencedInvocations: new Set(),
      warnedNodes: new Set(),
      openedAt: at,
      budgetNextAt: at + budgetWarningAt(plan.budgets.turn_budget_ms),
      fenced: false,
      disconnectedEmitted: false,
      stallEmitted: false,
    };
    this.lastEdgeId = undefined;
    this.lastEdge = undefined;
    this.lastPayloadClass = undefined;
    this.pending = undefined;
    this.factory.pipelineVersion = plan.pipeline_version;
    for (const d of admits) {
      this.emitDecision(d);
      evidence.decisions.push(d);
    }
    this.emitSignal(this.factory.signal('turn_open', 'RK-03', at, wall, { turn_id: p.turnId }));
    this.transition(p.turnId, 'Opening', 'turn_open', 'Active');
    this.emitOutput({ kind: 'plan', plan });
    this.acceptedTurns++;
    // T9: the plan hash could not be kept as baseline evidence.
    if (!baselineKept) this.abortTurn(REASON.evidenceUnavailable, at, wall);
  }

  // ------------------------------------------------------------------ active turn

  /** One Active arbitration point: the first matching condition wins (P8). */
  private onStep(c: StepConditions, at: number, wall: number): void {
    const turn = this.turn;
    if (!turn || this.lifecycle !== 'Active') {
      this.diagnostic('no_active_turn', `step while ${this.lifecycle}`, at);
      return;
    }
    for (const inv of c.invocations ?? []) this.recordInvocation(turn, inv, at);
    if (c.node_elapsed) {
      const warnAt = budgetWarningAt(turn.plan.budgets.node_budget_ms_default);
      for (const n of c.node_elapsed) if (n.elapsed_ms >= warnAt) this.warnNode(turn, n.node_id, at, wall);
    }
    if (c.authority_revoked) {
      this.authorized = false;
      const d = this.factory.decision('deauthorized_drain', 'active_turn', 'turn', 'RK-24', REASON.revokedInTurn, at, wall, {
        turn_id: turn.id,
        authority_epoch: this.epoch,
      });
      this.emitDecision(d);
      turn.evidence.decisions.push(d);
      return this.abortTurn(REASON.authorityLoss, at, wall);
    }
    if (c.cancel) {
      const ev = turn.evidence;
      ev.cancelSentAt = c.cancel.sent_at_ms;
      ev.cancelAcceptedAt = at;
      this.fence(at);
      ev.cancelFenceAt = at;
      this.emitSignal(
        this.factory.signal('cancel', 'RK-16', at, wall, { turn_id: turn.id, scope: c.cancel.scope, causal_parent_id: c.cancel.event_id }),
      );
      return this.abortTurn(REASON.cancelled, at, wall);
    }
    if (!this.stageA.available) return this.abortTurn(REASON.evidenceUnavailable, at, wall);
    const failures = [...(c.failures ?? [])].sort((a, b) => FAILURE_ORDER.indexOf(a.class) - FAILURE_ORDER.indexOf(b.class));
    let terminalReason: string | undefined;
    for (const f of failures) {
      const reason = this.handleFailure(turn, f, at, wall);
      if (reason !== undefined && terminalReason === undefined) terminalReason = reason;
    }
    if (terminalReason !== undefined) return this.abortTurn(terminalReason, at, wall);
    if (c.success_ready) return this.commitTurn(at, wall);
  }

  /**
   * The turn budget (`plan.budgets.turn_budget_ms`, from `turn_open`) crossed a mark on the engine
   * clock: `budget_warning` at ⌈80 %⌉, `budget_exhausted` at 100 %, each once per turn. Both are
   * non-terminal markers: the host ends the turn (a failure step) if its plan says so.
   */
  private onTurnBudget(turn: ActiveTurn, at: number, wall: number): void {
    this.flushDropNotices(at);
    const budget = turn.plan.budgets.turn_budget_ms;
    const elapsed = at - turn.openedAt;
    const warnAt = budgetWarningAt(budget);
    if (turn.budgetNextAt === turn.openedAt + warnAt) {
      this.emitSignal(this.factory.signal('budget_warning', 'RK-17', at, wall, { turn_id: turn.id, reason: REASON.turnBudgetWarning }));
      turn.budgetNextAt = turn.openedAt + budget;
    }
    if (elapsed >= budget && turn.budgetNextAt === turn.openedAt + budget) {
      this.emitSignal(this.factory.signal('budget_exhausted', 'RK-17', at, wall, { turn_id: turn.id, reason: REASON.turnBudgetExhausted }));
      turn.budgetNextAt = Infinity;
    }
  }

  /** One `budget_warning` per (turn, node), the first time the node is at or past the warning mark. */
  private warnNode(turn: ActiveTurn, nodeId: string | undefined, at: number, wall: number): void {
    const key = nodeId ?? '';
    if (turn.warnedNodes.has(key)) return;
    turn.warnedNodes.add(key);
    this.emitSignal(this.factory.signal('budget_warning', 'RK-17', at, wall, { turn_id: turn.id, node_id: nodeId, reason: REASON.nodeBudgetWarning }));
  }

  /** Emit a failure's control signals; returns the abort reason when no legal path remains. */
  private handleFailure(turn: ActiveTurn, f: ActiveFailure, at: number, wall: number): string | undefined {
    const allowed = turn.plan.allowed_adaptive_actions;
    const legal = (f.legal_paths ?? []).filter((a) => allowed.includes(a));
    switch (f.class) {
      case 'provider_failure': {
        if (f.invocation) this.recordInvocation(turn, f.invocation, at);
        const inv = f.invocation?.provider_invocation_id;
        this.emitSignal(
          this.factory.signal('provider_error', 'RK-11', at, wall, {
            turn_id: turn.id,
            provider_invocation_id: inv,
            reason: f.invocation ? `provider_${f.invocation.outcome_class}` : REASON.providerFailure,
          }),
        );
        if (legal.includes('provider_switch')) {
          this.emitSignal(this.factory.signal('provider_switch', 'RK-11', at, wall, { turn_id: turn.id, provider_invocation_id: inv, reason: 'provider_failure_switch' }));
          return undefined;
        }
        if (legal.includes('fallback')) {
          this.emitSignal(this.factory.signal('fallback', 'RK-17', at, wall, { turn_id: turn.id, reason: 'provider_failure_fallback' }));
          return undefined;
        }
        return REASON.providerFailure;
      }
      case 'node_timeout_or_failure': {
        // Every budget_exhausted of a node is preceded by its budget_warning (same step if the host
        // never reported the node past the warning mark).
        this.warnNode(turn, f.node_id, at, wall);
        this.emitSignal(this.factory.signal('budget_exhausted', 'RK-17', at, wall, { turn_id: turn.id, node_id: f.node_id, reason: REASON.nodeBudgetExhausted }));
        if (legal.includes('degrade')) {
          this.emitSignal(this.factory.signal('degrade', 'RK-17', at, wall, { turn_id: turn.id, node_id: f.node_id, reason: 'node_timeout_degrade' }));
          return undefined;
        }
        if (legal.includes('fallback')) {
          this.emitSignal(this.factory.signal('fallback', 'RK-17', at, wall, { turn_id: turn.id, node_id: f.node_id, reason: 'node_timeout_fallback' }));
          return undefined;
        }
        return REASON.nodeFailure;
      }
      case 'transport_disconnect_or_stall':
        if (!turn.disconnectedEmitted) {
          turn.disconnectedEmitted = true;
          this.emitSignal(this.factory.signal('disconnected', 'RK-23', at, wall, { turn_id: turn.id }));
        }
        if (!turn.stallEmitted) {
          turn.stallEmitted = true;
          this.emitSignal(this.factory.signal('stall', 'RK-23', at, wall, { turn_id: turn.id }));
        }
        return REASON.transportFailure;
      case 'generic':
        return f.reason ?? 'terminal_failure';
    }
  }

  /** Invocation outcomes go into OR-02 only when they satisfy the contract (else a diagnostic). */
  private recordInvocation(turn: ActiveTurn, inv: InvocationOutcome, at: number): void {
    const err = validateContract('InvocationOutcome', inv);
    if (err) {
      this.diagnostic('invalid_input', `invocation outcome ${err.path}: ${err.message}`, at, turn.id);
      return;
    }
    turn.evidence.invocations.push(inv);
  }

  /** Tier 1: close the egress fence for the turn and flush its edges (no DataLane egress after). */
  private fence(at: number): void {
    const turn = this.turn!;
    if (turn.fenced) return;
    turn.fenced = true;
    for (const edge of turn.edgeList) {
      edge.downstreamReady = false;
      edge.flush(at, REASON.cancelFence);
    }
  }

  private commitTurn(at: number, wall: number): void {
    const turn = this.turn!;
    // P9: the terminal evidence must be in Stage A before commit; otherwise the terminal is an abort.
    if (!this.stageA.appendTerminal()) return this.abortTurn(REASON.evidenceUnavailable, at, wall);
    turn.fenced = true;
    for (const edge of turn.edgeList) {
      edge.downstreamReady = false;
      edge.flush(at, REASON.terminalFlush);
    }
    this.emitSignal(this.factory.signal('commit', 'RK-03', at, wall, { turn_id: turn.id }));
    this.transition(turn.id, 'Active', 'commit', 'Terminal');
    this.closeTurn('commit', undefined, false, at, wall);
  }

  private abortTurn(reason: string, at: number, wall: number): void {
    const turn = this.turn!;
    this.fence(at);
    this.stageA.appendForcedTerminal();
    this.emitSignal(this.factory.signal('abort', 'RK-03', at, wall, { turn_id: turn.id, reason }));
    this.transition(turn.id, 'Active', 'abort', 'Terminal');
    this.closeTurn('abort', reason, reason === REASON.cancelled, at, wall);
  }

  private closeTurn(terminal: 'commit' | 'abort', reason: string | undefined, cancelled: boolean, at: number, wall: number): void {
    const turn = this.turn!;
    this.stageA.appendForcedTerminal();
    this.emitSignal(this.factory.signal('close', 'RK-03', at, wall, { turn_id: turn.id }));
    this.transition(turn.id, 'Terminal', 'close', 'Closed');
    const record = turn.evidence.finalize(terminal, reason, true);
    this.checked('Or02BaselineRecord', record);
    this.completeRecords++;
    this.emitOutput({ kind: 'evidence', record });
    this.stageA.release();
    this.rememberClosed(turn.id, { cancelled });
    this.turn = undefined;
    this.lastEdgeId = undefined;
    this.lastEdge = undefined;
  }

  private rememberClosed(turnId: string, info: ClosedTurn): void {
    this.closedTurns.set(turnId, info);
    if (this.closedTurns.size > CLOSED_TURNS_REMEMBERED) {
      this.closedTurns.delete(this.closedTurns.keys().next().value as string);
    }
  }

  // ------------------------------------------------------------------ control lane

  private onControl(input: ControlInput, at: number, wall: number): void {
    const s = input.signal;
    const err = validateContract('ControlSignal', s);
    if (err) {
      this.diagnostic('invalid_input', `control signal ${err.path}: ${err.message}${err.rule ? ` [${err.rule}]` : ''}`, at, s?.turn_id, s?.event_id);
      return;
    }
    const epoch = s.authority_epoch!;
    switch (s.signal) {
      case 'lease_issued':
      case 'lease_rotated': {
        if (epoch < this.epoch || (s.signal === 'lease_rotated' && epoch === this.epoch)) {
          this.rejectControlStale(s, at, wall);
          return;
        }
        this.epoch = epoch;
        this.routingViewEpoch = epoch;
        this.authorized = true;
        this.factory.authorityEpoch = epoch;
        if (s.signal === 'lease_rotated') this.migration = 'rotated';
        this.emitOutput({ kind: 'signal', signal: s });
        this.recordMarker(`${s.signal}:${epoch}`, at, wall);
        return;
      }
      case 'migration_start':
      case 'migration_finish':
      case 'session_handoff': {
        if (epoch !== this.epoch) {
          this.rejectControlStale(s, at, wall);
          return;
        }
        const expected: MigrationPhase = s.signal === 'migration_start' ? 'rotated' : s.signal === 'migration_finish' ? 'started' : 'finished';
        if (this.migration !== expected) {
          this.diagnostic('migration_out_of_order', `${s.signal} after ${this.migration}; order is lease_rotated, migration_start, migration_finish, session_handoff`, at);
          return;
        }
        this.migration = s.signal === 'migration_start' ? 'started' : 'finished';
        this.emitOutput({ kind: 'signal', signal: s });
        this.recordMarker(`${s.signal}:${epoch}`, at, wall);
        return;
      }
      default:
        break;
    }
    // P6: an epoch-mismatched event is T12 before anything else is considered.
    if (epoch !== this.epoch) {
      this.rejectControlStale(s, at, wall);
      return;
    }
    switch (s.signal) {
      case 'cancel':
      case 'barge_in':
      case 'stop': {
        const scope = s.signal === 'cancel' ? s.scope! : s.signal === 'stop' ? 'session' : 'turn';
        if (scope === 'node' || scope === 'provider_invocation') return this.cancelPartial(s, scope, at, wall);
        if (this.lifecycle !== 'Active' || (s.turn_id !== undefined && s.turn_id !== this.turn?.id)) {
          if (s.turn_id !== undefined && this.closedTurns.has(s.turn_id)) return this.onLateControl(s, at);
          this.diagnostic('no_active_turn', `${s.signal} with no matching active turn`, at, s.turn_id, s.event_id);
          return;
        }
        this.onStep({ cancel: { scope, sent_at_ms: s.runtime_timestamp_ms, event_id: s.event_id } }, at, wall);
        return;
      }
      case 'disconnected':
        this.emitOutput({ kind: 'signal', signal: s });
        if (this.turn) this.turn.disconnectedEmitted = true;
        return;
      case 'stall':
        if (this.turn && this.lifecycle === 'Active' && this.turn.disconnectedEmitted) {
          this.onStep({ failures: [{ class: 'transport_disconnect_or_stall' }] }, at, wall);
          return;
        }
        this.emitOutput({ kind: 'signal', signal: s });
        return;
      case 'output_accepted':
      case 'playback_started':
        if (s.turn_id !== undefined && this.closedTurns.get(s.turn_id)?.cancelled) {
          this.emitSignal(
            this.factory.signal('playback_cancelled', 'RK-22', at, wall, {
              turn_id: s.turn_id,
              reason: REASON.cancelFence,
              late_after_cancel: true,
              causal_parent_id: s.event_id,
            }),
          );
          this.diagnostic('late_after_cancel_dropped', `${s.signal} for cancelled turn ${s.turn_id} rejected`, at, s.turn_id, s.event_id);
          return;
        }
        this.emitOutput({ kind: 'signal', signal: s });
        return;
      case 'turn_open_proposed':
      case 'turn_open':
      case 'commit':
      case 'abort':
      case 'close':
        this.diagnostic('illegal_transition', `${s.signal} from outside while ${this.lifecycle}: the engine alone drives the lifecycle`, at, s.turn_id, s.event_id);
        return;
      case 'admit':
      case 'reject':
      case 'defer':
      case 'shed':
      case 'stale_epoch_reject':
      case 'deauthorized_drain':
        this.diagnostic('invalid_input', `${s.signal} is a decision the engine makes, not an input`, at, s.turn_id, s.event_id);
        return;
      default:
        // Timeline markers (connection states, provider/budget markers, playback_completed...).
        this.emitOutput({ kind: 'signal', signal: s });
    }
  }

  /** Tier 2: cancel for a node or provider invocation fences its outputs; the turn continues. */
  private cancelPartial(s: ControlSignal, scope: 'node' | 'provider_invocation', at: number, wall: number): void {
    const turn = this.turn;
    if (!turn) {
      this.diagnostic('no_active_turn', `cancel(${scope}) with no active turn`, at, s.turn_id, s.event_id);
      return;
    }
    const target = scope === 'node' ? s.node_id : s.provider_invocation_id;
    if (target === undefined) {
      this.diagnostic('invalid_input', `cancel(${scope}) needs ${scope === 'node' ? 'node_id' : 'provider_invocation_id'}`, at, turn.id, s.event_id);
      return;
    }
    (scope === 'node' ? turn.fencedNodes : turn.fencedInvocations).add(target);
    this.emitSignal(
      this.factory.signal('cancel', 'RK-16', at, wall, {
        turn_id: turn.id,
        scope,
        node_id: scope === 'node' ? target : undefined,
        provider_invocation_id: scope === 'provider_invocation' ? target : undefined,
        causal_parent_id: s.event_id,
      }),
    );
  }

  private onLateControl(s: ControlSignal, at: number): void {
    this.diagnostic('late_event_dropped', `${s.signal} for Closed turn ${s.turn_id}: the lifecycle never reopens`, at, s.turn_id, s.event_id);
  }

  // ------------------------------------------------------------------ late / stale / misc

  private onLateOrOrphan(event: EventRecord, at: number): void {
    const closed = event.turn_id !== undefined ? this.closedTurns.get(event.turn_id) : undefined;
    if (closed === undefined) {
      this.diagnostic('no_active_turn', `DataLane event for ${event.turn_id ?? 'no turn'} while ${this.lifecycle}`, at, event.turn_id, event.event_id);
      return;
    }
    if (closed.cancelled) {
      this.cancelLateOutput(event.turn_id!, event, at);
      return;
    }
    switch (this.latePolicy) {
      case 'drop':
        this.diagnostic('late_event_dropped', `late event for Closed turn ${event.turn_id} dropped`, at, event.turn_id, event.event_id);
        return;
      case 'diagnostics_only':
        this.diagnostic('late_event_diagnosed', `late event for Closed turn ${event.turn_id}`, at, event.turn_id, event.event_id);
        return;
      case 'remap': {
        this.remapCount++;
        const newTurn = `${event.turn_id}/remap/${this.remapCount}`;
        this.emitOutput({
          kind: 'intent',
          signal: this.checked(
            'ControlSignal',
            this.factory.signal('turn_open_proposed', 'RK-02', at, this.currentWall, { event_scope: 'session', turn_id: newTurn, causal_parent_id: event.event_id }),
          ),
        });
        this.diagnostic('late_event_remapped', `late event for Closed turn ${event.turn_id} remapped to proposal ${newTurn}`, at, event.turn_id, event.event_id);
        return;
      }
    }
  }

  /** An output racing in after cancel: fenced, marked late_after_cancel, counted (CF-002). */
  private cancelLateOutput(turnId: string, event: EventRecord, at: number): void {
    this.lateAfterCancelDropped++;
    this.emitSignal(
      this.factory.signal('playback_cancelled', 'RK-22', at, this.currentWall, {
        turn_id: turnId,
        reason: REASON.cancelFence,
        late_after_cancel: true,
        causal_parent_id: event.event_id,
      }),
    );
  }

  private rejectStale(event: EventRecord, point: 'edge_enqueue' | 'node_dispatch', at: number): void {
    this.staleRejected++;
    this.emitDecision(
      this.factory.decision('stale_epoch_reject', 'scheduling_point', point, 'RK-24', REASON.epochMismatch, at, this.currentWall, {
        turn_id: event.turn_id,
        authority_epoch: event.authority_epoch,
      }),
    );
  }

  private rejectControlStale(s: ControlSignal, at: number, wall: number): void {
    this.staleRejected++;
    this.emitDecision(
      this.factory.decision('stale_epoch_reject', 'scheduling_point', 'edge_enqueue', 'RK-24', REASON.epochMismatch, at, wall, {
        turn_id: s.turn_id,
        authority_epoch: s.authority_epoch,
      }),
    );
  }

  private onSchedulingShed(input: SchedulingShedInput, at: number, wall: number): void {
    const turn = this.lifecycle === 'Active' ? this.turn : undefined;
    const d = this.factory.decision('shed', 'scheduling_point', input.point, 'RK-25', REASON.schedulingShed, at, wall, { turn_id: turn?.id });
    this.emitDecision(d);
    this.diagnostic(
      'scheduling_shed_detail',
      `shed at ${input.point}, fairness_key=${input.fairness_key}${input.edge_id ? `, edge=${input.edge_id}` : ''}`,
      at,
      turn?.id,
      d.event_id,
    );
    if (turn) {
      turn.evidence.decisions.push(d);
      if (input.terminate_turn) this.onStep({ failures: [{ class: 'generic', reason: REASON.schedulingShed }] }, at, wall);
    }
  }

  private onPlanChange(edgeId: string, policy: EdgeBufferPolicy, at: number): void {
    if (this.lifecycle === 'Active' || this.lifecycle === 'Opening') {
      this.diagnostic('plan_frozen_mid_turn', `edge "${edgeId}" policy change refused: the plan of turn ${this.turnId} is frozen`, at, this.turnId);
      return;
    }
    const err = validateContract('EdgeBufferPolicy', policy);
    if (err) {
      this.diagnostic('invalid_input', `plan_change policy ${err.path}: ${err.message}`, at);
      return;
    }
    this.edgeOverrides[edgeId] = deepFreeze(JSON.parse(JSON.stringify(policy)) as EdgeBufferPolicy);
  }

  /** Authority/migration markers are baseline evidence: if Stage A cannot keep one, T9 applies. */
  private recordMarker(marker: string, at: number, wall: number): void {
    const turn = this.lifecycle === 'Active' ? this.turn : undefined;
    if (!turn) return;
    if (this.stageA.appendBaseline()) turn.evidence.migrationMarkers.push(marker);
    else this.abortTurn(REASON.evidenceUnavailable, at, wall);
  }

  private recordDetail(at: number): void {
    if (this.stageA.appendDetail() === 'downgrade') {
      this.emitSignal(this.factory.signal('recording_level_downgraded', 'OR-02', at, this.currentWall, { turn_id: this.turn?.id, reason: REASON.levelDowngraded }));
    }
  }

  // ------------------------------------------------------------------ emission

  private transition(turnId: string, from: TurnState, trigger: TransitionTrigger, to: TurnState): void {
    if (!isLegalTransition(from, trigger, to)) throw new EngineInvariantError(`illegal transition ${from} --${trigger}--> ${to} (turn-engine.md §1)`);
    this.lifecycle = to;
    this.emitOutput({ kind: 'transition', turn_id: turnId, transition: { from_state: from, trigger, to_state: to, deterministic: true } });
  }

  private checked<T>(kind: ContractKind, value: T): T {
    const err = validateContract(kind, value);
    if (err) throw new EngineInvariantError(`engine built an invalid ${kind}: ${err.path}: ${err.message}${err.rule ? ` [${err.rule}]` : ''}`);
    return value;
  }

  private emitSignal(signal: ControlSignal): void {
    this.emitOutput({ kind: 'signal', signal: this.checked('ControlSignal', signal) });
  }

  private emitDecision(outcome: DecisionOutcome): void {
    this.emitOutput({ kind: 'decision', outcome: this.checked('DecisionOutcome', outcome) });
  }

  private diagnostic(code: DiagnosticCode, detail: string, _at: number, turnId?: string, eventId?: string): void {
    this.emitOutput({
      kind: 'diagnostic',
      code,
      detail,
      ...(turnId !== undefined ? { turn_id: turnId } : {}),
      ...(eventId !== undefined ? { event_id: eventId } : {}),
    });
  }

  private emitOutput(output: EngineOutput): void {
    this.sink.emit(output);
  }
}
