/**
 * The control-plane API over real mutual TLS on 127.0.0.1 (random ports), certificates generated
 * with openssl in the test: client-certificate verification, certificate rotation by file
 * replacement, the admin port staying plain HTTP.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { InMemoryLeaseStore } from '../../../runtime/authority';
import { encodeCanonical } from '../../../runtime/contracts/v1';
import { ControlPlaneError, ControlPlaneService } from '../../../runtime/control-plane';
import { loadArtifacts } from '../../../pipelines';
import { createTestCa, issueTestLeaf, removeTestPki, rotateInto, type TestCa, type TestLeaf } from './test-certificates';

interface TlsAnswer {
  readonly status: number;
  readonly body: string;
  /** Fingerprint of the certificate the server presented. */
  readonly serverFingerprint: string;
}

function tlsGet(port: number, path: string, client: TestLeaf | undefined, ca: string): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        agent: false, // a new connection every time: rotation applies to new handshakes
        ca: readFileSync(ca),
        ...(client ? { cert: readFileSync(join(client.dir, 'tls.crt')), key: readFileSync(join(client.dir, 'tls.key')) } : {}),
        timeout: 5000,
      },
      (res) => {
        const serverFingerprint = (res.socket as TLSSocket).getPeerX509Certificate()?.fingerprint256 ?? '';
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, serverFingerprint }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

function plainGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, timeout: 3000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

const BUNDLE = loadArtifacts().bundles.find((b) => b.artifact.name === 'simple_v1')!.digest;

describe('control plane API over mutual TLS', () => {
  let ca: TestCa;
  let otherCa: TestCa;
  let server: TestLeaf;
  let nextServer: TestLeaf;
  let client: TestLeaf;
  let strangerClient: TestLeaf;
  let service: ControlPlaneService;
  let api: number;
  let admin: number;
  let serial = 0;
  const logs: Array<Record<string, unknown>> = [];

  beforeAll(() => {
    ca = createTestCa();
    otherCa = createTestCa('stranger-ca');
    nextServer = issueTestLeaf(ca, 'control-plane-next');
    client = issueTestLeaf(ca, 'runtime');
    strangerClient = issueTestLeaf(otherCa, 'stranger');
  });
  afterAll(() => {
    removeTestPki(ca);
    removeTestPki(otherCa);
  });

  beforeEach(async () => {
    logs.length = 0;
    server = issueTestLeaf(ca, `control-plane-${serial++}`); // a fresh mount per test: rotation tests rewrite it
    service = new ControlPlaneService({
      store: new InMemoryLeaseStore(),
      host: '127.0.0.1',
      apiPort: 0,
      adminPort: 0,
      tlsDir: server.dir,
      tlsReloadIntervalMs: 50,
      log: (record) => logs.push(record),
    });
    ({ apiPort: api, adminPort: admin } = await service.start());
  });
  afterEach(async () => {
    await service.stop();
  });

  test('serves a client presenting a certificate from the CA, over https', async () => {
    expect(service.apiScheme).toBe('https');
    const answer = await tlsGet(api, `/v1/bundles/${BUNDLE}`, client, ca.caCert);
    expect(answer.status).toBe(200);
    expect(answer.serverFingerprint).toBe(server.fingerprint256);
    const summary = JSON.parse(answer.body);
    expect(summary.digest).toBe(BUNDLE);
    // The document the summary carries is the content the digest names.
    const { digest: _self, ...content } = summary.document;
    expect(`sha256:${createHash('sha256').update(encodeCanonical(content)).digest('hex')}`).toBe(BUNDLE);
  });

  test('refuses a client without a certificate', async () => {
    await expect(tlsGet(api, `/v1/bundles/${BUNDLE}`, undefined, ca.caCert)).rejects.toThrow(/certificate|socket hang up|ECONNRESET/i);
  });

  test('refuses a client whose certificate another CA signed', async () => {
    await expect(tlsGet(api, `/v1/bundles/${BUNDLE}`, strangerClient, ca.caCert)).rejects.toThrow(/certificate|unknown ca|socket hang up|ECONNRESET/i);
  });

  test('does not answer plain HTTP on the API port', async () => {
    // An https listener answers a plaintext request with a 400 (or drops it): never a bundle.
    const status = await plainGet(api, `/v1/bundles/${BUNDLE}`).catch(() => 0);
    expect(status).not.toBe(200);
  });

  test('keeps the admin port (probes, metrics) plain HTTP', async () => {
    expect(await plainGet(admin, '/healthz')).toBe(200);
    expect(await plainGet(admin, '/metrics')).toBe(200);
  });

  async function servedFingerprintEventually(expected: string): Promise<string> {
    const deadline = Date.now() + 3000;
    let seen = '';
    while (Date.now() < deadline) {
      seen = (await tlsGet(api, `/v1/bundles/${BUNDLE}`, client, ca.caCert)).serverFingerprint;
      if (seen === expected) return seen;
      await new Promise((r) => setTimeout(r, 25));
    }
    return seen;
  }

  test('serves the rotated certificate to new connections once the files are replaced (periodic check)', async () => {
    expect((await tlsGet(api, `/v1/bundles/${BUNDLE}`, client, ca.caCert)).serverFingerprint).toBe(server.fingerprint256);
    rotateInto(nextServer, server);
    expect(await servedFingerprintEventually(nextServer.fingerprint256)).toBe(nextServer.fingerprint256);
    expect(logs.some((l) => String(l.msg).includes('certificate rotated'))).toBe(true);
  });

  test('keeps the previous certificate while a rotation is half-written, then applies it', async () => {
    // New certificate, old key: TLS refuses the pair, so the old pair must stay in service.
    copyFileSync(join(nextServer.dir, 'tls.crt'), join(server.dir, 'tls.crt'));
    expect(service.reloadTlsNow()).toBe(false);
    expect((await tlsGet(api, `/v1/bundles/${BUNDLE}`, client, ca.caCert)).serverFingerprint).toBe(server.fingerprint256);
    expect(logs.some((l) => l.level === 'warn' && String(l.msg).includes('keeping the previous certificate'))).toBe(true);
    copyFileSync(join(nextServer.dir, 'tls.key'), join(server.dir, 'tls.key'));
    expect(await servedFingerprintEventually(nextServer.fingerprint256)).toBe(nextServer.fingerprint256);
    // The log never carries key material.
    expect(JSON.stringify(logs)).not.toContain('PRIVATE KEY');
  });
});

