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
 *
 * Certificate rotation: with `tlsDir` the client certificate follows the mounted Secret (the shared
 * reloader of `tls-files.ts`). A rotation builds a new etcd client with the new certificate, moves
 * every watch to it from the last revision it delivered (no event lost), then closes the old one.
 * Leases are etcd leases known by ID, renewed and revoked through whichever client is current, so a
 * held lease (and its epoch) survives the swap; nothing is re-acquired.
 */
import type { Etcd3, IOptions, IWatchResponse, Watcher } from 'etcd3';
import { DEFAULT_LEASE_TTL_SECONDS, RUNTIME_ENV } from '../contracts/runtime-interface';
import { systemAuthorityClock, type AuthorityClock } from './authority-clock';
import { verdictFromState } from './epoch-fence';
import { sameLeaseState } from './lease-state';
import { HeldLease, messageOf } from './held-lease';
import { LeaseError, LeaseUnavailableError } from './lease-errors';
import { assertLeaseKey, assertTtlSeconds, normalizeLeaseRequest, type NormalizedLeaseRequest } from './lease-request';
import { ReloadingTlsFiles, type TlsCredentials, type TlsFilesContext } from './tls-files';
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
   * TLS credentials, fixed for the store's life. Required (or `tlsDir`) when an endpoint is `https://`.
   * @default none (plain http, development only)
   */
  readonly tls?: EtcdTlsCredentials;
  /**
   * A mounted certificate Secret (`ca.crt`, `tls.crt`, `tls.key`), followed on disk: a rotated
   * certificate is applied without a restart and without losing held leases. Excludes `tls`.
   */
  readonly tlsDir?: string;
  /** Period of the rotation check of `tlsDir`. @default DEFAULT_TLS_RELOAD_INTERVAL_MS (15 s) */
  readonly tlsReloadIntervalMs?: number;
  /** Rotation outcomes of `tlsDir`, for the process log. @default none */
  readonly onTlsEvent?: (event: EtcdTlsEvent) => void;
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

/** What happened to the etcd client certificate (`tlsDir`). Never carries key material. */
export type EtcdTlsEvent =
  | { readonly kind: 'rotated'; readonly certFile: string; readonly notAfter: string; readonly watchesMoved: number }
  | { readonly kind: 'rejected'; readonly message: string };

/** The etcd client certificate as `RSPP_ETCD_TLS_DIR` names it, for the shared reloader's messages. */
export const ETCD_CLIENT_TLS: TlsFilesContext = {
  envVar: RUNTIME_ENV.etcdTlsDir,
  secret: 'the etcd client certificate Secret',
  makeError: (message) => new LeaseError('invalid_request', message),
};

/** A watch that follows client swaps: re-created on the new client after the last revision it saw. */
interface ManagedWatch {
  watcher: Watcher;
  /** Highest mod_revision delivered so far (start revision - 1 before any event). */
  lastRevision: bigint;
  readonly key: string;
  readonly wire: (watcher: Watcher) => void;
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
  private client: Etcd3;
  private readonly clientOptions: IOptions;
  private readonly tlsFiles: ReloadingTlsFiles | undefined;
  private swapping: Promise<void> = Promise.resolve();
  private readonly managedWatches = new Set<ManagedWatch>();
  private readonly clock: AuthorityClock;
  private readonly defaultTtlSeconds: number;
  private readonly keyPrefix: string;
  private readonly callTimeoutMs: number;
  private readonly held = new Set<HeldLease>();
  private closed = false;

