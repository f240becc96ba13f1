/**
 * Starts a RuntimeServer on 127.0.0.1 with random free ports for one test, and HTTP helpers for
 * its admin endpoints. Every server started here must be stopped by the test (afterEach).
 */
import { InMemoryLeaseStore, type LeaseStore } from '../../../runtime/authority';
import { loadServerConfig, type ServerConfig } from '../../../runtime/server/config/server-config';
import { MemoryEvidenceSink } from '../../../runtime/server/evidence/evidence-sink';
import { RuntimeServer } from '../../../runtime/server/runtime-server';
import { SessionClient } from '../../../runtime/server/client/session-client';

export interface TestServer {
  readonly server: RuntimeServer;
  readonly evidence: MemoryEvidenceSink;
  readonly store: LeaseStore;
  connect(sessionId?: string): Promise<SessionClient>;
  get(path: string): Promise<{ status: number; body: string; contentType: string | null }>;
  /** Stops the server (no drain) and closes the lease store. */
  stop(): Promise<void>;
}

export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  options: { readonly store?: LeaseStore; readonly tickIntervalMs?: number; readonly keepaliveIntervalMs?: number } = {},
): Promise<TestServer> {
  const config = loadServerConfig({}, { host: '127.0.0.1', sessionPort: 0, adminPort: 0, podName: 'test-pod', ...overrides });
  const evidence = new MemoryEvidenceSink();
  const store = options.store ?? new InMemoryLeaseStore({ defaultTtlSeconds: config.leaseTtlSeconds });
  const server = await RuntimeServer.start({
    config,
    evidence,
    leaseStore: store,
    ...(options.tickIntervalMs !== undefined ? { tickIntervalMs: options.tickIntervalMs } : {}),
    ...(options.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: options.keepaliveIntervalMs } : {}),
  });
  return {
    server,
    evidence,
    store,
    connect: (sessionId) => SessionClient.connect(SessionClient.url('127.0.0.1', server.sessionPort, sessionId)),
    get: async (path) => {
      const res = await fetch(`http://127.0.0.1:${server.adminPort}${path}`);
      return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') };
    },
    stop: async () => {
      await server.stop();
      await store.close();
    },
  };
}

/** Value of an unlabelled (or exactly-labelled) sample in a Prometheus text exposition. */
export function metricValue(exposition: string, series: string): number | undefined {
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (line.slice(0, space) === series) return Number(line.slice(space + 1));
  }
  return undefined;
}
