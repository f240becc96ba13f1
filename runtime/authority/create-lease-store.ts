/**
 * Builds the process's lease store from its environment (the variables the constructs set):
 * `RSPP_LEASE_STORE` (`memory` | `etcd`, default `memory`), `RSPP_ETCD_ENDPOINTS` (comma-separated
 * client URLs), `RSPP_ETCD_TLS_DIR` (a mounted cert-manager secret: `ca.crt`, `tls.crt`, `tls.key`),
 * `RSPP_LEASE_TTL_SECONDS` (default DEFAULT_LEASE_TTL_SECONDS). The TLS directory is followed on disk
 * (see `EtcdLeaseStoreOptions.tlsDir`): a renewed client certificate is used without a restart.
 */
import { DEFAULT_LEASE_TTL_SECONDS, RUNTIME_ENV } from '../contracts/runtime-interface';
import type { AuthorityClock } from './authority-clock';
import { EtcdLeaseStore, type EtcdTlsEvent } from './etcd-lease-store';
import { InMemoryLeaseStore } from './in-memory-lease-store';
import { LeaseError } from './lease-errors';
import type { LeaseStore } from './lease-store';

export interface LeaseStoreFromEnvOptions {
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default systemAuthorityClock */
  readonly clock?: AuthorityClock;
  /** Period of the etcd client certificate rotation check. @default DEFAULT_TLS_RELOAD_INTERVAL_MS (15 s) */
  readonly tlsReloadIntervalMs?: number;
  /** etcd client certificate rotations and rejections, for the process log. @default none */
  readonly onTlsEvent?: (event: EtcdTlsEvent) => void;
}

export function leaseTtlSecondsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env[RUNTIME_ENV.leaseTtlSeconds];
  if (raw === undefined || raw === '') return DEFAULT_LEASE_TTL_SECONDS;
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value < 1) {
    throw new LeaseError('invalid_request', `${RUNTIME_ENV.leaseTtlSeconds}="${raw}" must be a whole number of seconds >= 1`);
  }
  return value;
}

export function createLeaseStoreFromEnv(options: LeaseStoreFromEnvOptions = {}): LeaseStore {
  const env = options.env ?? process.env;
  const kind = env[RUNTIME_ENV.leaseStore] ?? 'memory';
  const defaultTtlSeconds = leaseTtlSecondsFromEnv(env);
  if (kind === 'memory') {
    return new InMemoryLeaseStore({ defaultTtlSeconds, ...(options.clock ? { clock: options.clock } : {}) });
  }
  if (kind !== 'etcd') {
    throw new LeaseError('invalid_request', `${RUNTIME_ENV.leaseStore}="${kind}" is not supported; use "memory" or "etcd"`);
  }
  const endpoints = (env[RUNTIME_ENV.etcdEndpoints] ?? '')
    .split(',')
    .map((endpoint) => endpoint.trim())
    .filter((endpoint) => endpoint.length > 0);
  if (endpoints.length === 0) {
    throw new LeaseError('invalid_request', `${RUNTIME_ENV.etcdEndpoints} must list etcd client URLs when ${RUNTIME_ENV.leaseStore}=etcd`);
  }
  const tlsDir = env[RUNTIME_ENV.etcdTlsDir];
  return new EtcdLeaseStore({
    endpoints,
    defaultTtlSeconds,
    // The mounted Secret is followed on disk: cert-manager's renewal reaches the running client.
    ...(tlsDir ? { tlsDir } : {}),
    ...(options.tlsReloadIntervalMs === undefined ? {} : { tlsReloadIntervalMs: options.tlsReloadIntervalMs }),
    ...(options.onTlsEvent ? { onTlsEvent: options.onTlsEvent } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
