/**
 * One pod, all its cores: the primary process forks N worker processes (`node:cluster`) that share
 * the session port (the primary accepts and hands connections round-robin). Each worker is a whole
 * `RuntimeServer`: its own authority lease (`<pod>-w<i>`), its own sessions, its own admin listener
 * on 127.0.0.1 (random port, exclusive). The primary serves the pod's one admin port:
 *
 *   - `/metrics`: the workers' expositions merged (`mergeExpositions`: sums; lease epoch and
 *     draining take the largest value) plus `rspp_runtime_workers` and
 *     `rspp_worker_sessions_active{worker}`;
 *   - `/readyz`: ready only while every worker is ready (a worker without its lease would refuse
 *     the sessions the primary hands it);
 *   - `/healthz`: the primary's loop turns.
 *
 * SIGTERM → `drain()`: every worker gets SIGTERM at once and drains in parallel within the one
 * `drainSeconds`; the primary waits for every exit (a worker still alive 5 s past the deadline is
 * killed and the drain fails). A worker that dies outside a drain is logged and replaced.
 */
import cluster, { type Worker } from 'cluster';
import * as http from 'http';
import * as fs from 'fs';
import * as os from 'os';
import { METRICS, PATHS } from '../../contracts/runtime-interface';
import { AdminServer, isReady, type ReadinessChecks } from '../admin/admin-server';
import type { ServerLogger } from '../logging/server-logger';
import { mergeExpositions } from '../metrics/merge-exposition';
import { Gauge, MetricsRegistry } from '../metrics/metrics-registry';

/** Message a worker sends the primary once its `RuntimeServer` is listening and holds its lease. */
export interface WorkerReadyMessage {
  readonly type: 'rspp-worker-ready';
  readonly adminPort: number;
  readonly sessionPort: number;
}

/** Env var carrying a worker's index (0-based) from the primary to the worker. */
export const WORKER_INDEX_ENV = 'RSPP_WORKER_INDEX';

/** Grace after the drain deadline before a worker still running is killed. */
const DRAIN_KILL_GRACE_MS = 5_000;
/** A worker busy with sessions may answer its admin port late; Prometheus' own scrape timeout is 10 s. */
const SCRAPE_TIMEOUT_MS = 5_000;

/**
 * Worker count when `RSPP_WORKERS` is not set: the container's CPU limit from the cgroup (v2
 * `cpu.max`, v1 `cpu.cfs_quota_us`/`cpu.cfs_period_us`), rounded up; 1 without a limit (an
 * unlimited container shares the node: one worker per node core would over-subscribe it).
 * Never more than the cores this process may run on.
 */
