/**
 * Issue #15: the session server against hostile clients, attacked from outside. One real server
 * process (`runtime/server/main.ts`, in-memory lease at epoch 1, 127.0.0.1, random ports); the
 * client is the `ws` package and hand-written JSON: nothing here imports the server's code (the
 * process helpers live in the hostile bench, which imports only Node built-ins).
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { budgetCloses, clientTextFrame, rawConnect, runAttack, warmUp, startServerProcess, type ServerProcess } from '../../../runtime/server/bench/hostile-client-bench';

jest.setTimeout(120_000);

type Frame = { type: string; [k: string]: unknown };
type Output = { kind: string; [k: string]: unknown };
type Sig = { signal: string; authority_epoch?: number; runtime_sequence: number; edge_id?: string; event_id: string; wall_clock_timestamp_ms: number; [k: string]: unknown };

let server: ServerProcess;
beforeAll(async () => {
  // A 2 MiB young-generation semi-space keeps V8's young-generation sizing (up to 3 × 16 MiB of
  // RSS by default, whatever the traffic) out of the RSS figure: what remains is what the
  // connection makes the server hold. `npm run bench:hostile` reports the default-flag figures.
  server = await startServerProcess({ NODE_OPTIONS: '--max-semi-space-size=2' });
});
afterAll(async () => {
  await server?.stop();
});

let sessionCounter = 0;

/** A raw session: every frame the server sent, parsed. */
class Raw {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];
  seq = 0;
  closed: Promise<{ code: number; reason: string }>;
  private constructor(
    readonly ws: WebSocket,
    readonly sid: string,
    readonly epoch: number,
  ) {
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static connect(): Promise<Raw> {
    const sid = `hostile-${process.pid}-${++sessionCounter}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.sessionPort}/v1/sessions?session_id=${sid}`);
      ws.once('error', reject);
      ws.once('message', (data) => {
        const hello = JSON.parse(data.toString()) as { authority_epoch: number };
        resolve(new Raw(ws, sid, hello.authority_epoch));
      });
    });
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  get outputs(): Output[] {
    return this.frames.filter((f) => f.type === 'outputs').flatMap((f) => f.outputs as Output[]);
  }
  get signals(): Sig[] {
    return this.outputs.filter((o) => o.kind === 'signal').map((o) => o.signal as Sig);
  }
  get errors(): Frame[] {
    return this.frames.filter((f) => f.type === 'error');
  }

  async until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** Sends a marker round trip (a proposal the engine refuses while busy → diagnostic) to know all earlier frames were answered. */
  async sync(): Promise<void> {
    const id = `sync-${++this.seq}`;
    this.send({ ...this.base(id), event_scope: 'session', lane: 'ControlLane', payload_class: 'metadata', authority_epoch: this.epoch, signal: 'stop', emitted_by: 'RK-06' });
    await this.until(() => JSON.stringify(this.frames).includes(`"${id}"`), `answer to ${id}`);
  }

  base(eventId: string, seq = ++this.seq): Record<string, unknown> {
    return {
      schema_version: 'v1.0',
      session_id: this.sid,
      pipeline_version: 'simple/v1',
      event_id: eventId,
      transport_sequence: seq,
      runtime_sequence: seq,
      runtime_timestamp_ms: 1,
      wall_clock_timestamp_ms: 1,
    };
  }
  signal(signal: string, emittedBy: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      ...this.base(`${signal}-${++this.seq}`),
      event_scope: fields.turn_id !== undefined && signal !== 'turn_open_proposed' ? 'turn' : 'session',
      lane: 'ControlLane',
      payload_class: 'metadata',
      authority_epoch: this.epoch,
      signal,
      emitted_by: emittedBy,
      ...fields,
    };
  }
  data(turnId: string, seq: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
    return { ...this.base(`d-${turnId}-${seq}-${++this.seq}`, seq), event_scope: 'turn', turn_id: turnId, lane: 'DataLane', payload_class: 'text_raw', authority_epoch: this.epoch, ...fields };
  }
  async open(turnId: string): Promise<void> {
    this.send(this.signal('turn_open_proposed', 'RK-02', { turn_id: turnId }));
    await this.until(() => this.signals.some((s) => s.signal === 'turn_open' && s.turn_id === turnId), `turn_open ${turnId}`);
  }
}

