/**
 * The control-plane process: the API listener (CONTROL_PLANE_API_PORT) and the admin listener
 * (ADMIN_PORT: /healthz, /readyz, /metrics), the bundle catalog, CP-05 admission and the lease
 * store. Ready = bundles loaded, lease store answered its last probe in time, not draining.
 *
 * With `tlsDir` the API is HTTPS and every client must present a certificate signed by the CA in
 * `ca.crt` (mTLS, architecture §3); rotated files reach new connections through `setSecureContext`.
 * The admin listener stays plain HTTP: kubelet probes and Prometheus scrape it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { LeaseStore } from '../authority';
import { ADMIN_PORT, CONTROL_PLANE_API_PORT, PATHS } from '../contracts/runtime-interface';
import { AdmissionController, type AdmissionCapacity } from './admission-controller';
import { BundleCatalog } from './bundle-catalog';
import { createControlPlaneApiHandler } from './control-plane-api';
import { ControlPlaneError } from './control-plane-errors';
import { CONTROL_PLANE_METRICS, ControlPlaneMetrics } from './control-plane-metrics';
import { sendJson, sendText } from './http-json';
import { ReloadingTlsCredentials, type TlsCredentials } from './reloading-tls-credentials';

export interface ControlPlaneServiceOptions {
  /** The lease store placements are resolved against (the same store the runtimes hold leases in). */
  readonly store: LeaseStore;
  /**
   * Pipeline artifacts directory.
   * @default the package's `pipelines/` (defaultPipelinesDir)
   */
  readonly pipelinesDir?: string;
  /**
   * Interface to bind both listeners to.
   * @default '0.0.0.0'
   */
  readonly host?: string;
  /** @default CONTROL_PLANE_API_PORT (0 picks a free port) */
  readonly apiPort?: number;
  /** @default ADMIN_PORT (0 picks a free port) */
  readonly adminPort?: number;
  /** @default 900000 (see AdmissionController) */
  readonly sessionIdleTimeoutMs?: number;
  /**
   * CP-05 capacity overriding the bundles' admission policies.
   * @default undefined (each bundle's policy)
   */
  readonly admissionCapacity?: AdmissionCapacity;
  /**
   * Interval of the lease store reachability probe behind /readyz.
   * @default 1000
   */
  readonly storeProbeIntervalMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Directory with the API's certificate (`ca.crt`, `tls.crt`, `tls.key`, as cert-manager mounts
   * it). Set: the API serves HTTPS and requires a client certificate signed by `ca.crt`.
   * @default undefined (plain HTTP API)
   */
  readonly tlsDir?: string;
  /**
   * Period of the certificate rotation check (with `tlsDir`).
   * @default DEFAULT_TLS_RELOAD_INTERVAL_MS (15 s)
   */
  readonly tlsReloadIntervalMs?: number;
  /** Receives rotation events and refused rotations. @default JSON lines on stdout */
  readonly log?: (record: Record<string, unknown>) => void;
}

/** Key the readiness probe reads (never written). */
const PROBE_KEY = 'control-plane/readiness-probe';

export class ControlPlaneService {
  readonly metrics = new ControlPlaneMetrics();
  readonly admission: AdmissionController;
  readonly catalog: BundleCatalog;
  private readonly store: LeaseStore;
  private readonly host: string;
  private readonly apiServer: Server | HttpsServer;
  private readonly tls: ReloadingTlsCredentials | undefined;
  private readonly adminServer: Server;
  private readonly probeIntervalMs: number;
  private probeTimer: NodeJS.Timeout | undefined;
  private storeReachable = false;
  private draining = false;
  private started = false;

