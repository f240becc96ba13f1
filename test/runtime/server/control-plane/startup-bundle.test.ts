/**
 * The runtime's control-plane client against a real control plane over mutual TLS on 127.0.0.1
 * (certificates generated with openssl in the test): fetch and verify the pinned bundle, refuse a
 * tampered answer, retry then fail clearly when the control plane is down, and `main()` wiring.
 */
import { readFileSync, writeFileSync } from 'fs';
import * as https from 'https';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { InMemoryLeaseStore } from '../../../../runtime/authority';
import { ControlPlaneService } from '../../../../runtime/control-plane';
import {
  BundleVerificationError,
  contentDigest,
  resolveStartupBundle,
  StartupBundleError,
  verifyBundleAnswer,
} from '../../../../runtime/server/control-plane';
import { main } from '../../../../runtime/server/main';
import type { LogLevel, ServerLogger } from '../../../../runtime/server/logging/server-logger';
import { loadArtifacts } from '../../../../pipelines';
import { createTestCa, issueTestLeaf, removeTestPki, type TestCa, type TestLeaf } from '../../control-plane/test-certificates';
import { closedPort } from '../../../support/ports';

const artifacts = loadArtifacts();
const BUNDLE = artifacts.bundles.find((b) => b.artifact.name === 'simple_v1')!.digest;
const PREVIOUS = artifacts.bundles.find((b) => b.artifact.name !== 'simple_v1')!.digest;

class CapturingLogger implements ServerLogger {
  readonly records: Array<{ level: LogLevel; message: string; fields: Readonly<Record<string, unknown>> }> = [];
  log(level: LogLevel, message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    this.records.push({ level, message, fields });
  }
}

const fastRetry = { attempts: 3, initialDelayMs: 10, maxDelayMs: 20, requestTimeoutMs: 2000 };


