/**
 * Startup bundle resolution: with `RSPP_CONTROL_PLANE_URL` set, the runtime asks the control plane
 * for its pinned bundle (`RSPP_BUNDLE_DIGEST`) before it listens, and refuses to start on an answer
 * whose content does not hash to that digest. While it waits, `main()` serves `/healthz` 200 and
 * `/readyz` 503 with the reason (see `onWaiting`), so a control plane that comes up late (cold start:
 * volumes → certificates → etcd quorum → control plane) leaves the runtime not ready, never
 * crash-looping. By default it retries without limit: capped exponential backoff (0.5 s doubling
 * to 5 s) with equal jitter (each wait is 50-100 % of the step, so a fleet does not retry in step),
 * every attempt logged.
 *
 * Retried: no answer, timeouts, 5xx and 429. Not retried (fail at once): 4xx such as
 * `bundle_not_found`, a digest mismatch, a malformed answer, missing TLS files.
 * Without the URL: the embedded defaults, as before, and a log line saying so.
 */
import { RUNTIME_ENV } from '../../contracts/runtime-interface';
import type { ServerConfig } from '../config/server-config';
import type { ServerLogger } from '../logging/server-logger';
import { BundleVerificationError, verifyBundleAnswer, type VerifiedBundle } from './control-plane-bundle';
import { ControlPlaneClient, ControlPlaneClientConfigError, ControlPlaneRequestError } from './control-plane-client';

export interface StartupRetryPolicy {
  /** Attempts in total (first included). @default unbounded (keep waiting, not ready) */
  readonly attempts?: number;
  /** Delay before the second attempt, doubled each time. @default 500 */
  readonly initialDelayMs?: number;
  /** Ceiling of the delay between attempts. @default 5000 */
  readonly maxDelayMs?: number;
  /** Per-request timeout. @default 4000 */
  readonly requestTimeoutMs?: number;
}

export interface StartupBundleOptions {
  /** The resolved server configuration (`controlPlaneUrl`, `bundleDigest`, `profile`). */
  readonly config: Pick<ServerConfig, 'controlPlaneUrl' | 'bundleDigest' | 'profile'>;
  /** Environment for `RSPP_TLS_DIR` (not part of `ServerConfig`). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default silent */
  readonly logger?: ServerLogger;
  readonly retry?: StartupRetryPolicy;
  /** @default setTimeout-based sleep (tests may shorten it) */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
  /** Each failed, retryable attempt, before the wait (`main()` shows it as the `/readyz` reason). */
  readonly onWaiting?: (status: StartupWaitStatus) => void;
}

/** Why the runtime is still waiting for its bundle. */
export interface StartupWaitStatus {
  readonly attempt: number;
  readonly error: string;
  readonly retryInMs: number;
}

export type StartupBundle =
  | { readonly source: 'embedded' }
  | {
      readonly source: 'control-plane';
      readonly bundle: VerifiedBundle;
      readonly attempts: number;
      /** The client that fetched it (keep-alive, mTLS); per-turn requests reuse it. The caller closes it. */
      readonly client: ControlPlaneClient;
    };

