/**
 * Entry point of the control-plane process (same image as the runtime, different command):
 *
 *   node lib/runtime/control-plane/main.js [--host 0.0.0.0] [--api-port 8081] [--admin-port 9090] [--pipelines-dir DIR]
 *
 * The lease store comes from the environment (RSPP_LEASE_STORE, RSPP_ETCD_ENDPOINTS, ...); with
 * RSPP_TLS_DIR the API is served over mutual TLS (the admin port stays plain HTTP); a pinned
 * RSPP_BUNDLE_DIGEST must name a servable bundle or the process refuses to start. On
 * SIGTERM/SIGINT it fails readiness at once, stops accepting, lets in-flight requests finish (at
 * most RSPP_DRAIN_SECONDS) and exits.
 */
import { createLeaseStoreFromEnv } from '../authority';
import { DEFAULT_DRAIN_SECONDS, DRAIN_SECONDS_ENV, RUNTIME_ENV } from '../contracts/runtime-interface';
import { ControlPlaneService, type ControlPlaneServiceOptions } from './control-plane-service';

interface CliOptions {
  host?: string;
  apiPort?: number;
  adminPort?: number;
  pipelinesDir?: string;
}

export function parseControlPlaneArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = {};
  const port = (flag: string, raw: string | undefined): number => {
    const value = Number(raw);
    if (raw === undefined || !/^[0-9]+$/.test(raw) || value > 65535) throw new Error(`${flag} needs a port number 0-65535, got ${raw ?? '(nothing)'}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--host':
        if (!value) throw new Error('--host needs an address');
        options.host = value;
        i++;
        break;
      case '--api-port':
        options.apiPort = port(flag, value);
        i++;
        break;
      case '--admin-port':
        options.adminPort = port(flag, value);
        i++;
        break;
      case '--pipelines-dir':
        if (!value) throw new Error('--pipelines-dir needs a directory');
        options.pipelinesDir = value;
        i++;
        break;
      default:
        throw new Error(`unknown argument ${flag}; usage: main.js [--host H] [--api-port P] [--admin-port P] [--pipelines-dir DIR]`);
    }
  }
  return options;
}

function log(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), component: 'control-plane', ...record })}\n`);
}

async function main(): Promise<void> {
  const cli = parseControlPlaneArgs(process.argv.slice(2));
  const rawDrain = process.env[DRAIN_SECONDS_ENV];
  const drainSeconds = rawDrain && /^[0-9]+$/.test(rawDrain) ? Number(rawDrain) : DEFAULT_DRAIN_SECONDS;
  const store = createLeaseStoreFromEnv({
    onTlsEvent: (event) =>
      event.kind === 'rotated'
        ? log({ level: 'info', msg: 'etcd client certificate rotated; reconnected with it, leases kept', certFile: event.certFile, notAfter: event.notAfter, watchesMoved: event.watchesMoved })
        : log({ level: 'error', msg: `etcd client certificate not usable; keeping the previous one: ${event.message}` }),
  });
  const tlsDir = process.env[RUNTIME_ENV.tlsDir]?.trim() || undefined;
  const options: ControlPlaneServiceOptions = { store, log, ...cli, ...(tlsDir ? { tlsDir } : {}) };
  const service = new ControlPlaneService(options);
  // The deployment's pinned bundle must be servable (and a digest): fail at start, not at the first turn.
  const pinned = process.env[RUNTIME_ENV.bundleDigest];
  if (pinned) service.catalog.resolve(pinned, RUNTIME_ENV.bundleDigest);
  const ports = await service.start();
  log({ level: 'info', msg: 'control plane listening', ...ports, apiScheme: service.apiScheme, leaseStore: store.kind, bundles: service.catalog.digests() });
  if (tlsDir) {
    log({ level: 'info', msg: 'control plane API serves HTTPS; clients must present a certificate signed by ca.crt (mTLS)', tlsDir });
  } else {
    log({ level: 'warn', msg: `control plane API serves plain HTTP: ${RUNTIME_ENV.tlsDir} is not set (no TLS, no client authentication)` });
  }

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log({ level: 'info', msg: 'draining', signal, drainSeconds });
    service.beginDrain();
    const deadline = setTimeout(() => {
      log({ level: 'warn', msg: 'drain deadline reached; exiting' });
      process.exit(0);
    }, Math.max(1, drainSeconds) * 1000);
    deadline.unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log({ level: 'error', msg: 'shutdown failed', error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    log({ level: 'fatal', msg: 'control plane failed to start', error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
}
