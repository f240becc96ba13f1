/**
 * The production lease store on etcd (v3 API through the `etcd3` client).
 *
 * Layout, per lease key K under `keyPrefix` (default `/rspp/authority`):
 * - `<prefix>/holder/K` — `{"holderId","epoch"}`, attached to an etcd lease (vanishes on expiry);
 * - `<prefix>/epoch/K`  — the highest epoch ever granted for K, a decimal string, not leased, so it
 *   survives the holder and the next grant continues above it.
 *
 * Acquire is one transaction: `holder` absent (create_revision 0) AND `epoch` unchanged since read
 * (compare-and-swap on mod_revision) THEN put `holder` (with the lease) and `epoch + 1`. Two
 * contenders can never both win, and the epoch is strictly greater than every epoch before it.
 *
 * Loss: renewal answered "lease not found" (TTL 0), or a watch on the holder key sees it deleted or
 * overwritten → immediate loss; renewals failing for a whole TTL (partition) → self-deauthorization
 * (see held-lease.ts).
 */
import type { Etcd3, IOptions, Lease as EtcdLease, Watcher } from 'etcd3';
import { DEFAULT_LEASE_TTL_SECONDS } from '../contracts/runtime-interface';
import { systemAuthorityClock, type AuthorityClock } from './authority-clock';
import { verdictFromState } from './epoch-fence';
import { sameLeaseState } from './lease-state';
import { HeldLease, messageOf } from './held-lease';
import { LeaseError, LeaseUnavailableError } from './lease-errors';
import { assertLeaseKey, assertTtlSeconds, normalizeLeaseRequest, type NormalizedLeaseRequest } from './lease-request';
import type {
  AuthorityLease,
  EpochVerdict,
  LeaseHolder,
  LeaseRequest,
  LeaseState,
  LeaseStore,
  LeaseStoreCloseOptions,
  LeaseStoreOptions,
  LeaseWatch,
} from './lease-store';

/** Client TLS material (PEM bytes) for mTLS to etcd. */
export interface EtcdTlsCredentials {
  readonly caCertificate: Buffer;
  /** Client certificate chain; with `privateKey`, for mutual TLS. */
  readonly certificateChain?: Buffer;
  readonly privateKey?: Buffer;
}

export interface EtcdLeaseStoreOptions extends LeaseStoreOptions {
  /** Client URLs, e.g. `https://rspp-etcd-0.rspp-etcd:2379`. At least one. */
  readonly endpoints: readonly string[];
  /**
   * TLS credentials. Required when an endpoint is `https://`.
   * @default none (plain http, development only)
   */
  readonly tls?: EtcdTlsCredentials;
  /**
   * Root of the store's keys in etcd.
   * @default '/rspp/authority'
   */
  readonly keyPrefix?: string;
  /**
   * Deadline of each unary etcd call (reads, transactions, grants).
   * @default 2000
   */
  readonly callTimeoutMs?: number;
  /**
   * Connection timeout.
   * @default 2000
   */
  readonly dialTimeoutMs?: number;
}

/**
 * etcd3 (with gRPC and protobufjs) is loaded on first use: a process on the embedded in-memory store
 * never pays its ~200 ms load time at start.
 */
function etcd3Module(): typeof import('etcd3') {
  return require('etcd3') as typeof import('etcd3'); // eslint-disable-line @typescript-eslint/no-require-imports
}

interface HolderRecord extends LeaseHolder {
  readonly raw: string;
}

interface KeyReading {
  readonly holder?: HolderRecord;
  readonly latestEpoch: number;
  /** mod_revision of the epoch key ('0' when absent), for the compare-and-swap. */
  readonly epochModRevision: string;
  /** Store revision of the reading; watches start after it. */
  readonly revision: string;
}

export class EtcdLeaseStore implements LeaseStore {
  readonly kind = 'etcd' as const;
  private readonly client: Etcd3;
  private readonly clock: AuthorityClock;
  private readonly defaultTtlSeconds: number;
  private readonly keyPrefix: string;
  private readonly callTimeoutMs: number;
  private readonly held = new Set<HeldLease>();
  private readonly watchers = new Set<Watcher>();
  private closed = false;