export function workersFromCgroup(root = '/sys/fs/cgroup', cores = availableCores()): number {
  const read = (file: string): string | undefined => {
    try {
      return fs.readFileSync(`${root}/${file}`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  let limit: number | undefined;
  const v2 = read('cpu.max');
  if (v2 !== undefined) {
    const [quota, period] = v2.split(/\s+/);
    if (quota !== 'max' && Number(period) > 0) limit = Number(quota) / Number(period);
  } else {
    const quota = Number(read('cpu/cpu.cfs_quota_us') ?? read('cpu.cfs_quota_us'));
    const period = Number(read('cpu/cpu.cfs_period_us') ?? read('cpu.cfs_period_us'));
    if (quota > 0 && period > 0) limit = quota / period;
  }
  if (limit === undefined || !Number.isFinite(limit) || limit <= 0) return 1;
  return Math.max(1, Math.min(cores, Math.ceil(limit - 1e-9)));
}

function availableCores(): number {
  // os.availableParallelism honours the affinity mask (taskset, cpuset).
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** `configured` (`RSPP_WORKERS`) if set, else the cgroup CPU limit. */
export function resolveWorkerCount(configured: number | undefined, fromCgroup: () => number = () => workersFromCgroup()): number {
  return configured ?? fromCgroup();
}

export interface WorkerPoolProps {
  readonly workers: number;
  /** Admin listener of the pod (the workers' own admin ports are loopback-only). */
  readonly adminHost: string;
  readonly adminPort: number;
  /** The one drain time every worker drains within. */
  readonly drainSeconds: number;
  readonly logger: ServerLogger;
  /** Extra env for the workers. */
  readonly env?: NodeJS.ProcessEnv;
  /** How long a worker may take to report ready. @default 60000 */
  readonly startTimeoutMs?: number;
}

interface WorkerSlot {
  readonly index: number;
  worker: Worker;
  adminPort: number;
  sessionPort: number;
}

/** The primary side: forks and supervises the workers, serves the pod's admin endpoints. */
export class WorkerPool {
  private readonly slots: WorkerSlot[] = [];
  private readonly admin: AdminServer;
  private readonly registry = new MetricsRegistry();
  private readonly workersGauge: Gauge;
  private readonly workerSessions: Gauge;
  private draining = false;
  private drainPromise: Promise<void> | undefined;

  static async start(props: WorkerPoolProps): Promise<WorkerPool> {
    if (!cluster.isPrimary) throw new Error('WorkerPool.start: only the primary process forks workers');
    if (!Number.isInteger(props.workers) || props.workers < 1) throw new RangeError(`WorkerPool: workers must be an integer >= 1, got ${props.workers}`);
    const pool = new WorkerPool(props);
    try {
      await Promise.all(Array.from({ length: props.workers }, (_, i) => pool.fork(i)));
      await pool.admin.listen();
    } catch (err) {
      for (const slot of pool.slots) slot.worker.process.kill('SIGKILL');
      await pool.admin.close();
      throw err;
    }
    props.logger.log('info', 'runtime workers started', {
      workers: props.workers,
      session_port: pool.sessionPort,
      admin_port: pool.adminPort,
      pids: pool.pids,
    });
    return pool;
  }

  private constructor(private readonly props: WorkerPoolProps) {
    this.workersGauge = this.registry.gauge('rspp_runtime_workers', 'Worker processes of this pod serving sessions.');
    this.workerSessions = this.registry.gauge('rspp_worker_sessions_active', 'Sessions currently open, by worker process of this pod.', ['worker']);
    this.admin = new AdminServer({
      host: props.adminHost,
      port: props.adminPort,
      readiness: () => this.readiness(),
      renderMetrics: () => this.renderMetrics(),
    });
  }

  get size(): number {
    return this.slots.length;
  }

  get pids(): number[] {
    return this.slots.map((s) => s.worker.process.pid ?? 0);
  }

  /** The shared session port (as the workers bound it). */
  get sessionPort(): number {
    return this.slots[0]?.sessionPort ?? 0;
  }

  get adminPort(): number {
    return this.admin.port;
  }

  private fork(index: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = cluster.fork({ ...this.props.env, [WORKER_INDEX_ENV]: String(index) });
      const timer = setTimeout(() => {
        worker.process.kill('SIGKILL');
        reject(new Error(`runtime worker ${index} did not report ready within ${this.props.startTimeoutMs ?? 60_000} ms`));
      }, this.props.startTimeoutMs ?? 60_000);
      const onExit = (code: number | null, signal: string | null) => {
        clearTimeout(timer);
        reject(new Error(`runtime worker ${index} exited (${signal ?? code}) before it was ready; its log lines above name the cause`));
      };
      worker.once('exit', onExit);
      worker.on('message', (m: WorkerReadyMessage) => {
        if (m?.type !== 'rspp-worker-ready') return;
        clearTimeout(timer);
        worker.off('exit', onExit);
        const slot: WorkerSlot = { index, worker, adminPort: m.adminPort, sessionPort: m.sessionPort };
        const at = this.slots.findIndex((s) => s.index === index);
        if (at >= 0) this.slots[at] = slot;
        else this.slots.push(slot);
        this.slots.sort((a, b) => a.index - b.index);
        worker.once('exit', (code, signal) => this.onWorkerExit(slot, code, signal));
        resolve();
      });
    });
  }

  private onWorkerExit(slot: WorkerSlot, code: number | null, signal: string | null): void {
    if (this.draining) return;
    this.props.logger.log('error', 'runtime worker exited; starting a replacement (its sessions are gone)', {
      worker: slot.index,
      code,
      signal,
    });
    this.fork(slot.index).catch((err: Error) => this.props.logger.log('error', 'runtime worker replacement failed', { worker: slot.index, error: err.message }));
  }

  private get(port: number, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path, timeout: SCRAPE_TIMEOUT_MS, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${SCRAPE_TIMEOUT_MS} ms`)));
      req.on('error', reject);
    });
  }

  /** Each live worker's `/metrics` text, in worker order. */
  async workerMetrics(): Promise<{ index: number; text: string }[]> {
    const live = this.slots.filter((s) => !s.worker.isDead());
    return Promise.all(live.map(async (s) => ({ index: s.index, text: (await this.get(s.adminPort, PATHS.metrics)).body })));
  }

  /** Sessions open on each worker (from its `rspp_sessions_active`). */
  async sessionsPerWorker(): Promise<number[]> {
    return (await this.workerMetrics()).map((w) => sessionsActive(w.text));
  }

  async renderMetrics(): Promise<string> {
    const workers = await this.workerMetrics();
    this.workersGauge.set(workers.length);
    for (const w of workers) this.workerSessions.labels(String(w.index)).set(sessionsActive(w.text));
    return mergeExpositions([...workers.map((w) => w.text), this.registry.render()], new Set([METRICS.leaseEpoch, METRICS.draining]));
  }

  async readiness(): Promise<ReadinessChecks> {
    const checks = await Promise.all(
      this.slots.map(async (s): Promise<ReadinessChecks> => {
        try {
          const body = JSON.parse((await this.get(s.adminPort, PATHS.readyz)).body) as { checks: Record<string, boolean> };
          return { leaseHeld: body.checks.lease_held, storeReachable: body.checks.store_reachable, notDraining: body.checks.not_draining };
        } catch {
          return { leaseHeld: false, storeReachable: false, notDraining: !this.draining };
        }
      }),
    );
    return {
      leaseHeld: checks.length === this.props.workers && checks.every((c) => c.leaseHeld),
      storeReachable: checks.every((c) => c.storeReachable),
      notDraining: !this.draining && checks.every((c) => c.notDraining),
    };
  }

  /** True when every worker is ready (`/readyz` of the pod). */
  async ready(): Promise<boolean> {
    return isReady(await this.readiness());
  }

  /**
   * SIGTERM to every worker at once; resolves when all have exited with 0 within the drain time
   * (plus a kill grace); rejects naming the workers that failed or had to be killed. Idempotent.
   */
  drain(): Promise<void> {
    this.drainPromise ??= this.runDrain();
    return this.drainPromise;
  }

  private async runDrain(): Promise<void> {
    this.draining = true;
    const deadline = this.props.drainSeconds * 1000 + DRAIN_KILL_GRACE_MS;
    const failures: string[] = [];
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.worker.isDead()) return resolve();
            const timer = setTimeout(() => {
              failures.push(`worker ${s.index} still running ${deadline} ms after SIGTERM: killed`);
              s.worker.process.kill('SIGKILL');
            }, deadline);
            s.worker.once('exit', (code, signal) => {
              clearTimeout(timer);
              if (code !== 0 && !failures.some((f) => f.startsWith(`worker ${s.index} `))) failures.push(`worker ${s.index} exited with ${signal ?? code}`);
              resolve();
            });
            s.worker.process.kill('SIGTERM');
          }),
      ),
    );
    await this.admin.close();
    if (failures.length > 0) throw new Error(`drain of ${this.slots.length} runtime workers failed: ${failures.join('; ')}`);
  }

  /** Kills every worker at once (tests, failed starts). */
  async stop(): Promise<void> {
    this.draining = true;
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.worker.isDead()) return resolve();
            s.worker.once('exit', () => resolve());
            s.worker.process.kill('SIGKILL');
          }),
      ),
    );
    await this.admin.close();
  }
}

function sessionsActive(text: string): number {
  const m = new RegExp(`^${METRICS.sessionsActive} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Worker side: tell the primary this worker serves (no-op outside a cluster worker). */
export function announceWorkerReady(ports: { adminPort: number; sessionPort: number }): void {
  if (!cluster.isWorker || !process.send) return;
  const message: WorkerReadyMessage = { type: 'rspp-worker-ready', ...ports };
  process.send(message);
}

/** Worker side: the worker index the primary gave this process, or undefined outside a cluster worker. */
export function workerIndex(env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (!cluster.isWorker) return undefined;
  const raw = env[WORKER_INDEX_ENV];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

