/**
 * The session protocol over real sockets (127.0.0.1, random ports): lifecycle, cancel fence, bad
 * frames, isolation between sessions, refusals. Case ids from conformance-cases.md where they apply.
 */
import { SessionClient, SessionRefusedError, type ServerOutput } from '../../../runtime/server/client/session-client';
import { CLOSE_CODES } from '../../../runtime/server/session/wire-protocol';
import { startTestServer, type TestServer } from './server-fixture';

const signalName = (o: ServerOutput) => (o.kind === 'signal' ? (o.signal as { signal: string }).signal : undefined);
const lifecycleSignals = (outputs: ServerOutput[], turnId: string) =>
  outputs
    .filter((o) => o.kind === 'signal' && (o.signal as { turn_id?: string }).turn_id === turnId)
    .map(signalName)
    .filter((n) => n === 'turn_open' || n === 'commit' || n === 'abort' || n === 'close');

describe('runtime server: session wire protocol', () => {
  let t: TestServer;
  const clients: SessionClient[] = [];
  const connect = async (id?: string) => {
    const c = await t.connect(id);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.terminate();
    await t.stop();
  });

  test('session frame carries the session id, the held epoch and the profile', async () => {
    const c = await connect('sess-hello');
    expect(c.hello).toEqual({
      session_id: 'sess-hello',
      authority_epoch: t.server.authorityEpoch,
      pipeline_version: 'simple/v1',
      profile: 'simple/v1',
      drain_seconds: 30,
      protocol: 'rspp.session.v1',
    });
    expect(c.socket.protocol).toBe('rspp.session.v1');
  });

  test('LC-T5/LC-T6 lifecycle over the wire: propose → turn_open, data egresses in order, playback_completed → commit, close', async () => {
    const c = await connect('sess-life');
    const e = c.envelopes;
    c.send(e.proposeTurn('t1'));
    await c.waitForSignal('turn_open', 't1');
    const sent = [e.data('t1'), e.data('t1'), e.data('t1')];
    for (const d of sent) c.send(d);
    await c.waitFor((cl) => cl.outputs().filter((o) => o.kind === 'data').length === 3, 5000, '3 data outputs');
    c.send(e.playbackCompleted('t1'));
    await c.waitForSignal('close', 't1');

    const outputs = c.outputs();
    // The internal intent never reaches the client.
    expect(outputs.some((o) => o.kind === 'intent')).toBe(false);
    const data = outputs.filter((o) => o.kind === 'data').map((o) => (o.event as { event_id: string }).event_id);
    expect(data).toEqual(sent.map((d) => d.event_id));
    expect(lifecycleSignals(outputs, 't1')).toEqual(['turn_open', 'commit', 'close']);
    const transitions = outputs.filter((o) => o.kind === 'transition').map((o) => (o.transition as { to_state: string }).to_state);
    expect(transitions).toEqual(['Opening', 'Active', 'Terminal', 'Closed']);
    // output_accepted precedes the first data output of the edge.
    const firstData = outputs.findIndex((o) => o.kind === 'data');
    const accepted = outputs.findIndex((o) => signalName(o) === 'output_accepted');
    expect(accepted).toBeGreaterThan(-1);
    expect(accepted).toBeLessThan(firstData);
    // G5: one complete OR-02 record, exported to the evidence sink, not to the client.
    await c.waitFor(() => t.evidence.appended === 1 || undefined, 2000, 'evidence record');
    const record = t.evidence.records()[0];
    expect(record).toMatchObject({ session_id: 'sess-life', turn_id: 't1', terminal_outcome: 'commit', close_emitted: true });
    expect(outputs.some((o) => o.kind === 'evidence')).toBe(false);
  });

  test('outputs are canonical JSON: keys sorted at every depth', async () => {
    const c = await connect('sess-canon');
    c.send(c.envelopes.proposeTurn('t1'));
    await c.waitForSignal('turn_open', 't1');
    const raw: string[] = [];
    c.socket.on('message', (d) => raw.push(d.toString()));
    c.send(c.envelopes.data('t1'));
    await c.waitFor((cl) => cl.outputs().some((o) => o.kind === 'data'), 5000, 'data output');
    const frame = raw.find((r) => r.includes('"kind":"data"'))!;
    const sortedDeep = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortedDeep)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedDeep((v as Record<string, unknown>)[k])]))
          : v;
    const outputs = (JSON.parse(frame) as { outputs: unknown[] }).outputs;
    const inner = frame.slice(frame.indexOf('[') + 1, frame.lastIndexOf(']'));
    expect(inner).toBe(outputs.map((o) => JSON.stringify(sortedDeep(o))).join(','));
  });

  test('CF-001/CF-003 cancel: fence closes at once, then exactly abort(cancelled), close; no DataLane egress after', async () => {
    const c = await connect('sess-cancel');
    const e = c.envelopes;
    c.send(e.proposeTurn('t1'));
    await c.waitForSignal('turn_open', 't1');
    c.send(e.data('t1'));
    await c.waitFor((cl) => cl.outputs().some((o) => o.kind === 'data'), 5000, 'first data output');
    // Cancel and, in the same frame batch, more data racing behind it.
    const cancel = e.cancel('t1');
    c.send([cancel, e.data('t1'), e.data('t1')]);
    await c.waitForSignal('close', 't1');
    await c.waitFor((cl) => cl.outputs().filter((o) => signalName(o) === 'playback_cancelled').length === 2, 5000, 'late outputs cancelled');

    const outputs = c.outputs();
    const abortAt = outputs.findIndex((o) => signalName(o) === 'abort');
    expect((outputs[abortAt].signal as { reason: string }).reason).toBe('cancelled');
    expect(lifecycleSignals(outputs, 't1')).toEqual(['turn_open', 'abort', 'close']);
    // The cancel (RK-16, caused by our cancel) precedes the terminal; no data output after it.
    const cancelAt = outputs.findIndex((o) => signalName(o) === 'cancel');
    expect(cancelAt).toBeGreaterThan(-1);
    expect(cancelAt).toBeLessThan(abortAt);
    expect((outputs[cancelAt].signal as { causal_parent_id: string }).causal_parent_id).toBe(cancel.event_id);
    expect(outputs.slice(cancelAt).some((o) => o.kind === 'data')).toBe(false);
    // CF-002: the racing outputs are fenced, marked late_after_cancel.
    const late = outputs.filter((o) => signalName(o) === 'playback_cancelled').map((o) => o.signal as Record<string, unknown>);
    expect(late.every((s) => s.late_after_cancel === true && s.reason === 'cancel_fence_applied')).toBe(true);
    // CF-004: cancel markers in the OR-02 record, and the fence histogram observed it.
    await c.waitFor(() => t.evidence.appended === 1 || undefined, 2000, 'evidence record');
    const record = t.evidence.records()[0];
    expect(record.cancel_accepted_at_ms).toBeDefined();
    expect(record.cancel_fence_applied_at_ms).toBeGreaterThanOrEqual(record.cancel_accepted_at_ms!);
    expect(record.cancel_sent_at_ms).toBeDefined();
    const metrics = (await t.get('/metrics')).body;
    expect(metrics).toContain('rspp_cancel_fence_seconds_count 1');
    expect(metrics).toContain('rspp_turn_terminals_total{terminal="abort",reason="cancelled"} 1');
  });

  test('bad frames get an error frame naming path and reason; the session continues', async () => {
    const c = await connect('sess-bad');
    const e = c.envelopes;
    c.send('{not json');
    c.send({ ...e.data('t0'), lane: 'SideLane' });
    c.send({ ...e.proposeTurn('t0'), emitted_by: 'RK-24' });
    const { turn_id: _dropped, ...noTurn } = e.data('t0');
    c.send(noTurn);
    c.send({ ...e.data('t0'), session_id: 'someone-else' });
    c.send([e.data('t0'), 42]);
    c.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    await c.waitFor((cl) => cl.errors().length >= 7, 5000, '7 error frames');
    const errors = c.errors();
    expect(errors[0]).toMatchObject({ code: 'invalid_json', path: '$' });
    expect(errors[1]).toMatchObject({ code: 'contract_violation', path: '$.lane', detail: 'bad_enum' });
    expect(errors[1].reason).toContain('SideLane');
    expect(errors[2]).toMatchObject({ code: 'contract_violation', path: '$.emitted_by', detail: 'rule_violation control_signal.registry' });
    expect(errors[3]).toMatchObject({ code: 'contract_violation', path: '$.turn_id' });
    expect(errors[4]).toMatchObject({ code: 'session_mismatch', path: '$.session_id' });
    expect(errors[5]).toMatchObject({ code: 'invalid_json', path: '$[1]' });
    expect(errors[6]).toMatchObject({ code: 'binary_frame', path: '$' });
    // The valid half of the batch was processed (no active turn → diagnostic), and the session still works.
    c.send(e.proposeTurn('t1'));
    await c.waitForSignal('turn_open', 't1');
    expect(c.socket.readyState).toBe(c.socket.OPEN);
    const metrics = (await t.get('/metrics')).body;
    expect(metrics).toContain('rspp_ingress_frame_errors_total{code="contract_violation"} 3');
  });

  test('sessions are isolated: a bad frame or a cancel in one does not touch another', async () => {
    const [a, b] = await Promise.all([connect('sess-a'), connect('sess-b')]);
    a.send(a.envelopes.proposeTurn('t1'));
    b.send(b.envelopes.proposeTurn('t1'));
    await Promise.all([a.waitForSignal('turn_open', 't1'), b.waitForSignal('turn_open', 't1')]);
    a.send('garbage');
    a.send(a.envelopes.cancel('t1'));
    await a.waitForSignal('close', 't1');
    // A frame stamped with b's session id sent over a's socket is refused, not routed to b.
    a.send({ ...b.envelopes.data('t1') });
    await a.waitFor((cl) => cl.errors().some((er) => er.code === 'session_mismatch'), 5000, 'session_mismatch');
    b.send(b.envelopes.data('t1'));
    b.send(b.envelopes.playbackCompleted('t1'));
    await b.waitForSignal('close', 't1');
    expect(b.errors()).toEqual([]);
    expect(lifecycleSignals(b.outputs(), 't1')).toEqual(['turn_open', 'commit', 'close']);
    expect(b.outputs().filter((o) => o.kind === 'data')).toHaveLength(1);
    expect(lifecycleSignals(a.outputs(), 't1')).toEqual(['turn_open', 'abort', 'close']);
    expect(a.outputs().filter((o) => o.kind === 'data')).toHaveLength(0);
  });

  test('AE-001 a proposal carrying a stale epoch gets stale_epoch_reject only: no turn_open, abort or close', async () => {
    const c = await connect('sess-stale');
    c.send({ ...c.envelopes.proposeTurn('t1'), authority_epoch: c.hello.authority_epoch + 1 });
    const decision = await c.waitFor(
      (cl) => cl.outputs().find((o) => o.kind === 'decision'),
      5000,
      'a pre-turn decision',
    );
    expect(decision.outcome).toMatchObject({ outcome_kind: 'stale_epoch_reject', phase: 'pre_turn', emitted_by: 'RK-24', reason: 'authority_epoch_mismatch' });
    expect(lifecycleSignals(c.outputs(), 't1')).toEqual([]);
    // The session is still usable with the right epoch.
    c.send(c.envelopes.proposeTurn('t2'));
    await c.waitForSignal('turn_open', 't2');
  });

  test('refusals: duplicate session id (4009), invalid session id (1008), wrong path (404)', async () => {
    await connect('sess-dup');
    await expect(t.connect('sess-dup')).rejects.toMatchObject({ code: CLOSE_CODES.sessionConflict });
    await expect(t.connect('bad id!')).rejects.toMatchObject({ code: CLOSE_CODES.policyViolation });
    await expect(SessionClient.connect(`ws://127.0.0.1:${t.server.sessionPort}/elsewhere`)).rejects.toThrow(/404/);
    const err = await t.connect('sess-dup').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionRefusedError);
  });

  test('a client that vanishes mid-turn ends the turn as a transport failure (F6) and frees the session', async () => {
    const c = await connect('sess-vanish');
    c.send(c.envelopes.proposeTurn('t1'));
    await c.waitForSignal('turn_open', 't1');
    c.socket.terminate();
    await c.closed;
    await c.waitFor(() => (t.server.sessionCount === 0 && t.evidence.appended === 1) || undefined, 5000, 'session freed');
    expect(t.evidence.records()[0]).toMatchObject({ terminal_outcome: 'abort', terminal_reason: 'transport_disconnect_or_stall' });
  });
});
