/**
 * The runtime's client of the control-plane API. Over `https` it verifies the control plane against
 * `ca.crt` and presents the runtime's own certificate (`tls.crt`, `tls.key`) from the TLS directory
 * (`RSPP_TLS_DIR`, a mounted cert-manager Secret): the control plane requires a client certificate.
 * The files are re-read at most every `tlsReloadIntervalMs` (15 s), so a rotated certificate is
 * picked up without a restart and the per-turn path does not touch the disk.
 *
 * Connections are kept alive (one `Agent` per client): the startup fetch and every per-turn
 * `POST /v1/turn-start` share TLS sessions, so a turn start costs one request/response on an open
 * connection. Each request has a hard deadline (socket idle timeouts would not bound a slow
 * answer). `close()` ends the pooled connections.
 */
import { readFileSync } from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { RUNTIME_ENV } from '../../contracts/runtime-interface';

/** Largest answer body read (a bundle summary is a few KiB). */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export interface ControlPlaneClientOptions {
  /** API base URL (`RSPP_CONTROL_PLANE_URL`), `http:` or `https:`. */
  readonly baseUrl: string;
  /**
   * Directory with `ca.crt`, `tls.crt`, `tls.key`; required when `baseUrl` is https.
   * @default undefined
   */
  readonly tlsDir?: string;
  /** Per-request deadline, ms (a call may pass a shorter one). @default 4000 */
  readonly requestTimeoutMs?: number;
  /** How long TLS files read from `tlsDir` are reused before re-reading, ms. @default 15000 */
  readonly tlsReloadIntervalMs?: number;
}

/** A request that failed. `retryable`: no answer, a timeout, or a 5xx (another attempt may succeed). */
export class ControlPlaneRequestError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ControlPlaneRequestError';
  }
}

/** Configuration the client refuses up front (never retried). */
export class ControlPlaneClientConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlPlaneClientConfigError';
  }
}

interface TlsMaterial {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export class ControlPlaneClient {
  readonly baseUrl: URL;
  private readonly tlsDir: string | undefined;
  private readonly timeoutMs: number;
  private readonly tlsReloadIntervalMs: number;
  private tlsCache: { readonly material: TlsMaterial; readonly readAt: number } | undefined;
  private readonly agent: http.Agent;

  constructor(options: ControlPlaneClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new ControlPlaneClientConfigError(`${RUNTIME_ENV.controlPlaneUrl} ${JSON.stringify(options.baseUrl)} is not a URL; use https://<service>.<namespace>.svc:<port>`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ControlPlaneClientConfigError(`${RUNTIME_ENV.controlPlaneUrl} must be http(s), got ${url.protocol}`);
    }
    if (url.protocol === 'https:' && !options.tlsDir) {
      throw new ControlPlaneClientConfigError(
        `${RUNTIME_ENV.controlPlaneUrl} is https but ${RUNTIME_ENV.tlsDir} is not set: the control plane requires a client certificate; mount the runtime's certificate Secret and set ${RUNTIME_ENV.tlsDir}`,
      );
    }
    this.timeoutMs = options.requestTimeoutMs ?? 4000;
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs < 1) {
      throw new ControlPlaneClientConfigError(`ControlPlaneClientOptions.requestTimeoutMs must be a positive integer, got ${options.requestTimeoutMs}`);
    }
    this.tlsReloadIntervalMs = options.tlsReloadIntervalMs ?? 15_000;
    if (!Number.isInteger(this.tlsReloadIntervalMs) || this.tlsReloadIntervalMs < 0) {
      throw new ControlPlaneClientConfigError(`ControlPlaneClientOptions.tlsReloadIntervalMs must be an integer >= 0, got ${options.tlsReloadIntervalMs}`);
    }
    this.baseUrl = url;
    this.tlsDir = url.protocol === 'https:' ? options.tlsDir : undefined;
    // Free sockets are unref'd by the agent: an idle pool never keeps the process alive.
    const agentOptions = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16, scheduling: 'lifo' as const };
    this.agent = this.secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /** Ends pooled connections; later requests open new ones. */
  close(): void {
    this.agent.destroy();
  }

  get secure(): boolean {
    return this.baseUrl.protocol === 'https:';
  }

