/**
 * Authority loss (F7/F8, AE-002/AE-003): when the placement lease is lost the server stops
 * emitting at once (egress fence), fails readiness, and closes its sessions; the engine still
 * records the turn's end in OR-02. With the store back, the server re-acquires under a new epoch.
 */
import { InMemoryLeaseStore } from '../../../runtime/authority';
import { CLOSE_CODES } from '../../../runtime/server/session/wire-protocol';
import { metricValue, startTestServer, type TestServer } from './server-fixture';

describe('runtime server: lease loss', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  test('FI-F7 lease lost mid-turn: egress fenced at once, sessions closed 4001, readyz 503; re-acquired with a higher epoch', async () => {
    const store = new InMemoryLeaseStore({ defaultTtlSeconds: 2 });
    t = await startTestServer({ leaseTtlSeconds: 2 }, { store });
    const firstEpoch = t.server.authorityEpoch!;
    const c = await t.connect('l-1');
    c.send(c.envelopes.proposeTurn('t1'));
    await c.waitForSignal('turn_open', 't1');

    // Stream data every 20 ms while the store becomes unreachable; renewals fail and the lease ends at its TTL.
    const streamer = setInterval(() => {
      if (c.socket.readyState === c.socket.OPEN) c.send(c.envelopes.data('t1'));
    }, 20);
    store.setPartitioned(true);
    const closeInfo = await c.closed;
    clearInterval(streamer);

    expect(closeInfo.code).toBe(CLOSE_CODES.authorityLost);
    expect(closeInfo.reason).toMatch(/^authority_lost: lease epoch \d+ lost \(ttl_elapsed_without_renewal\)/);
    // The engine ended the turn (deauthorized_drain, abort(authority_loss), close) but none of it egressed.
    const names = c.outputs().map((o) => (o.kind === 'signal' ? (o.signal as { signal: string }).signal : o.kind));
    expect(names).not.toContain('abort');
    expect(names).not.toContain('close');
    expect(c.outputs().some((o) => o.kind === 'decision' && (o.outcome as { outcome_kind: string }).outcome_kind === 'deauthorized_drain')).toBe(false);
    await c.waitFor(() => t!.evidence.appended === 1 || undefined, 2000, 'evidence record');
    expect(t.evidence.records()[0]).toMatchObject({ turn_id: 't1', terminal_outcome: 'abort', terminal_reason: 'authority_loss', accepted_stale_epoch_output: false });

    const ready = await t.get('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).checks.lease_held).toBe(false);
    const metrics = (await t.get('/metrics')).body;
    expect(metricValue(metrics, 'rspp_lease_held')).toBe(0);
    expect(metricValue(metrics, 'rspp_stale_epoch_outputs_accepted_total')).toBe(0);
    // What the engine produced after the loss (deauthorized_drain, abort, close, ...) was refused and counted.
    expect(metricValue(metrics, 'rspp_stale_epoch_outputs_fenced_total')).toBeGreaterThanOrEqual(3);

    // No new session is admitted without authority.
    await expect(t.connect('l-2')).rejects.toMatchObject({ code: CLOSE_CODES.tryAgainLater, reason: expect.stringMatching(/^not_ready:/) });

    // Store back: the placement re-acquires under a new, higher epoch and becomes ready again.
    store.setPartitioned(false);
    const deadline = performance.now() + 8000;
    while ((await t.get('/readyz')).status !== 200) {
      if (performance.now() > deadline) throw new Error('server did not become ready again within 8 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(t.server.authorityEpoch).toBeGreaterThan(firstEpoch);
    const again = await t.connect('l-3');
    expect(again.hello.authority_epoch).toBe(t.server.authorityEpoch);
    again.socket.terminate();
  }, 20_000);

  test('an unreachable lease store fails readiness (store_reachable) before the lease is lost, and recovers', async () => {
    const store = new InMemoryLeaseStore({ defaultTtlSeconds: 8 });
    t = await startTestServer({ leaseTtlSeconds: 8 }, { store }); // probe every 2 s, lease lost only after 8 s
    const readyz = async () => JSON.parse((await t!.get('/readyz')).body) as { ready: boolean; checks: Record<string, boolean> };
    expect((await readyz()).ready).toBe(true);
    store.setPartitioned(true);
    const until = async (predicate: (r: Awaited<ReturnType<typeof readyz>>) => boolean, what: string) => {
      const deadline = performance.now() + 5000;
      for (;;) {
        const r = await readyz();
        if (predicate(r)) return r;
        if (performance.now() > deadline) throw new Error(`readyz never showed ${what}: ${JSON.stringify(r)}`);
        await new Promise((res) => setTimeout(res, 100));
      }
    };
    const down = await until((r) => !r.checks.store_reachable, 'store_reachable=false');
    expect(down).toEqual({ ready: false, checks: { lease_held: true, store_reachable: false, not_draining: true } });
    expect((await t.get('/readyz')).status).toBe(503);
    store.setPartitioned(false);
    await until((r) => r.ready, 'ready again');
  }, 20_000);
});