  constructor(options: EtcdLeaseStoreOptions) {
    if (!options || !Array.isArray(options.endpoints) || options.endpoints.length === 0) {
      throw new LeaseError('invalid_request', 'EtcdLeaseStoreOptions.endpoints must list at least one etcd client URL (e.g. http://127.0.0.1:2379)');
    }
    for (const endpoint of options.endpoints) {
      if (!/^https?:\/\/[^/\s]+$/.test(endpoint)) {
        throw new LeaseError('invalid_request', `EtcdLeaseStoreOptions.endpoints: "${endpoint}" is not an http(s)://host:port URL`);
      }
      if (endpoint.startsWith('https://') && !options.tls) {
        throw new LeaseError('invalid_request', `EtcdLeaseStoreOptions.tls is required for the https endpoint "${endpoint}"`);
      }
    }
    if (options.tls && (options.tls.certificateChain === undefined) !== (options.tls.privateKey === undefined)) {
      throw new LeaseError('invalid_request', 'EtcdLeaseStoreOptions.tls: certificateChain and privateKey go together (mutual TLS needs both)');
    }
    this.defaultTtlSeconds = options.defaultTtlSeconds ?? DEFAULT_LEASE_TTL_SECONDS;
    assertTtlSeconds(this.defaultTtlSeconds, 'EtcdLeaseStoreOptions.defaultTtlSeconds');
    this.keyPrefix = options.keyPrefix ?? '/rspp/authority';
    if (!/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(this.keyPrefix)) {
      throw new LeaseError('invalid_request', `EtcdLeaseStoreOptions.keyPrefix "${this.keyPrefix}" must start with "/" and not end with "/"`);
    }
    this.callTimeoutMs = options.callTimeoutMs ?? 2000;
    if (!(this.callTimeoutMs > 0)) {
      throw new LeaseError('invalid_request', `EtcdLeaseStoreOptions.callTimeoutMs must be > 0, got ${this.callTimeoutMs}`);
    }
    this.clock = options.clock ?? systemAuthorityClock;
    const clientOptions: IOptions = {
      hosts: [...options.endpoints],
      dialTimeout: options.dialTimeoutMs ?? 2000,
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + this.callTimeoutMs }),
      ...(options.tls
        ? {
            credentials: {
              rootCertificate: options.tls.caCertificate,
              ...(options.tls.privateKey ? { privateKey: options.tls.privateKey } : {}),
              ...(options.tls.certificateChain ? { certChain: options.tls.certificateChain } : {}),
            },
          }
        : {}),
    };
    this.client = new (etcd3Module().Etcd3)(clientOptions);
  }

  async acquire(request: LeaseRequest): Promise<AuthorityLease> {
    const normalized = normalizeLeaseRequest(request, this.defaultTtlSeconds);
    const waitUntil = this.clock.now() + normalized.waitMs;
    for (;;) {
      this.assertOpen('acquire');
      const reading = await this.read(normalized.key);
      if (reading.holder) {
        const remaining = waitUntil - this.clock.now();
        if (remaining <= 0 || !(await this.waitForDelete(this.holderKey(normalized.key), reading.revision, remaining))) {
          const holder = reading.holder;
          throw new LeaseUnavailableError(normalized.key, holder.holderId, holder.epoch);
        }
        continue;
      }
      const lease = await this.tryGrant(normalized, reading);
      if (lease) return lease;
      // Lost the compare-and-swap to a concurrent contender: read again.
    }
  }

  async inspect(key: string): Promise<LeaseState> {
    assertLeaseKey(key, 'EtcdLeaseStore.inspect');
    this.assertOpen('inspect');
    return toState(key, await this.read(key));
  }

  async validateEpoch(key: string, epoch: number | undefined): Promise<EpochVerdict> {
    return verdictFromState(await this.inspect(key), epoch);
  }

  async watch(key: string, listener: (state: LeaseState) => void): Promise<LeaseWatch> {
    assertLeaseKey(key, 'EtcdLeaseStore.watch');
    this.assertOpen('watch');
    const first = await this.read(key);
    listener(toState(key, first));
    let last = toState(key, first);
    let refreshing = Promise.resolve();
    const refresh = (): void => {
      refreshing = refreshing.then(async () => {
        try {
          const state = toState(key, await this.read(key));
          if (!sameLeaseState(state, last)) {
            last = state;
            listener(state);
          }
        } catch {
          // Unreachable store: the next event (or reconnection) refreshes again.
        }
      });
    };
    const watchers = await Promise.all(
      [this.holderKey(key), this.epochKey(key)].map((watched) =>
        this.client.watch().key(watched).startRevision(nextRevision(first.revision)).create(),
      ),
    );
    for (const watcher of watchers) {
      this.watchers.add(watcher);
      watcher.on('data', refresh);
      watcher.on('connected', refresh);
      watcher.on('error', () => undefined);
    }
    return {
      close: async () => {
        await Promise.all(watchers.map((watcher) => this.cancelWatcher(watcher)));
      },
    };
  }

  async close(options: LeaseStoreCloseOptions = {}): Promise<void> {
    if (this.closed) return;
    const release = options.releaseLeases ?? true;
    await Promise.all([...this.held].map((lease) => (release ? lease.release() : lease.markLost('store_closed'))));
    this.closed = true;
    await Promise.all([...this.watchers].map((watcher) => this.cancelWatcher(watcher)));
    this.client.close();
  }

  private async tryGrant(request: NormalizedLeaseRequest, reading: KeyReading): Promise<HeldLease | undefined> {
    const epoch = reading.latestEpoch + 1;
    const holderValue = JSON.stringify({ holderId: request.holderId, epoch });
    const grantSentAtMs = this.clock.now();
    const etcdLease = this.client.lease(request.ttlSeconds, { autoKeepAlive: false });
    etcdLease.on('lost', () => undefined);
    let leaseId: string;
    try {
      leaseId = await etcdLease.grant();
    } catch (error) {
      throw this.unreachable(`grant a ${request.ttlSeconds} s lease for key "${request.key}"`, error);
    }
    let txn;
    try {
      txn = await this.client
        .if(this.holderKey(request.key), 'Create', '==', 0)
        .and(this.epochKey(request.key), 'Mod', '==', reading.epochModRevision)
        .then(
          this.client.put(this.holderKey(request.key)).value(holderValue).lease(leaseId),
          this.client.put(this.epochKey(request.key)).value(String(epoch)),
        )
        .commit();
    } catch (error) {
      await revokeQuietly(etcdLease);
      throw this.unreachable(`acquire the authority lease for key "${request.key}"`, error);
    }
    if (!txn.succeeded) {
      await revokeQuietly(etcdLease);
      return undefined;
    }
    return this.hold(request, epoch, holderValue, etcdLease, grantSentAtMs, txn.header.revision);
  }

  private async hold(
    request: NormalizedLeaseRequest,
    epoch: number,
    holderValue: string,
    etcdLease: EtcdLease,
    grantSentAtMs: number,
    revision: string,
  ): Promise<HeldLease> {
    let watcher: Watcher | undefined;
    let disposed = false;
    const lease: HeldLease = new HeldLease({
      key: request.key,
      holderId: request.holderId,
      epoch,
      ttlMs: request.ttlMs,
      grantSentAtMs,
      clock: this.clock,
      renewal: {
        renew: async () => {
          try {
            await etcdLease.keepaliveOnce({ deadline: Date.now() + Math.min(this.callTimeoutMs, request.ttlMs / 2) });
            return 'renewed';
          } catch (error) {
            if (error instanceof etcd3Module().EtcdLeaseInvalidError) return 'gone';
            throw error;
          }
        },
        revoke: () => etcdLease.revoke({ deadline: Date.now() + this.callTimeoutMs }),
        dispose: () => {
          disposed = true;
          this.held.delete(lease);
          if (watcher) void this.cancelWatcher(watcher);
        },
      },
    });
    this.held.add(lease);
    try {
      watcher = await this.client.watch().key(this.holderKey(request.key)).startRevision(nextRevision(revision)).create();
    } catch (error) {
      // Without a watch a deletion would go unnoticed until the next renewal: refuse the lease.
      await lease.release();
      throw this.unreachable(`watch the authority lease key for "${request.key}"`, error);
    }
    this.watchers.add(watcher);
    if (disposed) {
      void this.cancelWatcher(watcher);
      return lease;
    }
    watcher.on('delete', () => lease.markLost('key_deleted', 'the lease key was deleted from etcd'));
    watcher.on('put', (kv) => {
      if (kv.value.toString() !== holderValue) {
        lease.markLost('key_replaced', 'the lease key was overwritten in etcd');
      }
    });
    watcher.on('error', () => undefined);
    return lease;
  }

  /** One consistent read of both keys (a compare-less transaction). */
  private async read(key: string): Promise<KeyReading> {
    let response;
    try {
      response = await this.client.kv.txn({
        compare: [],
        success: [
          { request_range: { key: Buffer.from(this.holderKey(key)) } },
          { request_range: { key: Buffer.from(this.epochKey(key)) } },
        ],
        failure: [],
      });
    } catch (error) {
      throw this.unreachable(`read the authority lease state of key "${key}"`, error);
    }
    const holderKv = response.responses[0]?.response_range.kvs[0];
    const epochKv = response.responses[1]?.response_range.kvs[0];
    const latestEpoch = epochKv ? parseEpoch(epochKv.value.toString(), `${this.epochKey(key)}`) : 0;
    return {
      ...(holderKv ? { holder: parseHolder(holderKv.value.toString(), this.holderKey(key)) } : {}),
      latestEpoch,
      epochModRevision: epochKv ? epochKv.mod_revision : '0',
      revision: response.header.revision,
    };
  }

  /** Resolves true once `key` is deleted after `revision`, false after `timeoutMs`. */
  private async waitForDelete(key: string, revision: string, timeoutMs: number): Promise<boolean> {
    let watcher: Watcher;
    try {
      watcher = await this.client.watch().key(key).startRevision(nextRevision(revision)).create();
    } catch (error) {
      throw this.unreachable(`watch the authority lease key "${key}"`, error);
    }
    this.watchers.add(watcher);
    try {
      return await new Promise<boolean>((resolve) => {
        const timer = this.clock.setTimer(() => resolve(false), timeoutMs);
        watcher.on('delete', () => {
          this.clock.clearTimer(timer);
          resolve(true);
        });
        watcher.on('error', () => undefined);
      });
    } finally {
      await this.cancelWatcher(watcher);
    }
  }

  private async cancelWatcher(watcher: Watcher): Promise<void> {
    if (!this.watchers.delete(watcher)) return;
    try {
      await watcher.cancel();
    } catch {
      // Already closed with the connection.
    }
  }

  private holderKey(key: string): string {
    return `${this.keyPrefix}/holder/${key}`;
  }

  private epochKey(key: string): string {
    return `${this.keyPrefix}/epoch/${key}`;
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new LeaseError('store_closed', `EtcdLeaseStore.${operation}: the store is closed`);
  }

  private unreachable(what: string, error: unknown): LeaseError {
    if (error instanceof LeaseError) return error;
    return new LeaseError('store_unreachable', `EtcdLeaseStore: could not ${what}: ${messageOf(error)}`);
  }
}

