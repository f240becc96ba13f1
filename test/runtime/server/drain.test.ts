/**
 * Graceful drain with turns in flight, driven through `drain()` (what SIGTERM calls).
 */
import { SessionClient, type ServerOutput } from '../../../runtime/server/client/session-client';
import { CLOSE_CODES } from '../../../runtime/server/session/wire-protocol';
import { startTestServer, type TestServer } from './server-fixture';

const signalsOf = (outputs: ServerOutput[], turnId: string) =>
  outputs
    .filter((o) => o.kind === 'signal' && (o.signal as { turn_id?: string }).turn_id === turnId)
    .map((o) => (o.signal as { signal: string; reason?: string }).signal + ((o.signal as { reason?: string }).reason ? `(${(o.signal as { reason: string }).reason})` : ''));

describe('runtime server: drain', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  test('readiness fails at once, new sessions are refused, finishing turns complete, the rest abort at the deadline', async () => {
    t = await startTestServer({ drainSeconds: 2 });
    const [idle, finishing, stuck] = await Promise.all([t.connect('d-idle'), t.connect('d-finish'), t.connect('d-stuck')]);
    for (const c of [finishing, stuck]) c.send(c.envelopes.proposeTurn('t1'));
    await Promise.all([finishing.waitForSignal('turn_open', 't1'), stuck.waitForSignal('turn_open', 't1')]);
    for (const c of [finishing, stuck]) c.send(c.envelopes.data('t1'));
    await stuck.waitFor((c) => c.outputs().some((o) => o.kind === 'data'), 5000, 'data before drain');

    const started = performance.now();
    const drained = t.server.drain();

    // Readiness drops at once, liveness stays.
    const ready = await t.get('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).checks).toEqual({ lease_held: true, store_reachable: true, not_draining: false });
    expect((await t.get('/healthz')).status).toBe(200);
    expect((await t.get('/metrics')).body).toContain('rspp_draining 1');

    // New sessions are refused with a clear code and reason.
    const refused = await SessionClient.connect(SessionClient.url('127.0.0.1', t.server.sessionPort, 'd-late')).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: CLOSE_CODES.tryAgainLater });
    expect((refused as { reason: string }).reason).toMatch(/^draining:/);

    // An idle session is closed straight away.
    const idleClose = await idle.closed;
    expect(idleClose.code).toBe(CLOSE_CODES.goingAway);

    // A new turn proposed on a draining replica is refused by local admission, not opened.
    finishing.send(finishing.envelopes.data('t1'));
    await finishing.waitFor((c) => c.outputs().filter((o) => o.kind === 'data').length === 2, 5000, 'data during drain');
    finishing.send(finishing.envelopes.playbackCompleted('t1'));
    const finishClose = await finishing.closed;
    expect(finishClose.code).toBe(CLOSE_CODES.goingAway);
    expect(signalsOf(finishing.outputs(), 't1')).toEqual(['turn_open', 'output_accepted', 'playback_completed', 'commit', 'close']);

    const stuckClose = await stuck.closed;
    const report = await drained;
    const elapsed = performance.now() - started;
    expect(stuckClose).toEqual({ code: CLOSE_CODES.goingAway, reason: expect.stringMatching(/^drain_deadline:/) });
    // The aborted turn ends with the T8 sequence, delivered before the close.
    const stuckOutputs = stuck.outputs();
    expect(signalsOf(stuckOutputs, 't1').slice(-2)).toEqual(['abort(authority_loss)', 'close']);
    expect(
      stuckOutputs.some(
        (o) => o.kind === 'decision' && (o.outcome as { outcome_kind: string; reason: string }).outcome_kind === 'deauthorized_drain',
      ),
    ).toBe(true);

    expect(report).toMatchObject({ deadlineMs: 2000, turnsInFlightAtStart: 2, turnsFinished: 1, turnsAborted: 1, sessionsClosed: 3 });
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(5000);
    // Evidence for both turns was flushed; the lease was released for a successor.
    expect(t.evidence.records().map((r) => [r.session_id, r.terminal_outcome, r.terminal_reason ?? null]).sort()).toEqual([
      ['d-finish', 'commit', null],
      ['d-stuck', 'abort', 'authority_loss'],
    ]);
    const state = await t.store.inspect('runtime-placements/local/test-pod');
    expect(state.holder).toBeUndefined();
    // Listeners are closed.
    await expect(fetch(`http://127.0.0.1:${t.server.adminPort}/healthz`)).rejects.toThrow();
  });

  test('a proposal made during drain is rejected by local admission (admission_capacity_reject)', async () => {
    t = await startTestServer({ drainSeconds: 1 });
    const c = await t.connect('d-propose');
    c.send(c.envelopes.proposeTurn('t1'));
    await c.waitForSignal('turn_open', 't1');
    const drained = t.server.drain();
    // The turn in flight keeps the session open; it commits and a second proposal is refused.
    c.send([c.envelopes.playbackCompleted('t1'), c.envelopes.proposeTurn('t2')]);
    await c.closed;
    await drained;
    const decisions = c.outputs().filter((o) => o.kind === 'decision').map((o) => o.outcome as { outcome_kind: string; reason: string; turn_id?: string });
    expect(decisions).toContainEqual(expect.objectContaining({ outcome_kind: 'reject', reason: 'admission_capacity_reject', turn_id: 't2' }));
    expect(c.outputs().some((o) => o.kind === 'signal' && (o.signal as { signal: string; turn_id: string }).signal === 'turn_open' && (o.signal as { turn_id: string }).turn_id === 't2')).toBe(false);
  });

  test('drain with nothing in flight finishes at once and is idempotent', async () => {
    t = await startTestServer({ drainSeconds: 30 });
    await t.connect('d-quick');
    const [a, b] = await Promise.all([t.server.drain(), t.server.drain()]);
    expect(a).toBe(b);
    expect(a).toMatchObject({ turnsInFlightAtStart: 0, turnsAborted: 0, sessionsClosed: 1 });
    expect(a.durationMs).toBeLessThan(2000);
  });
});
