/**
 * /healthz, /readyz and /metrics over real HTTP on the admin port.
 */
import { METRICS } from '../../../runtime/contracts/runtime-interface';
import { metricValue, startTestServer, type TestServer } from './server-fixture';

describe('runtime server: admin endpoints', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.stop();
  });

  test('/healthz answers 200 while the process runs', async () => {
    const res = await t.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok\n');
  });

  test('/readyz is 200 with every check true when the lease is held and the store reachable', async () => {
    const res = await t.get('/readyz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ready: true, checks: { lease_held: true, store_reachable: true, not_draining: true } });
  });

  test('/metrics exports every METRICS name with HELP/TYPE in Prometheus text format', async () => {
    const res = await t.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const types: Record<string, string> = {
      [METRICS.turnOpenDecisionSeconds]: 'histogram',
      [METRICS.firstOutputSeconds]: 'histogram',
      [METRICS.cancelFenceSeconds]: 'histogram',
      [METRICS.staleEpochRejectedTotal]: 'counter',
      [METRICS.staleEpochOutputsFencedTotal]: 'counter',
      [METRICS.staleEpochAcceptedTotal]: 'counter',
      [METRICS.acceptedTurnsTotal]: 'counter',
      [METRICS.or02CompleteRecordsTotal]: 'counter',
      [METRICS.shedEventsTotal]: 'counter',
      [METRICS.turnTerminalsTotal]: 'counter',
      [METRICS.sessionsActive]: 'gauge',
      [METRICS.sessionsTotal]: 'counter',
      [METRICS.leaseHeld]: 'gauge',
      [METRICS.leaseEpoch]: 'gauge',
      [METRICS.draining]: 'gauge',
    };
    expect(Object.keys(types).sort()).toEqual(Object.values(METRICS).sort());
    for (const [name, type] of Object.entries(types)) {
      expect(res.body).toContain(`# HELP ${name} `);
      expect(res.body).toContain(`# TYPE ${name} ${type}\n`);
    }
    // Every lane series exists from the first scrape; ControlLane shedding must be observable as 0.
    for (const lane of ['ControlLane', 'DataLane', 'TelemetryLane']) {
      expect(metricValue(res.body, `${METRICS.shedEventsTotal}{lane="${lane}"}`)).toBe(0);
    }
    expect(metricValue(res.body, METRICS.leaseHeld)).toBe(1);
    expect(metricValue(res.body, METRICS.leaseEpoch)).toBe(t.server.authorityEpoch);
    expect(metricValue(res.body, METRICS.draining)).toBe(0);
    expect(metricValue(res.body, `${METRICS.cancelFenceSeconds}_bucket{le="+Inf"}`)).toBe(0);
  });

  test('/metrics reflects sessions and turns as they happen', async () => {
    const c = await t.connect('m-1');
    c.send(c.envelopes.proposeTurn('t1'));
    await c.waitForSignal('turn_open', 't1');
    c.send(c.envelopes.data('t1'));
    c.send(c.envelopes.playbackCompleted('t1'));
    await c.waitForSignal('close', 't1');
    await c.waitFor(() => t.evidence.appended === 1 || undefined, 2000, 'evidence');
    let body = (await t.get('/metrics')).body;
    expect(metricValue(body, METRICS.sessionsActive)).toBe(1);
    expect(metricValue(body, METRICS.sessionsTotal)).toBe(1);
    expect(metricValue(body, METRICS.acceptedTurnsTotal)).toBe(1);
    expect(metricValue(body, METRICS.or02CompleteRecordsTotal)).toBe(1);
    expect(metricValue(body, `${METRICS.turnOpenDecisionSeconds}_count`)).toBe(1);
    expect(metricValue(body, `${METRICS.firstOutputSeconds}_count`)).toBe(1);
    expect(metricValue(body, `${METRICS.turnTerminalsTotal}{terminal="commit",reason="none"}`)).toBe(1);
    expect(metricValue(body, METRICS.staleEpochAcceptedTotal)).toBe(0);
    await c.close();
    await c.waitFor(() => t.server.sessionCount === 0 || undefined, 2000, 'session gone');
    body = (await t.get('/metrics')).body;
    expect(metricValue(body, METRICS.sessionsActive)).toBe(0);
    expect(metricValue(body, METRICS.sessionsTotal)).toBe(1);
  });

  test('LC-T12 a stale-epoch event is rejected and counted in rspp_stale_epoch_rejections_total', async () => {
    const c = await t.connect('m-stale');
    c.send(c.envelopes.proposeTurn('t1'));
    await c.waitForSignal('turn_open', 't1');
    c.send({ ...c.envelopes.data('t1'), authority_epoch: c.hello.authority_epoch + 7 });
    await c.waitFor((cl) => cl.outputs().find((o) => o.kind === 'decision' && (o.outcome as { outcome_kind: string }).outcome_kind === 'stale_epoch_reject'), 5000, 'stale_epoch_reject');
    const body = (await t.get('/metrics')).body;
    expect(metricValue(body, METRICS.staleEpochRejectedTotal)).toBe(1);
    expect(metricValue(body, METRICS.staleEpochAcceptedTotal)).toBe(0);
  });

  test('unknown paths are 404 and non-GET methods 405', async () => {
    expect((await t.get('/nope')).status).toBe(404);
    const res = await fetch(`http://127.0.0.1:${t.server.adminPort}/readyz`, { method: 'POST' });
    expect(res.status).toBe(405);
    await res.text();
  });
});
