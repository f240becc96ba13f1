/**
 * Certificates read from a mounted cert-manager Secret directory (`ca.crt`, `tls.crt`, `tls.key`) and
 * re-read on an interval so a rotation reaches new connections without a restart. One mechanism for
 * every TLS client and server of ours: the control plane's API certificate (`RSPP_TLS_DIR`,
 * `runtime/control-plane/reloading-tls-credentials.ts`) and the etcd client certificate of the lease
 * store (`RSPP_ETCD_TLS_DIR`, `etcd-lease-store.ts`). Lives here because `runtime/authority` is the
 * folder both the control plane and the runtime may import (architecture §9).
 *
 * Rotation is detected by content (a sha256 over the three files), not by mtime: the kubelet swaps
 * the Secret's `..data` symlink, which `fs.watch` reports unreliably across filesystems. A changed
 * set is only applied once `tls.createSecureContext` accepts it, so a half-written rotation (new
 * certificate, old key) keeps the previous credentials and is retried on the next check, and so
 * is a certificate already past its `notAfter` (named, with the date, in the error).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';

/** The files a cert-manager Secret holds, as mounted. */
export const TLS_FILE_NAMES = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;
/** Largest certificate/key file read (a PEM chain is a few KiB; anything bigger is not ours). */
export const MAX_TLS_FILE_BYTES = 256 * 1024;
/** Default period of the rotation check. */
export const DEFAULT_TLS_RELOAD_INTERVAL_MS = 15_000;

/** Who reads the directory, for error messages: the variable that names it and what belongs there. */
export interface TlsFilesContext {
  /** e.g. `RSPP_ETCD_TLS_DIR`. */
  readonly envVar: string;
  /** e.g. `the etcd client certificate Secret`. */
  readonly secret: string;
  /** Wraps a message into the caller's error type. */
  readonly makeError: (message: string) => Error;
}

/** One readable, mutually consistent set of credentials. */
export interface TlsCredentials {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The leaf certificate's `notAfter`. */
  readonly notAfter: Date;
  /** Path of `tls.crt`, for messages. */
  readonly certFile: string;
  /** sha256 over the three files: changes exactly when one of them does. Compared only, never logged. */
  readonly revision: string;
}

/** Reads and checks the three files; throws the context's error naming the file and the fix. */
export function readTlsFiles(dir: string, context: TlsFilesContext, now: Date = new Date()): TlsCredentials {
  const read = (name: string): Buffer => {
    const file = join(dir, name);
    try {
      const size = statSync(file).size;
      if (size > MAX_TLS_FILE_BYTES) throw new Error(`${size} bytes, more than ${MAX_TLS_FILE_BYTES}`);
      const data = readFileSync(file);
      if (data.length === 0) throw new Error('empty file');
      return data;
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw context.makeError(`${context.envVar}: cannot use ${file} (${reason}); mount ${context.secret} (ca.crt, tls.crt, tls.key) there`);
    }
  };
  const ca = read(TLS_FILE_NAMES.ca);
  const cert = read(TLS_FILE_NAMES.cert);
  const key = read(TLS_FILE_NAMES.key);
  try {
    createSecureContext({ ca, cert, key });
  } catch (error) {
    throw context.makeError(`${context.envVar}: ${dir} holds credentials TLS refuses (${(error as Error).message}); tls.crt and tls.key must be a matching PEM pair`);
  }
  const certFile = join(dir, TLS_FILE_NAMES.cert);
  let notAfter: Date;
  try {
    notAfter = new Date(new X509Certificate(cert).validTo);
  } catch (error) {
    throw context.makeError(`${context.envVar}: ${certFile} is not a PEM certificate (${(error as Error).message})`);
  }
  if (notAfter.getTime() <= now.getTime()) {
    throw context.makeError(
      `${context.envVar}: the certificate ${certFile} expired at ${notAfter.toISOString()}; renew it (cert-manager renews before renewBefore; check the Certificate's status)`,
    );
  }
  const revision = createHash('sha256').update(ca).update('\0').update(cert).update('\0').update(key).digest('hex');
  return { ca, cert, key, notAfter, certFile, revision };
}

export interface ReloadingTlsFilesOptions {
  /** The mounted Secret directory. */
  readonly dir: string;
  readonly context: TlsFilesContext;
  /** @default DEFAULT_TLS_RELOAD_INTERVAL_MS */
  readonly checkIntervalMs?: number;
  /** Called with the new credentials after a rotation was detected and accepted. */
  readonly onRotate: (credentials: TlsCredentials) => void;
  /** Called when a changed set cannot be used yet (previous credentials stay in service). */
  readonly onRejected?: (error: Error) => void;
}

/** Credentials that follow the files in `dir`: `current` now, `onRotate` on each accepted change. */
export class ReloadingTlsFiles {
  private credentials: TlsCredentials;
  private timer: NodeJS.Timeout | undefined;
  private readonly checkIntervalMs: number;
  private lastRejected: string | undefined;

  /** Reads the directory now; throws (naming the file) if it is not usable. */
  constructor(private readonly options: ReloadingTlsFilesOptions) {
    this.checkIntervalMs = options.checkIntervalMs ?? DEFAULT_TLS_RELOAD_INTERVAL_MS;
    if (!Number.isInteger(this.checkIntervalMs) || this.checkIntervalMs < 10) {
      throw options.context.makeError(`${options.context.envVar}: the TLS reload checkIntervalMs must be an integer >= 10 ms, got ${options.checkIntervalMs}`);
    }
    this.credentials = readTlsFiles(options.dir, options.context);
  }

  get current(): TlsCredentials {
    return this.credentials;
  }

  /** Starts the periodic check (idempotent; the timer does not hold the process open). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), this.checkIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One bounded check: re-reads the three files; applies them if they changed and are usable. Returns true on rotation. */
  check(): boolean {
    let next: TlsCredentials;
    try {
      next = readTlsFiles(this.options.dir, this.options.context);
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.lastRejected) this.options.onRejected?.(error as Error); // once per distinct problem, not every tick
      this.lastRejected = message;
      return false;
    }
    this.lastRejected = undefined;
    if (next.revision === this.credentials.revision) return false;
    this.credentials = next;
    this.options.onRotate(next);
    return true;
  }
}