/**
 * Every ControlLane signal of contracts.md §4 with a valid field set, minus the client allow-list
 * (turn_open_proposed RK-02; cancel/barge_in/stop RK-06; playback_started/playback_completed
 * RK-22|RK-23). Each must be refused with `not_accepted_from_client` naming it.
 */
const edge = { edge_id: 'default', target_lane: 'DataLane' };
const REFUSED: readonly [string, string, Record<string, unknown>][] = [
  ['turn_open', 'RK-03', { turn_id: 'x' }],
  ['commit', 'RK-03', { turn_id: 'x' }],
  ['abort', 'RK-03', { turn_id: 'x', reason: 'cancelled' }],
  ['close', 'RK-03', { turn_id: 'x' }],
  ['watermark', 'RK-13', { ...edge, reason: 'r' }],
  ['budget_warning', 'RK-17', { reason: 'r' }],
  ['budget_exhausted', 'RK-17', { reason: 'r' }],
  ['degrade', 'RK-17', { reason: 'r' }],
  ['fallback', 'RK-13', { reason: 'r' }],
  ['discontinuity', 'RK-15', { sync_domain: 's', discontinuity_id: 'd', reason: 'r' }],
  ['drop_notice', 'RK-12', { ...edge, reason: 'r', seq_range: { start: 1, end: 2 } }],
  ['flow_xoff', 'RK-14', { ...edge, reason: 'r' }],
  ['flow_xon', 'RK-14', edge],
  ['credit_grant', 'RK-14', { ...edge, amount: 5 }],
  ['provider_error', 'RK-11', { reason: 'r' }],
  ['circuit_event', 'RK-11', { reason: 'r' }],
  ['provider_switch', 'RK-11', { reason: 'r' }],
  ['lease_issued', 'CP-07', { authority_epoch: 2 }],
  ['lease_rotated', 'CP-07', { authority_epoch: 2 }],
  ['migration_start', 'CP-08', {}],
  ['migration_finish', 'CP-08', {}],
  ['session_handoff', 'CP-08', {}],
  ['admit', 'CP-05', { reason: 'r' }],
  ['reject', 'RK-25', { reason: 'r' }],
  ['defer', 'CP-05', { reason: 'r' }],
  ['shed', 'RK-25', { reason: 'r' }],
  ['stale_epoch_reject', 'RK-24', { reason: 'r' }],
  ['deauthorized_drain', 'RK-24', { reason: 'r' }],
  ['connected', 'RK-23', {}],
  ['reconnecting', 'RK-23', {}],
  ['disconnected', 'RK-23', {}],
  ['ended', 'RK-23', {}],
  ['silence', 'RK-23', {}],
  ['stall', 'RK-23', {}],
  ['output_accepted', 'RK-22', { turn_id: 'x' }],
  ['playback_cancelled', 'RK-22', { turn_id: 'x' }],
  ['recording_level_downgraded', 'OR-02', { reason: 'r' }],
  // Allowed signals with an emitter the registry allows but a client may not claim (propagation).
  ['cancel', 'RK-16', { scope: 'turn', turn_id: 'x' }],
  ['barge_in', 'RK-16', { turn_id: 'x' }],
  ['stop', 'RK-16', {}],
];

