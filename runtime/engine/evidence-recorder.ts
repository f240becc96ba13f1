/**
 * OR-02 evidence (`turn-engine.md` §9). Stage A is a bounded, non-blocking local append log:
 * `StageALog` counts entries against a capacity and always keeps a reserve for the baseline
 * terminal evidence (`abort(recording_evidence_unavailable)` + `close`). Detail (drop lineage at
 * L1/L2) is shed first, with one `recording_level_downgraded`; levels never auto-upgrade.
 * `TurnEvidence` accumulates one accepted turn's baseline record. Stage B (export) is the host's:
 * the record is handed over in the `evidence` output right after `close`.
 */
import {
  encodeCanonical,
  PAYLOAD_CLASSES,
  type DecisionOutcome,
  type InvocationOutcome,
  type Or02BaselineRecord,
  type PayloadClass,
  type RecordingLevel,
  type RedactionAction,
  type ResolvedTurnPlan,
} from '../contracts/v1';

/** Entries always kept free for the terminal pair (abort + close). */
export const TERMINAL_RESERVE = 2;

export class StageALog {
  private used = 0;
  private writable = true;
  constructor(readonly capacity: number, public level: RecordingLevel) {
    if (!Number.isInteger(capacity) || capacity < TERMINAL_RESERVE + 2) {
      throw new RangeError(`evidence_capacity must be an integer >= ${TERMINAL_RESERVE + 2}, got ${capacity}`);
    }
  }

  get entries(): number {
    return this.used;
  }

  get available(): boolean {
    return this.writable;
  }

  setAvailable(available: boolean): void {
    this.writable = available;
  }

  /** Baseline evidence (plan hash, decisions, authority): may use all but the terminal reserve. */
  appendBaseline(): boolean {
    if (!this.writable || this.used >= this.capacity - TERMINAL_RESERVE) return false;
    this.used++;
    return true;
  }

  /** Terminal pair: uses the reserve, so it succeeds whenever the log is writable. */
  appendTerminal(): boolean {
    if (!this.writable || this.used >= this.capacity) return false;
    this.used++;
    return true;
  }

  /** The forced `abort(recording_evidence_unavailable)` + `close`: always fits the reserve. */
  appendForcedTerminal(): void {
    this.used = Math.min(this.capacity, this.used + 1);
  }

  /**
   * Non-critical detail: only above L0 and only while it leaves half the log for baseline.
   * Returns 'kept', 'skipped' (L0) or 'downgrade' (caller emits recording_level_downgraded once).
   */
  appendDetail(): 'kept' | 'skipped' | 'downgrade' {
    if (this.level === 'L0') return 'skipped';
    if (this.writable && this.used < this.capacity / 2) {
      this.used++;
      return 'kept';
    }
    this.level = this.level === 'L2' ? 'L1' : 'L0';
    return 'downgrade';
  }

  /** Stage B took the turn's record: its entries are released. */
  release(): void {
    this.used = 0;
  }
}

/** Default redaction per payload class (L0 keeps no raw content). */
export const DEFAULT_REDACTION: { readonly [C in PayloadClass]: RedactionAction } = Object.freeze({
  PII: 'mask',
  PHI: 'drop',
  audio_raw: 'drop',
  text_raw: 'mask',
  derived_summary: 'allow',
  metadata: 'allow',
});

/** Bit per payload class, for allocation-free tagging on the data path. */
export const PAYLOAD_BIT: { readonly [C in PayloadClass]: number } = Object.freeze(
  Object.fromEntries(PAYLOAD_CLASSES.map((c, i) => [c, 1 << i])) as { [C in PayloadClass]: number },
);

export class TurnEvidence {
  readonly decisions: DecisionOutcome[] = [];
  readonly invocations: InvocationOutcome[] = [];
  readonly migrationMarkers: string[] = [];
  payloadBits = PAYLOAD_BIT.metadata;
  firstOutputAt = -1;
  cancelSentAt = -1;
  cancelAcceptedAt = -1;
  cancelFenceAt = -1;
  cancelAckAt = -1;
  acceptedStaleEpochOutput = false;

  constructor(
    readonly sessionId: string,
    readonly plan: ResolvedTurnPlan,
    readonly proposalEventId: string,
    readonly proposedAt: number,
    readonly openedAt: number,
    readonly authorityEpoch: number,
  ) {}

  finalize(terminal: 'commit' | 'abort', reason: string | undefined, closeEmitted: boolean): Or02BaselineRecord {
    const tags = PAYLOAD_CLASSES.filter((c) => (this.payloadBits & PAYLOAD_BIT[c]) !== 0);
    const plan = this.plan;
    const record: Or02BaselineRecord = {
      session_id: this.sessionId,
      turn_id: plan.turn_id,
      pipeline_version: plan.pipeline_version,
      event_id: this.proposalEventId,
      envelope_snapshot: encodeCanonical({
        session_id: this.sessionId,
        turn_id: plan.turn_id,
        event_id: this.proposalEventId,
        pipeline_version: plan.pipeline_version,
        authority_epoch: this.authorityEpoch,
      }),
      payload_tags: tags,
      redaction_decisions: tags.map((c) => ({ payload_class: c, action: DEFAULT_REDACTION[c] })),
      plan_hash: plan.plan_hash,
      snapshot_provenance: plan.snapshot_provenance,
      decision_outcomes: [...this.decisions],
      invocation_outcomes: [...this.invocations],
      determinism_seed: plan.determinism.seed,
      ordering_markers: plan.determinism.ordering_markers,
      merge_rule_id: plan.determinism.merge_rule_id,
      merge_rule_version: plan.determinism.merge_rule_version,
      authority_epoch: this.authorityEpoch,
      ...(this.migrationMarkers.length > 0 ? { migration_markers: [...this.migrationMarkers] } : {}),
      terminal_outcome: terminal,
      ...(reason !== undefined ? { terminal_reason: reason } : {}),
      close_emitted: closeEmitted,
      turn_open_proposed_at_ms: this.proposedAt,
      turn_open_at_ms: this.openedAt,
      ...(this.firstOutputAt >= 0 ? { first_output_at_ms: this.firstOutputAt } : {}),
      ...(this.cancelAcceptedAt >= 0
        ? {
            cancel_sent_at_ms: this.cancelSentAt,
            cancel_accepted_at_ms: this.cancelAcceptedAt,
            cancel_fence_applied_at_ms: this.cancelFenceAt,
          }
        : {}),
      ...(this.cancelAckAt >= 0 ? { cancel_ack_at_ms: this.cancelAckAt } : {}),
      accepted_stale_epoch_output: this.acceptedStaleEpochOutput,
    };
    return record;
  }
}