function toState(key: string, reading: KeyReading): LeaseState {
  return reading.holder
    ? { key, latestEpoch: reading.latestEpoch, holder: { holderId: reading.holder.holderId, epoch: reading.holder.epoch } }
    : { key, latestEpoch: reading.latestEpoch };
}


function nextRevision(revision: string): string {
  return (BigInt(revision) + 1n).toString();
}

function parseEpoch(raw: string, where: string): number {
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(value)) {
    throw new LeaseError('invalid_request', `etcd key ${where} holds "${raw}", not an epoch; it is written only by EtcdLeaseStore`);
  }
  return value;
}

function parseHolder(raw: string, where: string): HolderRecord {
  try {
    const parsed = JSON.parse(raw) as { holderId?: unknown; epoch?: unknown };
    if (typeof parsed.holderId === 'string' && typeof parsed.epoch === 'number' && Number.isSafeInteger(parsed.epoch)) {
      return { holderId: parsed.holderId, epoch: parsed.epoch, raw };
    }
  } catch {
    // fall through to the error below
  }
  throw new LeaseError('invalid_request', `etcd key ${where} does not hold {"holderId","epoch"}; it is written only by EtcdLeaseStore`);
}

async function revokeQuietly(lease: EtcdLease): Promise<void> {
  try {
    await lease.revoke();
  } catch {
    // It expires on its own after its TTL.
  }
}