describe('runtime control-plane client over mutual TLS', () => {
  let ca: TestCa;
  let cpCert: TestLeaf;
  let runtimeCert: TestLeaf;
  let service: ControlPlaneService;
  let url: string;

  beforeAll(async () => {
    ca = createTestCa();
    cpCert = issueTestLeaf(ca, 'control-plane');
    runtimeCert = issueTestLeaf(ca, 'runtime');
    service = new ControlPlaneService({ store: new InMemoryLeaseStore(), host: '127.0.0.1', apiPort: 0, adminPort: 0, tlsDir: cpCert.dir, log: () => undefined });
    const { apiPort } = await service.start();
    url = `https://127.0.0.1:${apiPort}`;
  });
  afterAll(async () => {
    await service.stop();
    removeTestPki(ca);
  });

  test('fetches the pinned bundle with its client certificate and verifies its digest', async () => {
    const logger = new CapturingLogger();
    const result = await resolveStartupBundle({
      config: { controlPlaneUrl: url, bundleDigest: BUNDLE, profile: 'simple/v1' },
      env: { RSPP_TLS_DIR: runtimeCert.dir },
      logger,
      retry: fastRetry,
    });
    expect(result.source).toBe('control-plane');
    if (result.source !== 'control-plane') return;
    expect(result.bundle.digest).toBe(BUNDLE);
    expect(result.bundle.pipelineVersion).toBe('simple/v1');
    expect(result.attempts).toBe(1);
    // The runtime's digest rule agrees with the pipelines loader's on every real bundle.
    for (const bundle of artifacts.bundles) expect(contentDigest(bundle.artifact as unknown as Record<string, unknown>)).toBe(bundle.digest);
    expect(logger.records.find((r) => r.message.startsWith('bundle resolved'))?.fields).toMatchObject({ bundle_digest: BUNDLE, mtls: true });
  });

  test('is refused by the control plane without its client certificate directory (https needs RSPP_TLS_DIR)', async () => {
    await expect(resolveStartupBundle({ config: { controlPlaneUrl: url, bundleDigest: BUNDLE, profile: 'simple/v1' }, env: {}, retry: fastRetry })).rejects.toThrow(
      /RSPP_CONTROL_PLANE_URL is https but RSPP_TLS_DIR is not set/,
    );
  });

  test('fails at once (no retry) when the control plane does not know the digest', async () => {
    const unknown = `sha256:${'0'.repeat(64)}`;
    const failure = resolveStartupBundle({ config: { controlPlaneUrl: url, bundleDigest: unknown, profile: 'simple/v1' }, env: { RSPP_TLS_DIR: runtimeCert.dir }, retry: fastRetry });
    await expect(failure).rejects.toThrow(StartupBundleError);
    await expect(failure).rejects.toThrow(/HTTP 404 \(bundle_not_found/);
    await expect(failure).rejects.toMatchObject({ attempts: 1 });
  });

  test('refuses a bundle whose pipeline differs from RSPP_PROFILE', async () => {
    await expect(
      resolveStartupBundle({ config: { controlPlaneUrl: url, bundleDigest: PREVIOUS, profile: 'other/v9' }, env: { RSPP_TLS_DIR: runtimeCert.dir }, retry: fastRetry }),
    ).rejects.toThrow(/but RSPP_PROFILE=other\/v9/);
  });

  describe('against a control plane that answers with other content', () => {
    let tamper: https.Server;
    let tamperUrl: string;
    let answer: (digest: string) => unknown;

    beforeAll(async () => {
      const read = (f: string) => readFileSync(path.join(cpCert.dir, f));
      tamper = https.createServer({ ca: read('ca.crt'), cert: read('tls.crt'), key: read('tls.key'), requestCert: true, rejectUnauthorized: true }, (req, res) => {
        const digest = decodeURIComponent((req.url ?? '').slice('/v1/bundles/'.length));
        const body = JSON.stringify(answer(digest));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      });
      await new Promise<void>((r) => tamper.listen(0, '127.0.0.1', r));
      tamperUrl = `https://127.0.0.1:${(tamper.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      tamper.closeAllConnections();
      await new Promise<void>((r) => tamper.close(() => r()));
    });

    const genuine = (digest: string): Record<string, unknown> => {
      const bundle = artifacts.bundles.find((b) => b.digest === digest)!.artifact as unknown as Record<string, unknown>;
      return { digest, document: bundle, pipeline_version: bundle.pipeline_version, execution_profile: 'simple/v1', graph_definition_ref: 'graphs/simple_v1' };
    };

    test.each([
      ['a changed provider binding', (d: string) => {
        const g = genuine(d);
        return { ...g, document: { ...(g.document as object), provider_bindings: { stt: 'evil/model', llm: 'x/y', tts: 'x/y' } } };
      }, /its document hashes to sha256:[0-9a-f]{64} \(content does not match the digest\)/],
      ['another bundle under the asked digest', (d: string) => ({ ...genuine(PREVIOUS), digest: d }), /content does not match the digest/],
      ['another digest', () => genuine(PREVIOUS), /it names digest/],
      ['no document', (d: string) => ({ ...genuine(d), document: undefined }), /carries no bundle "document"/],
    ])('rejects a digest mismatch: %s (not retried)', async (_label, make, message) => {
      answer = make;
      const failure = resolveStartupBundle({ config: { controlPlaneUrl: tamperUrl, bundleDigest: BUNDLE, profile: 'simple/v1' }, env: { RSPP_TLS_DIR: runtimeCert.dir }, retry: fastRetry });
      await expect(failure).rejects.toThrow(message);
      await expect(failure).rejects.toMatchObject({ attempts: 1 });
    });

    test('accepts the genuine content from any server the CA vouches for', async () => {
      answer = genuine;
      const result = await resolveStartupBundle({ config: { controlPlaneUrl: tamperUrl, bundleDigest: BUNDLE, profile: 'simple/v1' }, env: { RSPP_TLS_DIR: runtimeCert.dir }, retry: fastRetry });
      expect(result.source).toBe('control-plane');
    });
  });

  test('verifyBundleAnswer throws BundleVerificationError naming the digest', () => {
    expect(() => verifyBundleAnswer(BUNDLE, 'nope')).toThrow(BundleVerificationError);
    expect(() => verifyBundleAnswer(BUNDLE, 'nope')).toThrow(`control-plane answer for bundle ${BUNDLE} refused: the body is not a JSON object`);
  });
});

describe('runtime startup without a reachable control plane', () => {
  test('retries with backoff, then fails clearly naming the URL and the attempts', async () => {
    const port = await closedPort();
    const logger = new CapturingLogger();
    const slept: number[] = [];
    const started = Date.now();
    const failure = resolveStartupBundle({
      config: { controlPlaneUrl: `http://127.0.0.1:${port}`, bundleDigest: BUNDLE, profile: 'simple/v1' },
      env: {},
      logger,
      retry: { attempts: 4, initialDelayMs: 10, maxDelayMs: 25, requestTimeoutMs: 1000 },
      random: () => 1, // the top of the jitter range: the full step
      sleep: async (ms) => {
        slept.push(ms);
        await new Promise((r) => setTimeout(r, ms));
      },
    });
    await expect(failure).rejects.toThrow(new RegExp(`control plane at http://127.0.0.1:${port} did not answer after 4 attempts \\(last: .*ECONNREFUSED`));
    await expect(failure).rejects.toMatchObject({ attempts: 4 });
    expect(slept).toEqual([10, 20, 25]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(logger.records.filter((r) => r.message.includes('retrying'))).toHaveLength(3);
    expect(logger.records.some((r) => r.level === 'warn' && r.message.includes('plain http'))).toBe(true);
  });

  test('waits are jittered within 50-100 % of the capped exponential step, and each attempt is reported', async () => {
    const port = await closedPort();
    const waits: number[] = [];
    const reported: number[] = [];
    const draws = [0, 0.5, 0.999, 0, 0.25];
    const failure = resolveStartupBundle({
      config: { controlPlaneUrl: `http://127.0.0.1:${port}`, bundleDigest: BUNDLE, profile: 'simple/v1' },
      env: {},
      retry: { attempts: 6, initialDelayMs: 100, maxDelayMs: 400, requestTimeoutMs: 1000 },
      random: () => draws.shift()!,
      sleep: async (ms) => void waits.push(ms),
      onWaiting: (status) => reported.push(status.retryInMs),
    });
    await expect(failure).rejects.toMatchObject({ attempts: 6 });
    // steps 100, 200, 400, 400, 400 (capped); waits = step/2 + step/2 × draw
    expect(waits).toEqual([50, 150, 400, 200, 250]);
    expect(reported).toEqual(waits);
  });

  test('by default it never gives up: past the old 6-attempt budget it keeps waiting, then resolves', async () => {
    const port = await closedPort();
    const service = new ControlPlaneService({ store: new InMemoryLeaseStore(), host: '127.0.0.1', apiPort: port, adminPort: 0, log: () => undefined });
    const waits: number[] = [];
    try {
      const result = await resolveStartupBundle({
        config: { controlPlaneUrl: `http://127.0.0.1:${port}`, bundleDigest: BUNDLE, profile: 'simple/v1' },
        env: {},
        retry: { requestTimeoutMs: 1000 },
        sleep: async (ms) => {
          waits.push(ms);
          if (waits.length === 12) await service.start(); // the control plane arrives after 12 failed attempts
        },
      });
      expect(result).toMatchObject({ source: 'control-plane', attempts: 13 });
      if (result.source === 'control-plane') result.client.close();
      expect(Math.max(...waits)).toBeLessThanOrEqual(5000); // capped
      expect(waits.slice(4).every((w) => w >= 2500)).toBe(true); // at the cap, jittered within 50-100 %
    } finally {
      await service.stop();
    }
  });

  test('without RSPP_CONTROL_PLANE_URL uses the embedded defaults and says so', async () => {
    const logger = new CapturingLogger();
    expect(await resolveStartupBundle({ config: { bundleDigest: BUNDLE, profile: 'simple/v1' }, logger })).toEqual({ source: 'embedded' });
    expect(logger.records[0].message).toMatch(/no RSPP_CONTROL_PLANE_URL: turn start uses the embedded bundle defaults/);
  });

  test('refuses a control-plane URL without a pinned digest', async () => {
    await expect(resolveStartupBundle({ config: { controlPlaneUrl: 'https://cp:8081', profile: 'simple/v1' } })).rejects.toThrow(
      /RSPP_BUNDLE_DIGEST is not: the runtime resolves its bundle by digest only/,
    );
  });
});

describe('runtime main() with a control plane', () => {
  let ca: TestCa;
  let configFile: string;
  beforeAll(() => {
    ca = createTestCa();
    configFile = path.join(ca.dir, 'server.json');
    writeFileSync(configFile, JSON.stringify({ host: '127.0.0.1', sessionPort: 0, adminPort: 0 }));
  });
  afterAll(() => removeTestPki(ca));

  test('resolves the bundle over mTLS before it listens, then serves', async () => {
    const cpCert = issueTestLeaf(ca, 'cp-main');
    const runtimeCert = issueTestLeaf(ca, 'runtime-main');
    const service = new ControlPlaneService({ store: new InMemoryLeaseStore(), host: '127.0.0.1', apiPort: 0, adminPort: 0, tlsDir: cpCert.dir, log: () => undefined });
    const { apiPort } = await service.start();
    const logger = new CapturingLogger();
    try {
      const server = await main({
        env: { RSPP_CONFIG_FILE: configFile, RSPP_CONTROL_PLANE_URL: `https://127.0.0.1:${apiPort}`, RSPP_BUNDLE_DIGEST: BUNDLE, RSPP_TLS_DIR: runtimeCert.dir },
        logger,
        handleSignals: false,
        controlPlaneRetry: fastRetry,
      });
      await server.stop();
      const resolvedAt = logger.records.findIndex((r) => r.message.startsWith('bundle resolved'));
      const startedAt = logger.records.findIndex((r) => r.message === 'runtime server started');
      expect(resolvedAt).toBeGreaterThanOrEqual(0);
      expect(startedAt).toBeGreaterThan(resolvedAt);
    } finally {
      await service.stop();
    }
  });

  test('with a bounded attempts budget it gives up without ever serving sessions when the control plane is down', async () => {
    const logger = new CapturingLogger();
    const port = await closedPort();
    await expect(
      main({
        env: { RSPP_CONFIG_FILE: configFile, RSPP_CONTROL_PLANE_URL: `http://127.0.0.1:${port}`, RSPP_BUNDLE_DIGEST: BUNDLE },
        logger,
        handleSignals: false,
        controlPlaneRetry: { attempts: 2, initialDelayMs: 5, maxDelayMs: 5, requestTimeoutMs: 500 },
      }),
    ).rejects.toThrow(StartupBundleError);
    expect(logger.records.some((r) => r.message === 'runtime server started')).toBe(false);
  });
});
