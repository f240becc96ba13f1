/**
 * A client that stops reading: the server stops egressing DataLane outputs into the socket past the
 * high-water mark and lets the engine's bounded edge buffer shed them per the plan (BF-004: watermark,
 * flow_xoff, drop_notice; flow_xon on recovery). ControlLane outputs keep flowing.
 */
import type { Socket } from 'net';
import { METRICS } from '../../../runtime/contracts/runtime-interface';
import { metricValue, startTestServer, type TestServer } from './server-fixture';

describe('runtime server: egress backpressure', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer({}, { tickIntervalMs: 20 });
  });
  afterEach(async () => {
    await t.stop();
  });

  test('BF-004 a slow reader makes the engine shed DataLane outputs instead of buffering them without bound', async () => {
    const c = await t.connect('bp-1');
    c.send(c.envelopes.proposeTurn('t1'));
    await c.waitForSignal('turn_open', 't1');
    const tcp = (c.socket as unknown as { _socket: Socket })._socket;
    tcp.pause(); // stop reading: kernel buffers fill, then the server's socket buffer grows

    const sent = 60_000;
    for (let i = 0; i < sent; i += 100) {
      c.send(Array.from({ length: 100 }, () => c.envelopes.data('t1')));
      if (i % 5000 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    // Wait until the server has processed everything (the DataLane shed counter stops moving).
    let shed = -1;
    for (let stable = 0; stable < 3; ) {
      await new Promise((r) => setTimeout(r, 200));
      const now = metricValue((await t.get('/metrics')).body, `${METRICS.shedEventsTotal}{lane="DataLane"}`) ?? 0;
      stable = now === shed && now > 0 ? stable + 1 : 0;
      shed = now;
    }
    expect(shed).toBeGreaterThan(0);

    tcp.resume();
    await c.waitForSignal('flow_xon', undefined, 10_000);
    const outputs = c.outputs();
    const signals = outputs.filter((o) => o.kind === 'signal').map((o) => (o.signal as { signal: string }).signal);
    const data = outputs.filter((o) => o.kind === 'data').length;
    expect(data + shed).toBeLessThanOrEqual(sent);
    expect(data).toBeLessThan(sent);
    // BF-004 order on the edge: watermark, flow_xoff, drop_notice.
    const w = signals.indexOf('watermark');
    const x = signals.indexOf('flow_xoff');
    const d = signals.indexOf('drop_notice');
    expect(w).toBeGreaterThan(-1);
    expect(w).toBeLessThan(x);
    expect(x).toBeLessThan(d);
    expect(signals.lastIndexOf('flow_xon')).toBeGreaterThan(d);
    // ControlLane was never shed.
    expect(metricValue((await t.get('/metrics')).body, `${METRICS.shedEventsTotal}{lane="ControlLane"}`)).toBe(0);
    // The session still works: the turn commits.
    c.send(c.envelopes.playbackCompleted('t1'));
    await c.waitForSignal('close', 't1', 10_000);
  }, 40_000);
});