describe('control plane TLS configuration errors', () => {
  let ca: TestCa | undefined;
  afterEach(() => removeTestPki(ca));

  test('refuses to start when the TLS dir lacks a file, naming RSPP_TLS_DIR and the file', () => {
    ca = createTestCa();
    const missing = join(ca.dir, 'missing');
    expect(() => new ControlPlaneService({ store: new InMemoryLeaseStore(), host: '127.0.0.1', apiPort: 0, adminPort: 0, tlsDir: missing })).toThrow(ControlPlaneError);
    expect(() => new ControlPlaneService({ store: new InMemoryLeaseStore(), host: '127.0.0.1', apiPort: 0, adminPort: 0, tlsDir: missing })).toThrow(
      /RSPP_TLS_DIR: cannot use .*missing\/ca\.crt \(ENOENT\)/,
    );
  });

  test('refuses a key that does not match the certificate', () => {
    ca = createTestCa();
    const a = issueTestLeaf(ca, 'a');
    const b = issueTestLeaf(ca, 'b');
    copyFileSync(join(b.dir, 'tls.key'), join(a.dir, 'tls.key'));
    expect(() => new ControlPlaneService({ store: new InMemoryLeaseStore(), host: '127.0.0.1', apiPort: 0, adminPort: 0, tlsDir: a.dir })).toThrow(
      /RSPP_TLS_DIR: .* holds credentials TLS refuses/,
    );
  });

  test('without a TLS dir the API is plain HTTP', () => {
    const service = new ControlPlaneService({ store: new InMemoryLeaseStore(), host: '127.0.0.1', apiPort: 0, adminPort: 0 });
    expect(service.apiScheme).toBe('http');
  });
});
