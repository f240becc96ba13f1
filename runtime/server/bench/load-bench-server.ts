/**
 * Load bench server process, driven by `load-bench.ts` over IPC: one `RuntimeServer` (embedded
 * defaults, its own in-memory lease store, 127.0.0.1, random ports), or with `workers > 1` a
 * `WorkerPool` of that many worker processes sharing one session port (what the image runs with
 * `RSPP_WORKERS`; each worker its own lease and sessions), or the bare `ws` echo baseline
 * (`echo-server.ts`). A process of its own, so the bench can give it the Node flags a production
 * server process gets (`--max-semi-space-size`), pin it to cores, run more than one of them
 * (`--servers`), and read its (and its workers') CPU from /proc. Exits after `stop`, or when the
 * coordinator goes away.
 */
import cluster from 'cluster';
import { monitorEventLoopDelay } from 'perf_hooks';
import { InMemoryLeaseStore } from '../../authority';
import { announceWorkerReady, WorkerPool, workerIndex } from '../cluster/worker-pool';
import { loadServerConfig, type ServerConfig } from '../config/server-config';
import { silentLogger } from '../logging/server-logger';
import { RuntimeServer } from '../runtime-server';
import { EchoServer } from './echo-server';
import type { BenchServerKind, CoordinatorToServer, ServerToCoordinator } from './load-bench-protocol';

function send(message: ServerToCoordinator): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, {}, (err) => (err ? reject(err) : resolve())));
}

function benchConfig(index: number, maxSessions: number): ServerConfig {
  return loadServerConfig({}, { host: '127.0.0.1', sessionPort: 0, adminPort: 0, podName: `load-bench-${index}`, maxSessions });
}

/** What the coordinator drives: the server under test in this process, or the pool of its workers. */
interface BenchTarget {
  readonly sessionPort: number;
  sessionsPerWorker(): Promise<number[]>;
  readonly workerPids: readonly number[];
  stop(): Promise<void>;
}

async function startTarget(kind: BenchServerKind, index: number, maxSessions: number, workers: number): Promise<BenchTarget> {
  const config = benchConfig(index, maxSessions);
  if (kind === 'echo') {
    const echo = await EchoServer.start({ host: config.host, port: 0, maxFrameBytes: config.maxFrameBytes, profile: config.profile });
    return { sessionPort: echo.sessionPort, sessionsPerWorker: async () => [echo.sessionCount], workerPids: [], stop: () => echo.stop() };
  }
  if (workers > 1) {
    const pool = await WorkerPool.start({
      workers,
      adminHost: '127.0.0.1',
      adminPort: 0,
      drainSeconds: config.drainSeconds,
      logger: silentLogger,
      env: { LOAD_BENCH_SERVER_INDEX: String(index), LOAD_BENCH_MAX_SESSIONS: String(maxSessions) },
    });
    return { sessionPort: pool.sessionPort, sessionsPerWorker: () => pool.sessionsPerWorker(), workerPids: pool.pids, stop: () => pool.stop() };
  }
  const store = new InMemoryLeaseStore();
  const server = await RuntimeServer.start({ config, leaseStore: store });
  return {
    sessionPort: server.sessionPort,
    sessionsPerWorker: async () => [server.sessionCount],
    workerPids: [],
    stop: async () => {
      await server.stop();
      await store.close();
    },
  };
}

/** A worker of `--workers N`: one RuntimeServer with its own lease, on the port the pool shares. */
async function runWorker(): Promise<void> {
  const index = Number(process.env.LOAD_BENCH_SERVER_INDEX);
  const config = loadServerConfig({}, { ...benchConfig(index, Number(process.env.LOAD_BENCH_MAX_SESSIONS)), podName: `load-bench-${index}-w${workerIndex()}` });
  const store = new InMemoryLeaseStore();
  const server = await RuntimeServer.start({ config, leaseStore: store, adminHost: '127.0.0.1' });
  process.once('SIGTERM', () => void server.drain().finally(() => process.exit(0)));
  announceWorkerReady({ adminPort: server.adminPort, sessionPort: server.sessionPort });
}

async function run(kind: BenchServerKind, index: number, maxSessions: number, workers: number): Promise<void> {
  const target = await startTarget(kind, index, maxSessions, workers);
  const rssBefore = process.memoryUsage.rss();
  let rssMax = rssBefore;
  let rssTimer: NodeJS.Timeout | undefined;
  let cpuStart = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  // Sessions per worker when the load starts (at report time the clients have gone).
  let sessionsAtStart: number[] = [];
  const stop = async () => {
    if (rssTimer) clearInterval(rssTimer);
    await target.stop();
    process.disconnect();
  };
  process.on('disconnect', () => void target.stop().finally(() => process.exit(0)));
  process.on('message', (message: CoordinatorToServer) => {
    switch (message.type) {
      case 'measure':
        rssMax = process.memoryUsage.rss();
        rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 250);
        cpuStart = process.cpuUsage();
        loopDelay.enable();
        target.sessionsPerWorker().then(
          (perWorker) => {
            sessionsAtStart = perWorker;
            return send({ type: 'measuring', sessions: perWorker.reduce((a, b) => a + b, 0) });
          },
          (err: Error) => send({ type: 'failed', message: `cannot count the sessions per worker: ${err.message}` }),
        );
        return;
      case 'report': {
        // No scrape of busy workers here: the sessions were counted when the load started.
        const cpu = process.cpuUsage(cpuStart);
        loopDelay.disable();
        if (rssTimer) clearInterval(rssTimer);
        void send({
          type: 'report',
          report: {
            sessions: sessionsAtStart.reduce((a, b) => a + b, 0),
            rssBeforeBytes: rssBefore,
            rssMaxBytes: Math.max(rssMax, process.memoryUsage.rss()),
            cpuUserMs: cpu.user / 1000,
            cpuSystemMs: cpu.system / 1000,
            eventLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
            sessionsPerWorker: sessionsAtStart,
            workerPids: target.workerPids,
          },
        });
        return;
      }
      case 'stop':
        void stop();
        return;
      default:
        return;
    }
  });
  await send({ type: 'listening', port: target.sessionPort, workerPids: target.workerPids });
}

if (cluster.isWorker) {
  runWorker().catch((err: Error) => {
    process.stderr.write(`load-bench worker: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
} else {
  process.once('message', (message: CoordinatorToServer) => {
    if (message.type !== 'start') return;
    run(message.server, message.index, message.maxSessions, message.workers).catch((err: Error) => {
      void send({ type: 'failed', message: err.stack ?? err.message }).finally(() => process.exit(1));
    });
  });
}
