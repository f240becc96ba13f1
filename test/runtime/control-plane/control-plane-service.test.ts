/**
 * The control-plane service over real HTTP on 127.0.0.1 (random ports), with the pipelines'
 * real bundles and an in-memory lease store shared with a simulated runtime placement.
 */
import { request } from 'node:http';
import { InMemoryLeaseRegistry, InMemoryLeaseStore, type AuthorityLease } from '../../../runtime/authority';
import { TurnStartBundleSchema, validateAgainst } from '../../../runtime/contracts/v1';
import { ControlPlaneService } from '../../../runtime/control-plane';
import { loadArtifacts } from '../../../pipelines';

interface HttpResult {
  readonly status: number;
  readonly text: string;
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function http(port: number, method: string, path: string, body?: unknown): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port, method, path, timeout: 5000, headers: payload ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Polls `probe` until `done` holds (the readiness probe runs every 50 ms), failing after 3 s. */
async function eventually(probe: () => Promise<HttpResult>, done: (r: HttpResult) => boolean): Promise<HttpResult> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const result = await probe();
    if (done(result)) return result;
    if (Date.now() > deadline) throw new Error(`condition not reached within 3 s; last answer ${result.status} ${result.text}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const artifacts = loadArtifacts();
const BUNDLE = artifacts.bundles.find((b) => b.artifact.name === 'simple_v1')!.digest;
const PLACEMENT = 'runtime-placements/local/pod-0';

describe('control plane over HTTP', () => {
  let registry: InMemoryLeaseRegistry;
  let runtimeStore: InMemoryLeaseStore;
  let cpStore: InMemoryLeaseStore;
  let service: ControlPlaneService;
  let api: number;
  let admin: number;
  let placement: AuthorityLease;

  beforeEach(async () => {
    registry = new InMemoryLeaseRegistry();
    runtimeStore = new InMemoryLeaseStore({ registry });
    cpStore = new InMemoryLeaseStore({ registry });
    placement = await runtimeStore.acquire({ key: PLACEMENT, holderId: 'pod-0', ttlSeconds: 10 });
    service = new ControlPlaneService({ store: cpStore, host: '127.0.0.1', apiPort: 0, adminPort: 0, storeProbeIntervalMs: 50 });
    ({ apiPort: api, adminPort: admin } = await service.start());
  });
  afterEach(async () => {
    await service.stop();
    await runtimeStore.close();
  });

  test('resolves a bundle by digest to its spec, profile and policy', async () => {
    const res = await http(api, 'GET', `/v1/bundles/${BUNDLE}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      digest: BUNDLE,
      name: 'simple_v1',
      pipeline_version: 'simple/v1',
      execution_profile: 'simple/v1',
      graph_definition_ref: expect.any(String),
    });
    expect(res.json.spec).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test.each([
    ['latest', 'latest'],
    ['a tag', 'simple_v1:latest'],
    ['a name', 'simple_v1'],
    ['an upper-case digest', `sha256:${'A'.repeat(64)}`],
    ['a short digest', 'sha256:abc123'],
    ['an image-style tag', 'rspp/bundle:v1.2'],
  ])('refuses a mutable reference (%s) with 400 mutable_reference', async (_label, reference) => {
    const res = await http(api, 'GET', `/v1/bundles/${encodeURIComponent(reference)}`);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('mutable_reference');
    expect(res.json.error.message).toContain('sha256:<64 lowercase hex>');
    const admission = await http(api, 'POST', '/v1/admission', { tenant_id: 't', session_id: 's', bundle_digest: reference });
    expect(admission.status).toBe(400);
    expect(admission.json.error).toMatchObject({ code: 'mutable_reference', field: 'bundle_digest' });
  });

  test('an unknown digest is 404 bundle_not_found listing the servable bundles', async () => {
    const res = await http(api, 'GET', `/v1/bundles/sha256:${'0'.repeat(64)}`);
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('bundle_not_found');
    expect(res.json.error.message).toContain(BUNDLE);
  });

  test('CP-05 admission: admit with scope from the policy, idempotent per session, release frees the slot', async () => {
    const first = await http(api, 'POST', '/v1/admission', { tenant_id: 'acme', session_id: 's-1', bundle_digest: BUNDLE });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ outcome_kind: 'admit', scope: 'session', reason: 'cp_admission_admitted', emitted_by: 'CP-05' });
    const again = await http(api, 'POST', '/v1/admission', { tenant_id: 'acme', session_id: 's-1', bundle_digest: BUNDLE });
    expect(again.json.outcome_kind).toBe('admit');
    expect(service.admission.admittedSessions()).toBe(1);
    const mismatch = await http(api, 'POST', '/v1/admission', { tenant_id: 'other', session_id: 's-1', bundle_digest: BUNDLE });
    expect(mismatch.json).toMatchObject({ outcome_kind: 'reject', scope: 'session', reason: 'cp_admission_session_tenant_mismatch' });
    const released = await http(api, 'DELETE', '/v1/admission/s-1');
    expect(released.json).toEqual({ session_id: 's-1', released: true });
    expect(service.admission.admittedSessions()).toBe(0);
  });

  test('CP-05 admission: capacity exhausted → the policy outcome (reject), scope session', async () => {
    const bundle = artifacts.bundles.find((b) => b.digest === BUNDLE)!.artifact;
    const policy = artifacts.policies.find((p) => p.digest === bundle.policy)!.artifact;
    const capacity = policy.admission.max_concurrent_sessions;
    for (let i = 0; i < capacity; i++) {
      const res = await http(api, 'POST', '/v1/admission', { tenant_id: 'acme', session_id: `s-${i}`, bundle_digest: BUNDLE });
      expect(res.json.outcome_kind).toBe('admit');
    }
    const over = await http(api, 'POST', '/v1/admission', { tenant_id: 'acme', session_id: 'one-too-many', bundle_digest: BUNDLE });
    expect(over.json).toEqual({
      outcome_kind: policy.admission.capacity_exhausted_outcome,
      scope: policy.admission.scope,
      reason: `cp_admission_capacity_${policy.admission.capacity_exhausted_outcome}`,
      emitted_by: 'CP-05',
    });
  });

  test('turn-start: a contract-valid TurnStartBundle with admission and the lease re-checked against the store', async () => {
    const res = await http(api, 'POST', '/v1/turn-start', {
      tenant_id: 'acme',
      session_id: 's-1',
      bundle_digest: BUNDLE,
      placement_key: PLACEMENT,
      authority_epoch: placement.epoch,
    });
    expect(res.status).toBe(200);
    expect(validateAgainst(TurnStartBundleSchema, res.json)).toBeUndefined();
    expect(res.json).toMatchObject({
      pipeline_version: 'simple/v1',
      execution_profile: 'simple/v1',
      cp_admission: { outcome_kind: 'admit', scope: 'session', reason: 'cp_admission_admitted' },
      lease: { authority_epoch: placement.epoch, valid: true, granted: true },
    });
    expect(res.json.snapshot_provenance.version_resolution_snapshot).toContain(BUNDLE);
    // Same inputs → same answer (provenance refs are content-derived).
    const again = await http(api, 'POST', '/v1/turn-start', {
      tenant_id: 'acme',
      session_id: 's-1',
      bundle_digest: BUNDLE,
      placement_key: PLACEMENT,
      authority_epoch: placement.epoch,
    });
    expect(again.json).toEqual(res.json);
  });

  test('turn-start after failover: the old epoch is stale (valid=false, granted=false); the new one is granted', async () => {
    const oldEpoch = placement.epoch;
    await placement.release();
    const successor = await runtimeStore.acquire({ key: PLACEMENT, holderId: 'pod-0', ttlSeconds: 10 });
    const body = { tenant_id: 'acme', session_id: 's-1', bundle_digest: BUNDLE, placement_key: PLACEMENT };
    const stale = await http(api, 'POST', '/v1/turn-start', { ...body, authority_epoch: oldEpoch });
    expect(stale.json.lease).toEqual({ authority_epoch: oldEpoch, valid: false, granted: false });
    const current = await http(api, 'POST', '/v1/turn-start', { ...body, authority_epoch: successor.epoch });
    expect(current.json.lease).toEqual({ authority_epoch: successor.epoch, valid: true, granted: true });
    const authority = await http(api, 'GET', `/v1/authority?key=${encodeURIComponent(PLACEMENT)}&epoch=${oldEpoch}`);
    expect(authority.json).toMatchObject({
      key: PLACEMENT,
      latest_epoch: successor.epoch,
      holder: { holder_id: 'pod-0', epoch: successor.epoch },
      lease_resolution: { authority_epoch: oldEpoch, authority_epoch_valid: false, authority_authorized: false, reason: 'lease_stale_epoch' },
    });
    await successor.release();
    const revoked = await http(api, 'GET', `/v1/authority?key=${encodeURIComponent(PLACEMENT)}&epoch=${successor.epoch}`);
    expect(revoked.json.lease_resolution).toMatchObject({ authority_authorized: false, reason: 'lease_deauthorized' });
  });

  test('strict requests: unknown fields, missing fields, bad epochs, bad JSON and wrong methods are named', async () => {
    const unknown = await http(api, 'POST', '/v1/admission', { tenant_id: 't', session_id: 's', bundle_digest: BUNDLE, priority: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ code: 'invalid_request', field: 'priority' });
    const missing = await http(api, 'POST', '/v1/turn-start', { tenant_id: 't', session_id: 's', bundle_digest: BUNDLE });
    expect(missing.json.error).toMatchObject({ code: 'invalid_request', field: 'placement_key' });
    const badEpoch = await http(api, 'POST', '/v1/turn-start', { tenant_id: 't', session_id: 's', bundle_digest: BUNDLE, placement_key: PLACEMENT, authority_epoch: -1 });
    expect(badEpoch.json.error).toMatchObject({ code: 'invalid_request', field: 'authority_epoch' });
    const badJson = await http(api, 'POST', '/v1/admission', '{not json');
    expect(badJson.json.error.code).toBe('invalid_request');
    const wrongMethod = await http(api, 'GET', '/v1/admission');
    expect(wrongMethod.status).toBe(405);
    const noRoute = await http(api, 'GET', '/v2/anything');
    expect(noRoute.status).toBe(404);
    const badKey = await http(api, 'GET', '/v1/authority?key=%2Fbad%2F');
    expect(badKey.json.error).toMatchObject({ code: 'invalid_request', field: 'placement_key' });
  });

  test('admin: /healthz, /readyz (store reachability, drain) and /metrics', async () => {
    expect((await http(admin, 'GET', '/healthz')).status).toBe(200);
    expect((await http(admin, 'GET', '/readyz')).status).toBe(200);
    await http(api, 'POST', '/v1/admission', { tenant_id: 'acme', session_id: 's-1', bundle_digest: BUNDLE });
    const metrics = await http(admin, 'GET', '/metrics');
    expect(metrics.text).toContain('rspp_cp_requests_total{route="admission",status="200"} 1');
    expect(metrics.text).toContain('rspp_cp_admission_decisions_total{outcome="admit",scope="session"} 1');
    expect(metrics.text).toContain('rspp_cp_sessions_admitted 1');
    expect(metrics.text).toContain('rspp_draining 0');

    cpStore.setPartitioned(true);
    const unready = await eventually(() => http(admin, 'GET', '/readyz'), (r) => r.status === 503);
    expect(unready.json.checks.storeReachable).toBe(false);
    cpStore.setPartitioned(false);
    await eventually(() => http(admin, 'GET', '/readyz'), (r) => r.status === 200);

    service.beginDrain();
    const draining = await http(admin, 'GET', '/readyz');
    expect(draining.status).toBe(503);
    expect(draining.json.checks.notDraining).toBe(false);
    expect((await http(api, 'GET', `/v1/bundles/${BUNDLE}`)).json.error.code).toBe('draining');
    expect((await http(admin, 'GET', '/metrics')).text).toContain('rspp_draining 1');
  });
});
