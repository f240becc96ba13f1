/**
 * Builds the process's lease store from its environment (the variables the constructs set):
 * `RSPP_LEASE_STORE` (`memory` | `etcd`, default `memory`), `RSPP_ETCD_ENDPOINTS` (comma-separated
 * client URLs), `RSPP_ETCD_TLS_DIR` (a mounted cert-manager secret: `ca.crt`, `tls.crt`, `tls.key`),
 * `RSPP_LEASE_TTL_SECONDS` (default DEFAULT_LEASE_TTL_SECONDS).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LEASE_TTL_SECONDS, RUNTIME_ENV } from '../contracts/runtime-interface';
import type { AuthorityClock } from './authority-clock';
import { EtcdLeaseStore, type EtcdTlsCredentials } from './etcd-lease-store';
import { InMemoryLeaseStore } from './in-memory-lease-store';
import { LeaseError } from './lease-errors';
import type { LeaseStore } from './lease-store';

export interface LeaseStoreFromEnvOptions {
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default systemAuthorityClock */
  readonly clock?: AuthorityClock;
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
    ...(tlsDir ? { tls: readTlsDir(tlsDir) } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

function readTlsDir(dir: string): EtcdTlsCredentials {
  const read = (name: string): Buffer => {
    try {
      return readFileSync(join(dir, name));
    } catch (error) {
      throw new LeaseError(
        'invalid_request',
        `${RUNTIME_ENV.etcdTlsDir}: cannot read ${join(dir, name)} (${(error as NodeJS.ErrnoException).code ?? 'error'}); ` +
          'mount a secret with ca.crt, tls.crt and tls.key there',
      );
    }
  };
  return { caCertificate: read('ca.crt'), certificateChain: read('tls.crt'), privateKey: read('tls.key') };
}
