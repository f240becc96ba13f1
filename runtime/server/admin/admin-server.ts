/**
 * The admin listener: `/healthz` (process alive), `/readyz` (lease held, lease store reachable, not
 * draining) and `/metrics` (Prometheus text). Paths and port come from the shared runtime interface,
 * so the probes the `RsppRuntime` construct declares hit exactly these handlers.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { PATHS } from '../../contracts/runtime-interface';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/metrics-registry';

/** One readiness check's state; all must be true for `/readyz` to answer 200. */
export interface ReadinessChecks {
  /** This process holds its authority lease. */
  readonly leaseHeld: boolean;
  /** The last lease store probe answered in time. */
  readonly storeReachable: boolean;
  /** Drain has not started. */
  readonly notDraining: boolean;
}

export interface AdminServerProps {
  /** Interface to bind. */
  readonly host: string;
  /** Port to bind; 0 picks a free port (see `port` after `listen()`). */
  readonly port: number;
  /** Current readiness, evaluated on every `/readyz` request (cheap; asynchronous for a pod's worker pool). */
  readonly readiness: () => ReadinessChecks | Promise<ReadinessChecks>;
  /** Prometheus exposition, rendered on every `/metrics` request (asynchronous for a pod's worker pool). */
  readonly renderMetrics: () => string | Promise<string>;
  /** Why the process is not ready, added to a 503 `/readyz` body as `reason`. @default none */
  readonly notReadyReason?: () => string | undefined;
}

export function isReady(checks: ReadinessChecks): boolean {
  return checks.leaseHeld && checks.storeReachable && checks.notDraining;
}

export class AdminServer {
  private readonly server: http.Server;
  private boundPort = 0;

  constructor(private readonly props: AdminServerProps) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    // Probes are tiny; keep-alive sockets from kubelet/Prometheus must not hold a drain open.
    this.server.keepAliveTimeout = 5_000;
  }

  /** Bound port (valid after `listen()`, kept after `close()`). */
  get port(): number {
    return this.boundPort;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`admin server: cannot listen on ${this.props.host}:${this.props.port}: ${err.message}`));
      this.server.once('error', onError);
      // exclusive: a cluster worker binds its own admin port instead of sharing the primary's.
      this.server.listen({ port: this.props.port, host: this.props.host, exclusive: true }, () => {
        this.server.off('error', onError);
        this.boundPort = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const pathname = url.indexOf('?') === -1 ? url : url.slice(0, url.indexOf('?'));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    switch (pathname) {
      case PATHS.healthz:
        // Answering at all proves the event loop turns; that is all liveness should claim.
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end('ok\n');
        return;
      case PATHS.readyz:
        this.answer(res, this.props.readiness(), (checks) => {
          const ready = isReady(checks);
          const reason = ready ? undefined : this.props.notReadyReason?.();
          const body = JSON.stringify({
            ready,
            checks: { lease_held: checks.leaseHeld, store_reachable: checks.storeReachable, not_draining: checks.notDraining },
            ...(reason !== undefined ? { reason } : {}),
          });
          res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(body + '\n');
        });
        return;
      case PATHS.metrics:
        this.answer(res, this.props.renderMetrics(), (text) => {
          res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
          res.end(text);
        });
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`not found; try ${PATHS.healthz}, ${PATHS.readyz} or ${PATHS.metrics}\n`);
    }
  }

  /** Writes a synchronous value at once, an asynchronous one when it settles (500 naming the error if it fails). */
  private answer<T>(res: http.ServerResponse, value: T | Promise<T>, write: (value: T) => void): void {
    if (!(value instanceof Promise)) return write(value);
    value.then(write, (err: Error) => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`cannot collect from the worker processes: ${err.message}\n`);
    });
  }
}
