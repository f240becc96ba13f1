import { decodeWith, EventRecordSchema } from '../../../../runtime/contracts/v1';
import { SessionEnvelopes } from '../../../../runtime/server/client/session-envelopes';
import { benchDataEventId, benchTurnId, DataFrameTemplate } from '../../../../runtime/server/bench/data-frame-template';
import { scanOutputsFrame, serverFrameKind, type OutputFrameVisitor } from '../../../../runtime/server/bench/output-frame-scanner';
import { RawWsConnection } from '../../../../runtime/server/bench/raw-ws-client';
import { clientFrameHeaderLength } from '../../../../runtime/server/bench/raw-ws-client';
import { startTestServer, type TestServer } from '../server-fixture';

function payloadOf(frame: Buffer): string {
  // Zero-masked client frame: the payload follows the header unchanged.
  const len7 = frame[1] & 0x7f;
  const n = len7 < 126 ? len7 : frame.readUInt16BE(2);
  return frame.subarray(clientFrameHeaderLength(n)).toString('utf8');
}

describe('load bench data frames', () => {
  test.each([
    [1, 1, 1, 0],
    [7, 42, 9, 1_795_613_268_563],
    [999_999, 999_999_999, 9_999_999_999, 999_999_999_999_999],
  ])('turn %i event %i seq %i at %i: a valid EventRecord equal to SessionEnvelopes.dataFrame', (turn, event, seq, now) => {
    const template = new DataFrameTemplate('load-3', 'simple/v1', 4);
    const text = payloadOf(template.frame(turn, event, seq, now));
    const decoded = decodeWith(EventRecordSchema, text);
    expect(decoded.ok).toBe(true);
    // Same envelope SessionEnvelopes builds (its sequence counter starts at 1: advance it to `seq`).
    const env = new SessionEnvelopes('load-3', 4, 'simple/v1', () => now);
    let reference = '';
    for (let i = 0; i < seq && i < 10; i++) reference = env.dataFrame(benchTurnId(turn), benchDataEventId(event));
    const expected = { ...JSON.parse(reference), transport_sequence: seq, runtime_sequence: seq };
    expect(JSON.parse(text)).toEqual(expected);
  });

  test('every frame is a fresh buffer (a queued write is never rewritten by the next event)', () => {
    const template = new DataFrameTemplate('s', 'simple/v1', 1);
    const a = template.frame(1, 1, 1, 1);
    const b = template.frame(1, 2, 2, 2);
    expect(a).not.toBe(b);
    expect(JSON.parse(payloadOf(a)).event_id).toBe(benchDataEventId(1));
  });

  test('numbers that do not fit their slot are refused, not truncated', () => {
    expect(() => new DataFrameTemplate('s', 'simple/v1', 1).frame(1_000_000, 1, 1, 1)).toThrow(/does not fit/);
  });
});

describe('load bench output scanner against a real server', () => {
  let server: TestServer;
  afterEach(async () => server.stop());

  test('finds turn_open, each data event by number, cancel → abort(cancelled), close, commit; error frames are classified', async () => {
    server = await startTestServer();
    const frames: Buffer[] = [];
    const connection = await RawWsConnection.connect('127.0.0.1', server.server.sessionPort, '/v1/sessions?session_id=scan-1', {
      message: (p) => frames.push(Buffer.from(p)),
      closed: () => undefined,
    });
    await waitUntil(() => frames.length === 1);
    expect(serverFrameKind(frames[0])).toBe('session');
    const hello = JSON.parse(frames[0].toString()) as { authority_epoch: number; pipeline_version: string };
    const env = new SessionEnvelopes('scan-1', hello.authority_epoch, hello.pipeline_version);
    const template = new DataFrameTemplate('scan-1', hello.pipeline_version, hello.authority_epoch);
    const seen: string[] = [];
    const visitor: OutputFrameVisitor = {
      data: (n) => seen.push(`data ${n}`),
      signal: (name, cancelled) => seen.push(`signal ${name}${cancelled ? ' (cancelled)' : ''}`),
      refused: (kind) => seen.push(`refused ${kind}`),
    };
    const step = async (send: () => void) => {
      const before = frames.length;
      send();
      await waitUntil(() => frames.length > before);
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (const f of frames.slice(before)) {
        if (serverFrameKind(f) === 'outputs') scanOutputsFrame(f, visitor);
        else seen.push(serverFrameKind(f));
      }
    };
    await step(() => connection.sendText(JSON.stringify(env.proposeTurn(benchTurnId(1)))));
    await step(() => connection.sendFrame(template.frame(1, 17, 1, Date.now())));
    await step(() => connection.sendFrame(template.frame(1, 18, 2, Date.now())));
    await step(() => connection.sendText(JSON.stringify(env.cancel(benchTurnId(1)))));
    await step(() => connection.sendText(JSON.stringify(env.proposeTurn(benchTurnId(2)))));
    await step(() => connection.sendText(JSON.stringify(env.playbackCompleted(benchTurnId(2)))));
    await step(() => connection.sendText('{"not":"an envelope"}'));
    connection.terminate();
    expect(seen).toEqual([
      'signal turn_open',
      'signal output_accepted', // ControlLane frames leave ahead of DataLane frames (egress scheduler)
      'data 17',
      'data 18',
      'signal cancel',
      'signal abort (cancelled)',
      'signal close',
      'signal turn_open',
      'signal playback_completed',
      'signal commit',
      'signal close',
      'error',
    ]);
  });

  test('a decision that does not admit is reported with its outcome kind', () => {
    const frame = Buffer.from(
      '{"type":"outputs","outputs":[{"kind":"decision","outcome":{"emitted_by":"RK-25","outcome_kind":"reject","reason":"admission_capacity_reject"}},' +
        '{"kind":"decision","outcome":{"emitted_by":"CP-05","outcome_kind":"admit"}},' +
        '{"kind":"signal","signal":{"reason":"cancelled","signal":"cancel"}},{"kind":"signal","signal":{"reason":"authority_loss","signal":"abort"}}]}',
    );
    const seen: string[] = [];
    scanOutputsFrame(frame, {
      data: (n) => seen.push(`data ${n}`),
      signal: (name, cancelled) => seen.push(`signal ${name}${cancelled ? ' (cancelled)' : ''}`),
      refused: (kind) => seen.push(`refused ${kind}`),
    });
    // The abort's own reason decides, not a `cancelled` in an earlier output.
    expect(seen).toEqual(['refused reject', 'signal cancel', 'signal abort']);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