  /** Loads and validates the bundles (throws, naming every problem, if the artifacts are invalid). */
  constructor(private readonly options: ControlPlaneServiceOptions) {
    if (!options?.store) throw new ControlPlaneError('invalid_request', 'ControlPlaneServiceOptions.store is required (createLeaseStoreFromEnv())');
    for (const [name, port] of [['apiPort', options.apiPort], ['adminPort', options.adminPort]] as const) {
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        throw new ControlPlaneError('invalid_request', `ControlPlaneServiceOptions.${name} must be an integer port 0-65535, got ${port}`);
      }
    }
    this.probeIntervalMs = options.storeProbeIntervalMs ?? 1000;
    if (!(this.probeIntervalMs > 0)) {
      throw new ControlPlaneError('invalid_request', `ControlPlaneServiceOptions.storeProbeIntervalMs must be > 0, got ${this.probeIntervalMs}`);
    }
    this.store = options.store;
    this.host = options.host ?? '0.0.0.0';
    this.catalog = BundleCatalog.load(options.pipelinesDir);
    this.admission = new AdmissionController({
      ...(options.sessionIdleTimeoutMs === undefined ? {} : { sessionIdleTimeoutMs: options.sessionIdleTimeoutMs }),
      ...(options.now ? { now: options.now } : {}),
      ...(options.admissionCapacity ? { capacity: options.admissionCapacity } : {}),
    });
    this.metrics.gauge(CONTROL_PLANE_METRICS.sessionsAdmitted, 'Sessions holding a CP-05 admission slot.', () => this.admission.admittedSessions());
    this.metrics.gauge(CONTROL_PLANE_METRICS.leaseStoreReachable, '1 while the lease store answers probes.', () => (this.storeReachable ? 1 : 0));
    this.metrics.gauge(CONTROL_PLANE_METRICS.bundlesServable, 'Bundles the control plane can resolve.', () => this.catalog.digests().length);
    this.metrics.gauge(CONTROL_PLANE_METRICS.draining, '1 while draining.', () => (this.draining ? 1 : 0));
    const api = createControlPlaneApiHandler({ catalog: this.catalog, admission: this.admission, store: this.store, metrics: this.metrics });
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      if (this.draining) {
        sendJson(res, 503, new ControlPlaneError('draining', 'the control plane is draining; retry against another replica').toJSON());
        return;
      }
      api(req, res);
    };
    const log = options.log ?? ((record) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), component: 'control-plane', ...record })}\n`));
    if (options.tlsDir !== undefined) {
      const dir = options.tlsDir;
      const tls = new ReloadingTlsCredentials({
        dir,
        ...(options.tlsReloadIntervalMs === undefined ? {} : { checkIntervalMs: options.tlsReloadIntervalMs }),
        onRotate: (credentials) => {
          (this.apiServer as HttpsServer).setSecureContext(secureContextOf(credentials));
          log({ level: 'info', msg: 'control plane API certificate rotated; new connections use it', tlsDir: dir });
        },
        onRejected: (error) => log({ level: 'warn', msg: 'changed certificate files not usable yet; keeping the previous certificate', error: error.message }),
      });
      this.tls = tls;
      this.apiServer = createHttpsServer(
        { ...secureContextOf(tls.current), requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
        handler,
      );
    } else {
      this.tls = undefined;
      this.apiServer = createServer(handler);
    }
    this.adminServer = createServer((req, res) => this.handleAdmin(req, res));
    for (const server of [this.apiServer, this.adminServer]) {
      server.keepAliveTimeout = 5_000;
      server.headersTimeout = 10_000;
      server.requestTimeout = 15_000;
    }
  }

  /** Binds both listeners and starts probing the store; resolves once listening. */
  async start(): Promise<{ apiPort: number; adminPort: number }> {
    if (this.started) throw new ControlPlaneError('invalid_request', 'ControlPlaneService.start: already started');
    this.started = true;
    await listen(this.adminServer, this.options.adminPort ?? ADMIN_PORT, this.host, 'admin');
    await listen(this.apiServer, this.options.apiPort ?? CONTROL_PLANE_API_PORT, this.host, 'api');
    this.tls?.start();
    await this.probe();
    this.probeTimer = setInterval(() => void this.probe(), this.probeIntervalMs);
    this.probeTimer.unref();
    return { apiPort: this.apiPort, adminPort: this.adminPort };
  }

  get apiPort(): number {
    return (this.apiServer.address() as AddressInfo).port;
  }

  /** `https` (mutual TLS) when started with `tlsDir`, else `http`. */
  get apiScheme(): 'https' | 'http' {
    return this.tls ? 'https' : 'http';
  }

  /** Re-reads the certificate files now (the periodic check does the same); true if a rotation was applied. */
  reloadTlsNow(): boolean {
    return this.tls?.check() ?? false;
  }

  get adminPort(): number {
    return (this.adminServer.address() as AddressInfo).port;
  }

  isReady(): boolean {
    return this.started && this.storeReachable && !this.draining;
  }

  /** Fails readiness at once and defers new admissions; the API answers 503 `draining`. */
  beginDrain(): void {
    this.draining = true;
    this.admission.setDraining(true);
  }

  /** Stops listening (in-flight requests finish), stops probing, closes the lease store. Idempotent. */
  async stop(): Promise<void> {
    this.beginDrain();
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    this.tls?.stop();
    await Promise.all([closeServer(this.apiServer), closeServer(this.adminServer)]);
    await this.store.close();
  }

  private async probe(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.store.inspect(PROBE_KEY),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('lease store probe timed out')), this.probeIntervalMs);
        }),
      ]);
      this.storeReachable = true;
    } catch {
      this.storeReachable = false;
    } finally {
      clearTimeout(timer);
    }
  }

  private handleAdmin(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://admin.local').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, new ControlPlaneError('method_not_allowed', `${path} accepts GET only`).toJSON());
      return;
    }
    if (path === PATHS.healthz) {
      sendText(res, 200, 'ok\n');
    } else if (path === PATHS.readyz) {
      const checks = { started: this.started, storeReachable: this.storeReachable, notDraining: !this.draining };
      sendJson(res, this.isReady() ? 200 : 503, { ready: this.isReady(), checks });
    } else if (path === PATHS.metrics) {
      sendText(res, 200, this.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
    } else {
      sendJson(res, 404, new ControlPlaneError('not_found', `no admin route ${path}; use ${PATHS.healthz}, ${PATHS.readyz} or ${PATHS.metrics}`).toJSON());
    }
  }
}

function secureContextOf(credentials: TlsCredentials): { ca: Buffer; cert: Buffer; key: Buffer } {
  return { ca: credentials.ca, cert: credentials.cert, key: credentials.key };
}

function listen(server: Server | HttpsServer, port: number, host: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(new Error(`control plane ${name} listener cannot bind ${host}:${port}: ${error.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: Server | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