  /** `GET /v1/bundles/<digest>` → the parsed JSON answer (unverified; see `verifyBundleAnswer`). */
  getBundle(digest: string): Promise<unknown> {
    return this.getJson(`/v1/bundles/${encodeURIComponent(digest)}`);
  }

  /** GET `pathname` (relative to the base URL's path) and parse the JSON answer of a 200. */
  getJson(pathname: string, timeoutMs?: number): Promise<unknown> {
    return this.request('GET', pathname, undefined, timeoutMs);
  }

  /** POST a JSON body to `pathname` and parse the JSON answer of a 200. */
  postJson(pathname: string, body: unknown, timeoutMs?: number): Promise<unknown> {
    return this.request('POST', pathname, JSON.stringify(body), timeoutMs);
  }

  /** DELETE `pathname` and parse the JSON answer of a 200. */
  deleteJson(pathname: string, timeoutMs?: number): Promise<unknown> {
    return this.request('DELETE', pathname, undefined, timeoutMs);
  }

  private request(method: 'GET' | 'POST' | 'DELETE', pathname: string, body: string | undefined, timeoutMs = this.timeoutMs): Promise<unknown> {
    const target = new URL(this.baseUrl.pathname.replace(/\/$/, '') + pathname, this.baseUrl);
    let tls: TlsMaterial | undefined;
    try {
      tls = this.tlsDir !== undefined ? this.readTls(this.tlsDir) : undefined;
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolvePromise, rejectPromise) => {
      const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const options: https.RequestOptions = {
        method,
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || (this.secure ? 443 : 80),
        path: `${target.pathname}${target.search}`,
        headers,
        agent: this.agent,
        ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key, servername: isIp(target.hostname) ? undefined : target.hostname, minVersion: 'TLSv1.2' as const } : {}),
      };
      const where = `${method} ${target.origin}${target.pathname}`;
      // A hard deadline for the whole exchange (a socket idle timeout would not bound a slow answer).
      const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      const resolve = (value: unknown): void => {
        clearTimeout(deadline);
        resolvePromise(value);
      };
      const reject = (error: ControlPlaneRequestError): void => {
        clearTimeout(deadline);
        rejectPromise(error);
      };
      const onResponse = (res: http.IncomingMessage): void => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy();
            reject(new ControlPlaneRequestError(`${where}: answer larger than ${MAX_ANSWER_BYTES} bytes`, false, res.statusCode));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => reject(new ControlPlaneRequestError(`${where}: ${err.message}`, true)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let answer: unknown;
          try {
            answer = JSON.parse(text);
          } catch {
            answer = undefined;
          }
          if (status === 200) {
            if (answer === undefined) reject(new ControlPlaneRequestError(`${where}: 200 with a body that is not JSON`, false, status));
            else resolve(answer);
            return;
          }
          const error = (answer as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
          const detail = error ? `${String(error.code)}: ${String(error.message)}` : text.slice(0, 200);
          reject(new ControlPlaneRequestError(`${where}: HTTP ${status} (${detail})`, status >= 500 || status === 429, status));
        });
      };
      const req = this.secure ? https.request(options, onResponse) : http.request(options, onResponse);
      req.on('error', (err: NodeJS.ErrnoException) => reject(new ControlPlaneRequestError(`${where}: ${err.code ? `${err.code} ` : ''}${err.message}`, true)));
      req.end(body);
    });
  }

  private readTls(dir: string): TlsMaterial {
    const now = performance.now();
    if (this.tlsCache !== undefined && now - this.tlsCache.readAt < this.tlsReloadIntervalMs) return this.tlsCache.material;
    const read = (name: string): Buffer => {
      const file = path.join(dir, name);
      try {
        return readFileSync(file);
      } catch (err) {
        throw new ControlPlaneClientConfigError(
          `${RUNTIME_ENV.tlsDir}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); mount the runtime's certificate Secret (ca.crt, tls.crt, tls.key) there`,
        );
      }
    };
    const material = { ca: read('ca.crt'), cert: read('tls.crt'), key: read('tls.key') };
    this.tlsCache = { material, readAt: now };
    return material;
  }
}

function isIp(hostname: string): boolean {
  return /^[0-9.]+$/.test(hostname) || hostname.includes(':') || hostname.startsWith('[');
}