  constructor(options: EtcdLeaseStoreOptions) {
    if (!options || !Array.isArray(options.endpoints) || options.endpoints.length === 0) {
      throw new LeaseError('invalid_request', 'EtcdLeaseStoreOptions.endpoints must list at least one etcd client URL (e.g. http://127.0.0.1:2379)');
    }
    for (const endpoint of options.endpoints) {
      if (!/^https?:\/\/[^/\s]+$/.test(endpoint)) {
        throw new LeaseError('invalid_request', `EtcdLeaseStoreOptions.endpoints: "${endpoint}" is not an http(s)://host:port URL`);
      }
      if (endpoint.startsWith('https://') && !options.tls && !options.tlsDir) {
        throw new LeaseError('invalid_request', `EtcdLeaseStoreOptions.tls is required for the https endpoint "${endpoint}" (or tlsDir, a mounted certificate Secret followed on disk)`);
      }
    }
    if (options.tls && options.tlsDir) {
      throw new LeaseError('invalid_request', 'EtcdLeaseStoreOptions: set tls (fixed credentials) or tlsDir (followed on disk), not both');
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
    this.clientOptions = {
      hosts: [...options.endpoints],
      dialTimeout: options.dialTimeoutMs ?? 2000,
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + this.callTimeoutMs }),
    };
    let tls = options.tls;
    if (options.tlsDir !== undefined) {
      const onTlsEvent = options.onTlsEvent ?? (() => undefined);
      const files = new ReloadingTlsFiles({
        dir: options.tlsDir,
        context: ETCD_CLIENT_TLS,
        ...(options.tlsReloadIntervalMs === undefined ? {} : { checkIntervalMs: options.tlsReloadIntervalMs }),
        onRotate: (credentials) => void this.swapClient(credentials).then(
          (watchesMoved) => onTlsEvent({ kind: 'rotated', certFile: credentials.certFile, notAfter: credentials.notAfter.toISOString(), watchesMoved }),
          (error: unknown) => onTlsEvent({ kind: 'rejected', message: messageOf(error) }),
        ),
        onRejected: (error) => onTlsEvent({ kind: 'rejected', message: error.message }),
      });
      this.tlsFiles = files;
      tls = credentialsOf(files.current);
    }
    this.client = this.newClient(tls);
    this.tlsFiles?.start();
  }

  /** The client certificate in use (`tlsDir` only): its file and expiry. */
  get clientCertificate(): { readonly certFile: string; readonly notAfter: Date; readonly revision: string } | undefined {
    const current = this.tlsFiles?.current;
    return current ? { certFile: current.certFile, notAfter: current.notAfter, revision: current.revision } : undefined;
  }

  /** Checks `tlsDir` now (tests and operators; the timer does the same every interval). Resolves once a rotation is applied. */
  async reloadTlsNow(): Promise<boolean> {
    const rotated = this.tlsFiles?.check() ?? false;
    await this.swapping;
    return rotated;
  }

  private newClient(tls: EtcdTlsCredentials | undefined): Etcd3 {
    return new (etcd3Module().Etcd3)({
      ...this.clientOptions,
      ...(tls
        ? {
            credentials: {
              rootCertificate: tls.caCertificate,
              ...(tls.privateKey ? { privateKey: tls.privateKey } : {}),
              ...(tls.certificateChain ? { certChain: tls.certificateChain } : {}),
            },
          }
        : {}),
    });
  }

  /**
   * A new client with the rotated certificate; every watch re-created on it after the last revision
   * it delivered; then the old client closed. Serialized, so two quick rotations apply in order.
   */
  private swapClient(credentials: TlsCredentials): Promise<number> {
    const run = this.swapping.then(async () => {
      if (this.closed) return 0;
      const previous = this.client;
      const next = this.newClient(credentialsOf(credentials));
      this.client = next;
      let moved = 0;
      try {
        for (const managed of [...this.managedWatches]) {
          const old = managed.watcher;
          managed.watcher = await this.createWatcher(next, managed.key, (managed.lastRevision + 1n).toString());
          this.track(managed);
          managed.wire(managed.watcher);
          moved++;
          await cancelQuietly(old);
        }
      } finally {
        previous.close();
      }
      return moved;
    });
    this.swapping = run.then(() => undefined, () => undefined);
    return run;
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
    const watches = await Promise.all(
      [this.holderKey(key), this.epochKey(key)].map((watched) =>
        this.openWatch(watched, nextRevision(first.revision), (watcher) => {
          watcher.on('data', refresh);
          watcher.on('connected', refresh);
          watcher.on('error', () => undefined);
        }),
      ),
    );
    return {
      close: async () => {
        await Promise.all(watches.map((watch) => this.closeWatch(watch)));
      },
    };
  }

  async close(options: LeaseStoreCloseOptions = {}): Promise<void> {
    if (this.closed) return;
    const release = options.releaseLeases ?? true;
    await Promise.all([...this.held].map((lease) => (release ? lease.release() : lease.markLost('store_closed'))));
    this.closed = true;
    this.tlsFiles?.stop();
    await this.swapping;
    await Promise.all([...this.managedWatches].map((watch) => this.closeWatch(watch)));
    this.client.close();
  }

  private async tryGrant(request: NormalizedLeaseRequest, reading: KeyReading): Promise<HeldLease | undefined> {
    const epoch = reading.latestEpoch + 1;
    const holderValue = JSON.stringify({ holderId: request.holderId, epoch });
    const grantSentAtMs = this.clock.now();
    let leaseId: string;
    try {
      leaseId = (await this.client.leaseClient.leaseGrant({ TTL: request.ttlSeconds })).ID;
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
      await this.revokeQuietly(leaseId);
      throw this.unreachable(`acquire the authority lease for key "${request.key}"`, error);
    }
    if (!txn.succeeded) {
      await this.revokeQuietly(leaseId);
      return undefined;
    }
    return this.hold(request, epoch, holderValue, leaseId, grantSentAtMs, txn.header.revision);
  }

  private async hold(
    request: NormalizedLeaseRequest,
    epoch: number,
    holderValue: string,
    leaseId: string,
    grantSentAtMs: number,
    revision: string,
  ): Promise<HeldLease> {
    let watch: ManagedWatch | undefined;
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
            return await this.keepAliveOnce(leaseId, Date.now() + Math.min(this.callTimeoutMs, request.ttlMs / 2));
          } catch (error) {
            throw this.unreachable(`renew the authority lease for key "${request.key}"`, error);
          }
        },
        revoke: () => this.revoke(leaseId),
        dispose: () => {
          disposed = true;
          this.held.delete(lease);
          if (watch) void this.closeWatch(watch);
        },
      },
    });
    this.held.add(lease);
    try {
      watch = await this.openWatch(this.holderKey(request.key), nextRevision(revision), (watcher) => {
        watcher.on('delete', () => lease.markLost('key_deleted', 'the lease key was deleted from etcd'));
        watcher.on('put', (kv) => {
          if (kv.value.toString() !== holderValue) lease.markLost('key_replaced', 'the lease key was overwritten in etcd');
        });
        watcher.on('error', () => undefined);
      });
    } catch (error) {
      // Without a watch a deletion would go unnoticed until the next renewal: refuse the lease.
      await lease.release();
      throw this.unreachable(`watch the authority lease key for "${request.key}"`, error);
    }
    if (disposed) void this.closeWatch(watch);
    return lease;
  }

  /** One keepalive for an etcd lease, through the current client: 'gone' when etcd no longer knows it. */
  private async keepAliveOnce(leaseId: string, deadline: number): Promise<'renewed' | 'gone'> {
    const stream = await this.client.leaseClient.leaseKeepAlive({ deadline });
    try {
      const response = await new Promise<{ TTL: string }>((resolve, reject) => {
        stream.on('data', resolve);
        stream.on('error', (error: Error) => reject(etcd3Module().castGrpcError(error)));
        stream.write({ ID: leaseId });
      });
      return response.TTL === '0' ? 'gone' : 'renewed';
    } finally {
      stream.end();
    }
  }

  private async revoke(leaseId: string): Promise<void> {
    try {
      await this.client.leaseClient.leaseRevoke({ ID: leaseId }, { deadline: Date.now() + this.callTimeoutMs });
    } catch (error) {
      if (!(error instanceof etcd3Module().EtcdLeaseInvalidError)) throw error;
    }
  }

  private async revokeQuietly(leaseId: string): Promise<void> {
    try {
      await this.revoke(leaseId);
    } catch {
      // It expires on its own after its TTL.
    }
  }

  /** A watch on `key` from `startRevision`, moved to the new client on a certificate rotation. */
  private async openWatch(key: string, startRevision: string, wire: (watcher: Watcher) => void): Promise<ManagedWatch> {
    for (;;) {
      await this.swapping;
      const client = this.client;
      const watcher = await this.createWatcher(client, key, startRevision);
      if (client !== this.client) {
        // A rotation swapped the client meanwhile: this watcher dies with the old one; start again.
        await cancelQuietly(watcher);
        continue;
      }
      const managed: ManagedWatch = { watcher, lastRevision: BigInt(startRevision) - 1n, key, wire };
      this.managedWatches.add(managed);
      this.track(managed);
      wire(watcher);
      return managed;
    }
  }

  private createWatcher(client: Etcd3, key: string, startRevision: string): Promise<Watcher> {
    return client.watch().key(key).startRevision(startRevision).create();
  }

  /** Follows the revisions a watch delivered, so a re-created one resumes right after them. */
  private track(managed: ManagedWatch): void {
    managed.watcher.on('data', (response: IWatchResponse) => {
      for (const event of response.events) {
        const revision = BigInt(event.kv.mod_revision);
        if (revision > managed.lastRevision) managed.lastRevision = revision;
      }
    });
  }

  private async closeWatch(managed: ManagedWatch): Promise<void> {
    if (!this.managedWatches.delete(managed)) return;
    await cancelQuietly(managed.watcher);
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
    let resolveDeleted!: (deleted: boolean) => void;
    const deleted = new Promise<boolean>((resolve) => (resolveDeleted = resolve));
    let watch: ManagedWatch;
    try {
      watch = await this.openWatch(key, nextRevision(revision), (watcher) => {
        watcher.on('delete', () => resolveDeleted(true));
        watcher.on('error', () => undefined);
      });
    } catch (error) {
      throw this.unreachable(`watch the authority lease key "${key}"`, error);
    }
    const timer = this.clock.setTimer(() => resolveDeleted(false), timeoutMs);
    try {
      return await deleted;
    } finally {
      this.clock.clearTimer(timer);
      await this.closeWatch(watch);
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
    return new LeaseError('store_unreachable', `EtcdLeaseStore: could not ${what}: ${messageOf(error)}${this.expiredCertificateHint()}`);
  }

  /** When the client certificate in use has expired, says so (file and date): etcd refuses it at every reconnect. */
  private expiredCertificateHint(): string {
    const current = this.tlsFiles?.current;
    if (!current || current.notAfter.getTime() > Date.now()) return '';
    return `; the etcd client certificate ${current.certFile} expired at ${current.notAfter.toISOString()} and no renewed one is mounted in ${RUNTIME_ENV.etcdTlsDir}`;
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

async function cancelQuietly(watcher: Watcher): Promise<void> {
  try {
    await watcher.cancel();
  } catch {
    // Already closed with its client.
  }
}

function credentialsOf(credentials: TlsCredentials): EtcdTlsCredentials {
  return { caCertificate: credentials.ca, certificateChain: credentials.cert, privateKey: credentials.key };
}
