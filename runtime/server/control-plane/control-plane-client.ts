/**
 * The runtime's client of the control-plane API. Over `https` it verifies the control plane against
 * `ca.crt` and presents the runtime's own certificate (`tls.crt`, `tls.key`) from the TLS directory
 * (`RSPP_TLS_DIR`, a mounted cert-manager Secret): the control plane requires a client certificate.
 * The files are read per request, so a rotated certificate is picked up without a restart.
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
  /** Per-request timeout, ms. @default 4000 */
  readonly requestTimeoutMs?: number;
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
    this.baseUrl = url;
    this.tlsDir = url.protocol === 'https:' ? options.tlsDir : undefined;
  }

  get secure(): boolean {
    return this.baseUrl.protocol === 'https:';
  }

  /** `GET /v1/bundles/<digest>` → the parsed JSON answer (unverified; see `verifyBundleAnswer`). */
  getBundle(digest: string): Promise<unknown> {
    return this.getJson(`/v1/bundles/${encodeURIComponent(digest)}`);
  }

  /** GET `pathname` (relative to the base URL's path) and parse the JSON answer of a 200. */
  getJson(pathname: string): Promise<unknown> {
    const target = new URL(this.baseUrl.pathname.replace(/\/$/, '') + pathname, this.baseUrl);
    const tls = this.tlsDir !== undefined ? this.readTls(this.tlsDir) : undefined;
    return new Promise((resolve, reject) => {
      const options: https.RequestOptions = {
        method: 'GET',
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || (this.secure ? 443 : 80),
        path: `${target.pathname}${target.search}`,
        headers: { accept: 'application/json' },
        agent: false,
        timeout: this.timeoutMs,
        ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key, servername: isIp(target.hostname) ? undefined : target.hostname, minVersion: 'TLSv1.2' as const } : {}),
      };
      const where = `GET ${target.origin}${target.pathname}`;
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
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          if (status === 200) {
            if (body === undefined) reject(new ControlPlaneRequestError(`${where}: 200 with a body that is not JSON`, false, status));
            else resolve(body);
            return;
          }
          const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
          const detail = error ? `${String(error.code)}: ${String(error.message)}` : text.slice(0, 200);
          reject(new ControlPlaneRequestError(`${where}: HTTP ${status} (${detail})`, status >= 500 || status === 429, status));
        });
      };
      const req = this.secure ? https.request(options, onResponse) : http.request(options, onResponse);
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => reject(new ControlPlaneRequestError(`${where}: ${err.code ? `${err.code} ` : ''}${err.message}`, true)));
      req.end();
    });
  }

  private readTls(dir: string): TlsMaterial {
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
    return { ca: read('ca.crt'), cert: read('tls.crt'), key: read('tls.key') };
  }
}

function isIp(hostname: string): boolean {
  return /^[0-9.]+$/.test(hostname) || hostname.includes(':') || hostname.startsWith('[');
}
