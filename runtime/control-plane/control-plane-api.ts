/**
 * The control-plane HTTP API (served on CONTROL_PLANE_API_PORT):
 *
 *   GET    /v1/bundles/<sha256:...>        resolved bundle summary (mutable references → 400 mutable_reference)
 *   POST   /v1/admission                   CP-05 decision  {tenant_id, session_id, bundle_digest}
 *   DELETE /v1/admission/<session_id>      give the session's slot back
 *   GET    /v1/authority?key=<k>[&epoch=N] placement authority + LeaseResolution (CP-07)
 *   POST   /v1/turn-start                  TurnStartBundle {tenant_id, session_id, bundle_digest, placement_key, authority_epoch?}
 *
 * Errors are `{"error":{"code","message","field?"}}` with the status of the code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LeaseStore } from '../authority';
import type { AdmissionController } from './admission-controller';
import { resolvePlacementAuthority } from './authority-resolver';
import { bundleSummary, type BundleCatalog } from './bundle-catalog';
import { ControlPlaneError } from './control-plane-errors';
import { CONTROL_PLANE_METRICS, type ControlPlaneMetrics } from './control-plane-metrics';
import { decodeFields, readJsonObject, sendJson } from './http-json';
import { resolveTurnStart } from './turn-start-resolver';

export interface ControlPlaneApiDeps {
  readonly catalog: BundleCatalog;
  readonly admission: AdmissionController;
  readonly store: LeaseStore;
  readonly metrics: ControlPlaneMetrics;
}

type Route = 'bundles' | 'admission' | 'admission_release' | 'authority' | 'turn_start' | 'unknown';

export function createControlPlaneApiHandler(deps: ControlPlaneApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://control-plane.local');
    const route = routeOf(url.pathname);
    void handle(deps, route, req, url).then(
      ({ status, body }) => {
        deps.metrics.increment(CONTROL_PLANE_METRICS.requestsTotal, { route, status: String(status) });
        sendJson(res, status, body);
      },
      (error: unknown) => {
        const failure =
          error instanceof ControlPlaneError ? error : new ControlPlaneError('internal', 'internal error; see the control-plane log');
        if (!(error instanceof ControlPlaneError)) {
          process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'control-plane request failed', route, error: String(error) })}\n`);
        }
        deps.metrics.increment(CONTROL_PLANE_METRICS.requestsTotal, { route, status: String(failure.status) });
        sendJson(res, failure.status, failure.toJSON());
      },
    );
  };
}

function routeOf(pathname: string): Route {
  if (pathname.startsWith('/v1/bundles/')) return 'bundles';
  if (pathname === '/v1/admission') return 'admission';
  if (pathname.startsWith('/v1/admission/')) return 'admission_release';
  if (pathname === '/v1/authority') return 'authority';
  if (pathname === '/v1/turn-start') return 'turn_start';
  return 'unknown';
}

async function handle(deps: ControlPlaneApiDeps, route: Route, req: IncomingMessage, url: URL): Promise<{ status: number; body: unknown }> {
  const method = req.method ?? 'GET';
  const expect = (allowed: string): void => {
    if (method !== allowed) throw new ControlPlaneError('method_not_allowed', `${url.pathname} accepts ${allowed} only`);
  };
  switch (route) {
    case 'bundles': {
      expect('GET');
      const reference = decodeURIComponent(url.pathname.slice('/v1/bundles/'.length));
      return { status: 200, body: bundleSummary(deps.catalog.resolve(reference, 'path bundle reference')) };
    }
    case 'admission': {
      expect('POST');
      const body = decodeFields(await readJsonObject(req), { tenant_id: 'string', session_id: 'string', bundle_digest: 'any' }, {});
      const bundle = deps.catalog.resolve(body.bundle_digest, 'bundle_digest');
      const decision = deps.admission.decide({ tenantId: body.tenant_id as string, sessionId: body.session_id as string, bundle });
      deps.metrics.increment(CONTROL_PLANE_METRICS.admissionDecisionsTotal, { outcome: decision.outcome_kind, scope: decision.scope });
      return { status: 200, body: decision };
    }
    case 'admission_release': {
      expect('DELETE');
      const sessionId = decodeURIComponent(url.pathname.slice('/v1/admission/'.length));
      if (sessionId.length === 0) throw new ControlPlaneError('invalid_request', 'session id missing in /v1/admission/<session_id>', 'session_id');
      return { status: 200, body: { session_id: sessionId, released: deps.admission.release(sessionId) } };
    }
    case 'authority': {
      expect('GET');
      const key = url.searchParams.get('key');
      if (!key) throw new ControlPlaneError('invalid_request', 'query parameter key (the placement lease key) is required', 'key');
      const rawEpoch = url.searchParams.get('epoch');
      let epoch: number | undefined;
      if (rawEpoch !== null) {
        epoch = Number(rawEpoch);
        if (!/^[0-9]+$/.test(rawEpoch) || !Number.isSafeInteger(epoch)) {
          throw new ControlPlaneError('invalid_request', `epoch "${rawEpoch}" must be a non-negative integer`, 'epoch');
        }
      }
      return { status: 200, body: await resolvePlacementAuthority(deps.store, key, epoch) };
    }
    case 'turn_start': {
      expect('POST');
      const body = decodeFields(
        await readJsonObject(req),
        { tenant_id: 'string', session_id: 'string', bundle_digest: 'any', placement_key: 'string' },
        { authority_epoch: 'epoch' },
      );
      const bundle = await resolveTurnStart(
        {
          tenantId: body.tenant_id as string,
          sessionId: body.session_id as string,
          bundleDigest: body.bundle_digest,
          placementKey: body.placement_key as string,
          ...(body.authority_epoch === undefined ? {} : { authorityEpoch: body.authority_epoch as number }),
        },
        deps,
      );
      const admission = bundle.cp_admission;
      deps.metrics.increment(CONTROL_PLANE_METRICS.admissionDecisionsTotal, { outcome: admission.outcome_kind, scope: admission.scope ?? 'session' });
      return { status: 200, body: bundle };
    }
    default:
      throw new ControlPlaneError('not_found', `no route ${url.pathname}; see runtime/control-plane/README.md for the API`);
  }
}
