/**
 * `ControlPlaneTurnStart` against answers a real control plane never gives (plain HTTP on
 * 127.0.0.1): every failure comes back as `{ ok: false, problem }` (the caller applies the step-5
 * failure), never as a rejection, and within the deadline.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { ControlPlaneClient, ControlPlaneTurnStart } from '../../../../runtime/server/control-plane';
import { resolveTurnStart } from '../../../../runtime/server/session/turn-start-resolver';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('ControlPlaneTurnStart: failures are values', () => {
  let server: http.Server;
  let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  let seen: unknown[] = [];
  let turnStart: ControlPlaneTurnStart;
  let client: ControlPlaneClient;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body: chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined });
        answer(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    client = new ControlPlaneClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    turnStart = new ControlPlaneTurnStart({
      client,
      tenantId: 'tenant-a',
      bundleDigest: DIGEST,
      placementKey: 'runtime-placements/local/pod-1',
      pipelineVersion: 'simple/v1',
      timeoutMs: 100,
    });
  });
  beforeEach(() => {
    seen = [];
  });
  afterAll(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const json = (status: number, body: unknown) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const valid = (pipelineVersion: string) =>
    resolveTurnStart({ pipelineVersion, profile: 'simple/v1', epoch: 3, draining: false }).bundle;

  test('a valid answer is decoded; the request carries tenant, session, digest, placement and epoch', async () => {
    answer = json(200, valid('simple/v1'));
    const result = await turnStart.request('s-1', 3);
    expect(result).toMatchObject({ ok: true, bundle: valid('simple/v1') });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/v1/turn-start',
        body: { tenant_id: 'tenant-a', session_id: 's-1', bundle_digest: DIGEST, placement_key: 'runtime-placements/local/pod-1', authority_epoch: 3 },
      },
    ]);
  });

  test.each([
    ['an answer that is not a TurnStartBundle', json(200, { pipeline_version: 'simple/v1' }), /answer is not a valid TurnStartBundle: \$/],
    ['a bundle of another pipeline', json(200, valid('other/v2')), /answer is for pipeline other\/v2 but this runtime serves simple\/v1/],
    ['a 5xx', json(503, { error: { code: 'draining', message: 'draining' } }), /HTTP 503 \(draining: draining\)/],
    ['a 4xx', json(404, { error: { code: 'bundle_not_found', message: 'unknown' } }), /HTTP 404 \(bundle_not_found/],
    ['no answer within the deadline', () => undefined, /no answer within 100 ms/],
  ])('%s → { ok: false, problem }', async (_what, handler, problem) => {
    answer = handler;
    const startedAt = performance.now();
    const result = await turnStart.request('s-2', 3);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatch(problem);
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });

  test('release gives the CP-05 slot back with DELETE /v1/admission/<session>', async () => {
    answer = json(200, { session_id: 's 3', released: true });
    await turnStart.release('s 3');
    expect(seen).toEqual([{ method: 'DELETE', url: '/v1/admission/s%203', body: undefined }]);
  });
});