/** The runtime could not obtain a verified bundle; the message says what was tried and why it failed. */
export class StartupBundleError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'StartupBundleError';
  }
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function positiveInt(name: string, value: number, min: number): number {
  if (value === Number.POSITIVE_INFINITY && name === 'attempts') return value;
  if (!Number.isInteger(value) || value < min) throw new ControlPlaneClientConfigError(`StartupRetryPolicy.${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

export async function resolveStartupBundle(options: StartupBundleOptions): Promise<StartupBundle> {
  const logger = options.logger;
  const { controlPlaneUrl, bundleDigest } = options.config;
  if (controlPlaneUrl === undefined) {
    logger?.log('info', `no ${RUNTIME_ENV.controlPlaneUrl}: turn start uses the embedded bundle defaults`, {
      ...(bundleDigest !== undefined ? { bundle_digest: bundleDigest } : {}),
    });
    return { source: 'embedded' };
  }
  if (bundleDigest === undefined) {
    throw new StartupBundleError(
      `${RUNTIME_ENV.controlPlaneUrl} is set but ${RUNTIME_ENV.bundleDigest} is not: the runtime resolves its bundle by digest only; set ${RUNTIME_ENV.bundleDigest}=sha256:<64 hex>`,
      0,
    );
  }
  const retry = options.retry ?? {};
  const attempts = positiveInt('attempts', retry.attempts ?? Number.POSITIVE_INFINITY, 1);
  const initialDelayMs = positiveInt('initialDelayMs', retry.initialDelayMs ?? 500, 0);
  const maxDelayMs = positiveInt('maxDelayMs', retry.maxDelayMs ?? 5000, initialDelayMs);
  const env = options.env ?? process.env;
  const tlsDir = env[RUNTIME_ENV.tlsDir]?.trim() || undefined;
  let client: ControlPlaneClient;
  try {
    client = new ControlPlaneClient({ baseUrl: controlPlaneUrl, ...(tlsDir ? { tlsDir } : {}), requestTimeoutMs: retry.requestTimeoutMs ?? 4000 });
  } catch (err) {
    throw new StartupBundleError((err as Error).message, 0);
  }
  if (!client.secure) {
    logger?.log('warn', `${RUNTIME_ENV.controlPlaneUrl} is plain http: the bundle is fetched without TLS or client authentication`, { control_plane_url: controlPlaneUrl });
  }
  try {
    const bundle = await fetchWithRetries(client, bundleDigest, options, { attempts, initialDelayMs, maxDelayMs });
    return { ...bundle, client };
  } catch (err) {
    client.close();
    throw err;
  }
}

async function fetchWithRetries(
  client: ControlPlaneClient,
  bundleDigest: string,
  options: StartupBundleOptions,
  { attempts, initialDelayMs, maxDelayMs }: { readonly attempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number },
): Promise<{ readonly source: 'control-plane'; readonly bundle: VerifiedBundle; readonly attempts: number }> {
  const logger = options.logger;
  const controlPlaneUrl = options.config.controlPlaneUrl;
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  let delay = initialDelayMs;
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const bundle = verifyBundleAnswer(bundleDigest, await client.getBundle(bundleDigest));
      if (bundle.pipelineVersion !== options.config.profile) {
        // The server stamps RSPP_PROFILE as pipeline_version on every envelope: a pinned bundle of
        // another pipeline would mislabel every session.
        throw new StartupBundleError(
          `${RUNTIME_ENV.bundleDigest}=${bundleDigest} is pipeline_version ${bundle.pipelineVersion} but ${RUNTIME_ENV.profile}=${options.config.profile}; pin a bundle of this profile or change ${RUNTIME_ENV.profile}`,
          attempt,
        );
      }
      logger?.log('info', 'bundle resolved from the control plane and verified against its digest', {
        bundle_digest: bundle.digest,
        pipeline_version: bundle.pipelineVersion,
        execution_profile: bundle.executionProfile,
        control_plane_url: controlPlaneUrl,
        mtls: client.secure,
        attempts: attempt,
      });
      return { source: 'control-plane', bundle, attempts: attempt };
    } catch (err) {
      if (err instanceof StartupBundleError) throw err;
      if (err instanceof BundleVerificationError || err instanceof ControlPlaneClientConfigError) {
        throw new StartupBundleError(err.message, attempt);
      }
      if (!(err instanceof ControlPlaneRequestError)) throw err;
      if (!err.retryable) {
        throw new StartupBundleError(`cannot resolve bundle ${bundleDigest} from the control plane: ${err.message}`, attempt);
      }
      lastError = err.message;
      if (attempt === attempts) break;
      // Equal jitter: half the step fixed, half random, so restarts across a fleet spread out.
      const wait = Math.round(delay / 2 + (delay / 2) * Math.min(1, Math.max(0, random())));
      logger?.log('warn', 'control plane not answering; not ready, retrying', {
        attempt,
        ...(Number.isFinite(attempts) ? { of: attempts } : {}),
        retry_in_ms: wait,
        error: err.message,
      });
      options.onWaiting?.({ attempt, error: err.message, retryInMs: wait });
      await sleep(wait);
      delay = Math.min(maxDelayMs, Math.max(1, delay * 2));
    }
  }
  throw new StartupBundleError(
    `cannot resolve bundle ${bundleDigest}: the control plane at ${controlPlaneUrl} did not answer after ${attempts} attempts (last: ${lastError}); check that it is running and that this runtime may reach it`,
    attempts,
  );
}