describe('issue #15 over real sockets to a real server process', () => {
  test.each(REFUSED)('%s from %s is refused with an error naming the signal', async (signal, emitter, fields) => {
    const c = await Raw.connect();
    const envelope = c.signal(signal, emitter, fields);
    c.send(envelope);
    await c.until(() => c.errors.length > 0, 'error');
    expect(c.errors[0]).toMatchObject({ code: 'not_accepted_from_client', detail: signal, event_id: envelope.event_id });
    expect(String(c.errors[0].reason)).toContain(`"${signal}"`);
    expect(c.outputs).toEqual([]);
    c.ws.close();
  });

  test('a forged lease_issued cannot move the session to epoch 2: epoch-2 data refused (naming it), epoch-1 data flows, every signal at epoch 1', async () => {
    const c = await Raw.connect();
    expect(c.epoch).toBe(1);
    await c.open('t1');
    c.send(c.signal('lease_issued', 'CP-07', { authority_epoch: 2 }));
    const forged = c.data('t1', 1, { authority_epoch: 2 });
    c.send(forged);
    const good = c.data('t1', 2);
    c.send(good);
    await c.until(() => c.outputs.some((o) => o.kind === 'data'), 'data output');
    c.send(c.signal('cancel', 'RK-06', { turn_id: 't1', scope: 'turn' }));
    await c.until(() => c.signals.some((s) => s.signal === 'close'), 'close');
    expect(c.errors[0]).toMatchObject({ code: 'not_accepted_from_client', detail: 'lease_issued' });
    const stale = c.outputs.find((o) => o.kind === 'decision' && (o.outcome as { outcome_kind: string }).outcome_kind === 'stale_epoch_reject');
    expect(stale).toMatchObject({ event_id: forged.event_id });
    const data = c.outputs.filter((o) => o.kind === 'data').map((o) => (o.event as { event_id: string }).event_id);
    expect(data).toEqual([good.event_id]);
    expect(c.signals.map((s) => s.signal)).toEqual(['turn_open', 'output_accepted', 'cancel', 'abort', 'close']);
    for (const s of c.signals) expect(s.authority_epoch).toBe(1);
    const metrics = await server.metrics();
    expect(metrics).toMatch(/^rspp_stale_epoch_outputs_accepted_total 0$/m);
    c.ws.close();
  });

  test('property: no client input sequence changes the session epoch', async () => {
    const kinds = REFUSED.map(([s, e, f]) => ({ s, e, f }));
    const input = fc.array(
      fc.oneof(
        fc.record({ k: fc.constant('signal' as const), i: fc.nat(kinds.length - 1), epoch: fc.integer({ min: 0, max: 5 }) }),
        fc.record({ k: fc.constant('propose' as const), epoch: fc.integer({ min: 0, max: 5 }) }),
        fc.record({ k: fc.constant('data' as const), epoch: fc.integer({ min: 0, max: 5 }), seq: fc.integer({ min: 1, max: 50 }) }),
        fc.record({ k: fc.constant('cancel' as const), epoch: fc.integer({ min: 0, max: 5 }) }),
        fc.record({ k: fc.constant('marker' as const), epoch: fc.integer({ min: 0, max: 5 }) }),
      ),
      { maxLength: 25 },
    );
    await fc.assert(
      fc.asyncProperty(input, async (steps) => {
        const c = await Raw.connect();
        let turn = 0;
        for (const step of steps) {
          const tid = `p${turn}`;
          if (step.k === 'signal') {
            const { s, e, f } = kinds[step.i];
            c.send(c.signal(s, e, { authority_epoch: step.epoch, ...f, ...(s.startsWith('lease') || s.startsWith('migration') || s === 'session_handoff' ? { authority_epoch: step.epoch + 1 } : {}) }));
          } else if (step.k === 'propose') c.send(c.signal('turn_open_proposed', 'RK-02', { turn_id: `p${++turn}`, authority_epoch: step.epoch }));
          else if (step.k === 'data') c.send(c.data(tid, step.seq, { authority_epoch: step.epoch }));
          else if (step.k === 'cancel') c.send(c.signal('cancel', 'RK-06', { turn_id: tid, scope: 'turn', authority_epoch: step.epoch }));
          else c.send(c.signal('playback_started', 'RK-22', { turn_id: tid, authority_epoch: step.epoch }));
        }
        await c.sync(); // `stop` at the lease epoch ends any active turn
        await c.open('final');
        for (const s of c.signals) expect(s.authority_epoch).toBe(1);
        c.ws.close();
      }),
      { numRuns: 30 },
    );
  });

  test('ControlLane runtime_sequence strictly increases per stream under a barge-in storm with client markers; wall clock on output_accepted and late playback_cancelled', async () => {
    const c = await Raw.connect();
    const before = Date.now();
    for (let t = 1; t <= 20; t++) {
      const tid = `s${t}`;
      c.send(c.signal('turn_open_proposed', 'RK-02', { turn_id: tid }));
      c.send(c.data(tid, t * 10));
      // Client markers with a constant, low sequence: echoed, but numbered by the server.
      c.send({ ...c.signal('playback_started', 'RK-22', { turn_id: tid }), runtime_sequence: 1, transport_sequence: 1 });
      c.send(c.signal('barge_in', 'RK-06', { turn_id: tid }));
      c.send(c.signal('playback_started', 'RK-22', { turn_id: tid })); // late, after the cancel
    }
    await c.until(() => c.signals.filter((s) => s.signal === 'close').length === 20, '20 closes');
    const last = new Map<string, number>();
    for (const s of c.signals) {
      const key = s.edge_id ?? '';
      expect(s.runtime_sequence).toBeGreaterThan(last.get(key) ?? 0);
      last.set(key, s.runtime_sequence);
    }
    const wallStamped = c.signals.filter((s) => s.signal === 'output_accepted' || (s.signal === 'playback_cancelled' && s.late_after_cancel === true));
    expect(wallStamped.length).toBeGreaterThanOrEqual(40);
    for (const s of wallStamped) {
      expect(s.wall_clock_timestamp_ms).toBeGreaterThanOrEqual(before - 1);
      expect(s.wall_clock_timestamp_ms).toBeLessThanOrEqual(Date.now());
    }
    c.ws.close();
  });

  test('duplicate DataLane event_id, an id in the server namespace, and a new turn restarting sequences are refused naming the id', async () => {
    const c = await Raw.connect();
    await c.open('t1');
    const first = c.data('t1', 1);
    c.send(first);
    c.send({ ...c.data('t1', 2), event_id: first.event_id });
    const reserved = { ...c.data('t1', 3), event_id: `${c.sid}/ctl/1` };
    c.send(reserved);
    c.send(c.signal('playback_completed', 'RK-22', { turn_id: 't1' }));
    await c.open('t2');
    const restart = c.data('t2', 1);
    c.send(restart);
    await c.sync();
    expect(c.errors.map((e) => [e.code, e.event_id])).toEqual([
      ['duplicate_event_id', first.event_id],
      ['reserved_event_id', `${c.sid}/ctl/1`],
      ['sequence_regression', restart.event_id],
    ]);
    for (const e of c.errors) expect(String(e.reason)).toContain(String(e.event_id));
    expect(c.outputs.filter((o) => o.kind === 'data')).toHaveLength(1);
    c.ws.close();
  });

  test('one error frame per ingress frame, capped; empty batch and TelemetryLane answered', async () => {
    const c = await Raw.connect();
    c.send(JSON.stringify(Array.from({ length: 256 }, (_, i) => ({ lane: 'x', event_id: `bad-${i}` }))));
    c.send('[]');
    const telemetry = { ...c.base('tel-1'), event_scope: 'session', lane: 'TelemetryLane', payload_class: 'metadata' };
    c.send(telemetry);
    await c.until(() => c.errors.length >= 2 && c.outputs.some((o) => o.kind === 'telemetry'), 'answers');
    expect(c.errors).toHaveLength(2);
    expect(c.errors[0]).toMatchObject({ code: 'frame_errors', count: 256 });
    expect(c.errors[0].errors as unknown[]).toHaveLength(16);
    expect((c.errors[0].errors as { path: string }[])[15].path).toMatch(/^\$\[15\]/);
    expect(c.errors[1]).toMatchObject({ code: 'empty_batch', path: '$' });
    expect(c.outputs.find((o) => o.kind === 'telemetry')).toEqual({ kind: 'telemetry', event_id: 'tel-1', verdict: 'accepted' });
    c.ws.close();
  });

  test('a connection that never reads is closed 4008 after its egress budget bound, counted; server RSS stays bounded', async () => {
    await warmUp(server, 'markers', 3);
    const closesBefore = budgetCloses(await server.metrics());
    const result = await runAttack(server, 'markers', 15);
    // eslint-disable-next-line no-console
    console.log(`hostile 'markers' connection: ${JSON.stringify(result)}`);
    expect(result.closedAfterMs).toBeDefined();
    expect(result.closedAfterMs!).toBeLessThan(15_000);
    // Target 16 MiB (issue #15; `npm run bench:hostile` prints the figure). The assertion leaves
    // room for V8 heap-growth noise on a shared machine (seen: 1-24 MiB); before the egress
    // budget the same attack grew the server by > 1 GiB in 20 s and was never closed.
    expect(result.rssRiseMiB).toBeLessThanOrEqual(40);
    expect(budgetCloses(await server.metrics())).toBe(closesBefore + 1);
    // The server still serves others.
    const c = await Raw.connect();
    await c.open('after');
    c.ws.close();
  });

  test('ControlLane overtakes DataLane not yet written: nothing of the turn after its abort, drop notices name exactly the data never sent', async () => {
    const sid = `overtake-${process.pid}`;
    const conn = await rawConnect(server.sessionPort, sid, false);
    const env = (id: string, seq: number) => ({ schema_version: 'v1.0', session_id: sid, pipeline_version: 'simple/v1', event_id: id, transport_sequence: seq, runtime_sequence: seq, runtime_timestamp_ms: 0, wall_clock_timestamp_ms: 0 });
    const ctl = (id: string, signal: string, emittedBy: string, fields: Record<string, unknown>) => ({ ...env(id, 1), event_scope: 'turn', lane: 'ControlLane', payload_class: 'metadata', authority_epoch: 1, signal, emitted_by: emittedBy, ...fields });
    conn.socket.write(clientTextFrame(JSON.stringify({ ...ctl('open', 'turn_open_proposed', 'RK-02', { turn_id: 't1' }), event_scope: 'session' })));
    // ~14 MB of DataLane output: more than the loopback kernel buffers hold, so the server queues.
    const total = 240 * 150;
    for (let b = 0; b < 240; b++) {
      const batch = Array.from({ length: 150 }, (_, i) => {
        const seq = b * 150 + i + 1;
        return { ...env(`d${seq}`, seq), event_scope: 'turn', turn_id: 't1', lane: 'DataLane', payload_class: 'text_raw', authority_epoch: 1 };
      });
      conn.socket.write(clientTextFrame(JSON.stringify(batch)));
      await new Promise((r) => setTimeout(r, 2));
    }
    // The cancel right behind the data, while the server still holds DataLane output not yet written.
    conn.socket.write(clientTextFrame(JSON.stringify(ctl('c1', 'cancel', 'RK-06', { turn_id: 't1', scope: 'turn' }))));
    await new Promise((r) => setTimeout(r, 500));
    conn.socket.resume();
    await new Promise((r) => setTimeout(r, 1500));
    conn.socket.destroy();
    const frames = parseServerFrames(Buffer.concat(conn.received));
    const outputs = frames.filter((f) => f.type === 'outputs').flatMap((f) => f.outputs as Output[]);
    const signalNames = outputs.filter((o) => o.kind === 'signal').map((o) => (o.signal as Sig).signal);
    // The turn ends cancel, [drop notices of the purged egress queue], abort, close.
    const cancelAt = signalNames.lastIndexOf('cancel');
    expect(signalNames.slice(cancelAt).filter((n) => n !== 'drop_notice')).toEqual(['cancel', 'abort', 'close']);
    const abortAt = outputs.findIndex((o) => o.kind === 'signal' && (o.signal as Sig).signal === 'abort');
    expect(outputs.slice(abortAt).filter((o) => o.kind === 'data')).toEqual([]);
    const received = outputs.filter((o) => o.kind === 'data').map((o) => (o.event as { runtime_sequence: number }).runtime_sequence);
    // Order within the DataLane unchanged.
    expect(received).toEqual([...received].sort((a, b) => a - b));
    const notices = outputs
      .filter((o) => o.kind === 'signal' && (o.signal as Sig).signal === 'drop_notice')
      .map((o) => o.signal as Sig & { seq_range: { start: number; end: number }; reason: string });
    // DataLane output still queued in the server's egress (behind the window) when the cancel came
    // was dropped there, not sent ahead of the cancel: named by the server's own drop notices.
    const purged = notices.filter((n) => n.event_id.startsWith(`${sid}/egress/`));
    expect(purged.length).toBeGreaterThan(0);
    for (const n of purged) expect(n).toMatchObject({ emitted_by: 'RK-12', reason: 'cancel_fence_applied', causal_parent_id: expect.any(String), target_lane: 'DataLane' });
    const covered = new Array<number>(total + 1).fill(0);
    for (const seq of received) covered[seq]++;
    for (const n of notices) for (let q = n.seq_range.start; q <= n.seq_range.end; q++) covered[q]++;
    // Every data event is either delivered or named by exactly one drop notice.
    expect(covered.slice(1).filter((c) => c !== 1)).toEqual([]);
  });
});

/** Parses server→client WebSocket frames (unmasked text/close) from the raw bytes a client read. */
function parseServerFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  let i = 0;
  while (i + 2 <= bytes.length) {
    const opcode = bytes[i] & 0x0f;
    let len = bytes[i + 1] & 0x7f;
    let at = i + 2;
    if (len === 126) {
      len = bytes.readUInt16BE(at);
      at += 2;
    } else if (len === 127) {
      len = Number(bytes.readBigUInt64BE(at));
      at += 8;
    }
    if (at + len > bytes.length) break;
    if (opcode === 1) frames.push(JSON.parse(bytes.toString('utf8', at, at + len)) as Frame);
    i = at + len;
  }
  return frames;
}
