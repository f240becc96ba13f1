/**
 * Process entrypoint of the runtime image (`node lib/runtime/server/main.js`) and of `npm start`.
 * Reads the configuration from the environment (and `RSPP_CONFIG_FILE`), starts the server, and
 * drains on SIGTERM/SIGINT: exit code 0 after a completed drain, 1 on a start or drain failure.
 * Without a control plane yet it does not exit: it stays alive and not ready, retrying (see
 * `control-plane/startup-bundle.ts`).
 *
 * With more than one worker (`RSPP_WORKERS`, else the container's cgroup CPU limit) the process is
 * the pod's primary (`startPod`): it forks that many workers of this same module (`node:cluster`),
 * each a whole server on the shared session port with its own lease (`<pod>-w<i>`), and serves the
 * pod's admin port itself (merged `/metrics`, `/readyz` of all workers). SIGTERM drains every worker
 * at once within the one drain time.
 */
import cluster from 'cluster';
import { RUNTIME_ENV } from '../contracts/runtime-interface';
import { AdminServer } from './admin/admin-server';
import { announceWorkerReady, resolveWorkerCount, WorkerPool, workerIndex } from './cluster/worker-pool';
import { loadServerConfig, ServerConfigError, type ServerConfig } from './config/server-config';
import { resolveStartupBundle, type StartupRetryPolicy, type StartupWaitStatus } from './control-plane/startup-bundle';
import { JsonLineLogger, type ServerLogger } from './logging/server-logger';
import { RuntimeServer } from './runtime-server';

export interface MainOptions {
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default JSON lines on stderr */
  readonly logger?: ServerLogger;
  /** Install SIGTERM/SIGINT handlers that drain and exit. @default true */
  readonly handleSignals?: boolean;
  /** Retries of the startup bundle fetch (with `RSPP_CONTROL_PLANE_URL`). @default StartupRetryPolicy defaults */
  readonly controlPlaneRetry?: StartupRetryPolicy;
}

export async function main(options: MainOptions = {}): Promise<RuntimeServer> {
  const logger = options.logger ?? new JsonLineLogger();
  const env = options.env ?? process.env;
  // A pool worker: its own lease and a loopback admin port; the primary serves the pod's.
  const worker = workerIndex(env);
  const base = loadServerConfig(env);
  const config = worker === undefined ? base : loadServerConfig(env, { podName: `${base.podName}-w${worker}`, adminPort: 0 });
  // Sessions are served only once the pinned bundle is resolved and verified. Meanwhile the admin
  // port answers: /healthz 200 (alive, so no restart) and /readyz 503 with the reason (a pool's
  // primary answers for its workers, which are not ready until each has its bundle).
  const waiting = worker === undefined && config.controlPlaneUrl !== undefined ? await startWaitingAdmin(config, logger) : undefined;
  let startup: Awaited<ReturnType<typeof resolveStartupBundle>>;
  try {
    startup = await resolveStartupBundle({
      config,
      env,
      logger,
      ...(options.controlPlaneRetry ? { retry: options.controlPlaneRetry } : {}),
      ...(waiting ? { onWaiting: waiting.onWaiting } : {}),
    });
  } finally {
    await waiting?.admin.close();
  }
  // The same mTLS client (and its keep-alive connections) answers every turn start in
  // control-plane mode; the server closes it on stop.
  const controlPlane = startup.source === 'control-plane' ? startup.client : undefined;
  logger.log('info', `turn start: ${config.turnStartMode}`, {
    turn_start: config.turnStartMode,
    ...(config.turnStartMode === 'control-plane' ? { timeout_ms: config.turnStartTimeoutMs, tenant_id: config.tenantId } : {}),
  });
  let server: RuntimeServer;
  try {
    server = await RuntimeServer.start({ config, logger, ...(controlPlane ? { controlPlane } : {}), ...(worker !== undefined ? { adminHost: '127.0.0.1' } : {}) });
  } catch (err) {
    controlPlane?.close();
    throw err;
  }
  if (options.handleSignals !== false) {
    let draining = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (draining) return;
      draining = true;
      logger.log('info', `${signal} received: draining`, { drain_seconds: config.drainSeconds });
      server.drain().then(
        () => process.exit(0),
        (err: Error) => {
          logger.log('error', 'drain failed', { error: err.message });
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  if (worker !== undefined) announceWorkerReady({ adminPort: server.adminPort, sessionPort: server.sessionPort });
  return server;
}

/** The admin endpoints while the bundle is being resolved: alive, not ready, and why. */
async function startWaitingAdmin(config: ServerConfig, logger: ServerLogger): Promise<{ admin: AdminServer; onWaiting: (status: StartupWaitStatus) => void }> {
  let reason = `resolving the pinned bundle from the control plane at ${config.controlPlaneUrl}`;
  const admin = new AdminServer({
    host: config.host,
    port: config.adminPort,
    readiness: () => ({ leaseHeld: false, storeReachable: false, notDraining: true }),
    notReadyReason: () => reason,
    renderMetrics: () => '',
  });
  await admin.listen();
  logger.log('info', 'waiting for the pinned bundle: /healthz 200, /readyz 503 until it is resolved', { admin_port: admin.port, control_plane_url: config.controlPlaneUrl });
  return {
    admin,
    onWaiting: (status) => {
      reason = `waiting for the control plane at ${config.controlPlaneUrl}: attempt ${status.attempt} failed (${status.error}); next attempt in ${status.retryInMs} ms`;
    },
  };
}

/**
 * The pod's entrypoint: one server process (`main`) with one worker, else the primary of a
 * `WorkerPool` whose workers run `main` (this module). SIGTERM/SIGINT → every worker drains →
 * exit 0 (1 if a worker failed or outlived the drain time).
 */
export async function startPod(options: MainOptions = {}): Promise<RuntimeServer | WorkerPool> {
  const logger = options.logger ?? new JsonLineLogger();
  const config = loadServerConfig(options.env ?? process.env);
  const workers = resolveWorkerCount(config.workers);
  if (workers <= 1) return main(options);
  const pool = await WorkerPool.start({ workers, adminHost: config.host, adminPort: config.adminPort, drainSeconds: config.drainSeconds, logger });
  if (options.handleSignals !== false) {
    let draining = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (draining) return;
      draining = true;
      logger.log('info', `${signal} received: draining ${workers} workers`, { drain_seconds: config.drainSeconds });
      pool.drain().then(
        () => {
          logger.log('info', 'all workers drained', { workers });
          process.exit(0);
        },
        (err: Error) => {
          logger.log('error', 'drain failed', { error: err.message });
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return pool;
}

if (require.main === module && (process.argv.includes('--help') || process.argv.includes('-h'))) {
  process.stdout.write(
    `usage: npm start (node lib/runtime/server/main.js)\n  one runtime server process, configured from the environment: ${Object.values(RUNTIME_ENV).join(', ')}\n  (${RUNTIME_ENV.configFile} names a YAML/JSON file for the other fields); SIGTERM/SIGINT drain, then exit\n`,
  );
} else if (require.main === module) {
  (cluster.isWorker ? main() : startPod()).catch((err: Error) => {
    const message = err instanceof ServerConfigError ? err.message : `runtime server failed to start: ${err.message}`;
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'error', component: 'rspp-runtime-server', message }) + '\n');
    process.exit(1);
  });
}
