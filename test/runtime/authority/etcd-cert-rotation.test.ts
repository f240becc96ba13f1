/**
 * #13 item 2: the etcd client certificate is reloaded from its mounted Secret, against a real etcd
 * over mutual TLS. A held lease survives a rotation on disk (same epoch, never lost, renewed through
 * the new client after the old one is closed), its watch follows the new client, 0 stale outputs are
 * accepted, and an expired certificate is refused naming the file and the expiry.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLeaseStoreFromEnv, EtcdLeaseStore, type EtcdTlsEvent, type LeaseState } from '../../../runtime/authority';
import { etcdAvailable, startEtcd, type EtcdServer } from '../../support/etcd-server';
import { createTestCa, issueTestLeaf, removeTestPki, rotateInto, type TestCa, type TestLeaf } from '../control-plane/test-certificates';

if (!etcdAvailable()) throw new Error('etcd is not on PATH: run `bash test/tools/install-test-tools.sh`');
jest.setTimeout(60_000);

const KEY = 'rotation/placement';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}
const fixedTls = (leaf: TestLeaf) => ({
  caCertificate: readFileSync(join(leaf.dir, 'ca.crt')),
  certificateChain: readFileSync(join(leaf.dir, 'tls.crt')),
  privateKey: readFileSync(join(leaf.dir, 'tls.key')),
});

describe('etcd client certificate rotation (real etcd, mTLS)', () => {
  let ca: TestCa;
  let etcd: EtcdServer;
  let mounted: TestLeaf; // the Secret mount the store follows
  let renewed: TestLeaf; // what cert-manager writes at renewal
  let expired: TestLeaf;
  let other: TestLeaf;
  beforeAll(async () => {
    ca = createTestCa();
    const server = issueTestLeaf(ca, 'etcd-server');
    mounted = issueTestLeaf(ca, 'mounted');
    renewed = issueTestLeaf(ca, 'renewed');
    expired = issueTestLeaf(ca, 'expired', -1);
    other = issueTestLeaf(ca, 'other');
    etcd = await startEtcd({ tls: { caFile: ca.caCert, certFile: join(server.dir, 'tls.crt'), keyFile: join(server.dir, 'tls.key') } });
  });
  afterAll(async () => {
    await etcd?.stop();
    removeTestPki(ca);
  });

  test('a held lease survives the rotation: same epoch, renewed through the new client, watches moved, 0 stale outputs', async () => {
    const events: EtcdTlsEvent[] = [];
    const store = new EtcdLeaseStore({ endpoints: [etcd.endpoint], tlsDir: mounted.dir, tlsReloadIntervalMs: 50, defaultTtlSeconds: 2, onTlsEvent: (e) => events.push(e) });
    const contender = new EtcdLeaseStore({ endpoints: [etcd.endpoint], tls: fixedTls(other), defaultTtlSeconds: 2 });
    try {
      const before = store.clientCertificate!;
      expect(before.certFile).toBe(join(mounted.dir, 'tls.crt'));
      // A previous holder leaves epoch 1 behind: outputs fenced with it are stale from now on.
      const first = await store.acquire({ key: KEY, holderId: 'pod-old' });
      await first.release();
      const lease = await store.acquire({ key: KEY, holderId: 'pod-0' });
      expect(lease.epoch).toBe(2);
      let lost = false;
      lease.onLost(() => (lost = true));
      const states: LeaseState[] = [];
      const watch = await store.watch(KEY, (state) => states.push(state));

      let accepted = 0;
      let staleAccepted = 0;
      let contenderWins = 0;
      const emitFor = async (ms: number): Promise<void> => {
        const end = Date.now() + ms;
        while (Date.now() < end) {
          if (lease.isHeld() && (await store.validateEpoch(KEY, lease.epoch)).accepted) accepted++;
          if ((await store.validateEpoch(KEY, 1)).accepted) staleAccepted++;
          await contender.acquire({ key: KEY, holderId: 'pod-1' }).then(
            () => contenderWins++,
            () => undefined,
          );
          await sleep(50);
        }
      };
      await emitFor(1000);
      rotateInto(renewed, mounted);
      await until('the rotation to be applied', () => events.some((e) => e.kind === 'rotated'));
      const after = store.clientCertificate!;
      expect(after.revision).not.toBe(before.revision);
      expect(new X509Certificate(readFileSync(join(mounted.dir, 'tls.crt'))).fingerprint256).toBe(renewed.fingerprint256);
      const rotated = events.find((e) => e.kind === 'rotated');
      expect(rotated).toMatchObject({ kind: 'rotated', certFile: join(mounted.dir, 'tls.crt') });
      expect(rotated!.kind === 'rotated' && rotated!.watchesMoved).toBeGreaterThanOrEqual(3); // the lease's watch + the two of store.watch

      // Three TTLs after the swap: every renewal went through the new client (the old one is closed).
      await emitFor(6000);
      expect(lost).toBe(false);
      expect(lease.isHeld()).toBe(true);
      expect(lease.epoch).toBe(2);
      expect(accepted).toBeGreaterThan(20);
      expect(staleAccepted).toBe(0);
      expect(contenderWins).toBe(0);
      expect(events.filter((e) => e.kind === 'rejected')).toEqual([]);

      // The moved watches still deliver: releasing is seen by store.watch on the new client.
      const seenBefore = states.length;
      await lease.release();
      await until('the watch to report the release', () => states.slice(seenBefore).some((s) => s.holder === undefined));
      await watch.close();
    } finally {
      await contender.close();
      await store.close();
    }
  });

  test("after a rotation the lease's own watch follows the new client: a deletion in etcd ends the lease at once", async () => {
    rotateInto(other, mounted);
    const events: EtcdTlsEvent[] = [];
    const store = new EtcdLeaseStore({ endpoints: [etcd.endpoint], tlsDir: mounted.dir, tlsReloadIntervalMs: 50, defaultTtlSeconds: 5, onTlsEvent: (e) => events.push(e) });
    const { Etcd3 } = await import('etcd3');
    const raw = new Etcd3({ hosts: etcd.endpoint, credentials: { rootCertificate: fixedTls(other).caCertificate, certChain: fixedTls(other).certificateChain, privateKey: fixedTls(other).privateKey } });
    try {
      const lease = await store.acquire({ key: `${KEY}-2`, holderId: 'pod-0' });
      rotateInto(renewed, mounted);
      await until('the rotation', () => events.some((e) => e.kind === 'rotated'));
      const start = Date.now();
      await raw.delete().key(`/rspp/authority/holder/${KEY}-2`);
      const loss = await Promise.race([lease.lost, sleep(2000).then(() => undefined)]);
      expect(loss).toMatchObject({ reason: 'key_deleted' });
      expect(Date.now() - start).toBeLessThan(2000); // the watch, not the 5 s TTL
    } finally {
      raw.close();
      await store.close();
    }
  });

  test('a rotation onto an expired certificate is refused naming the file and the expiry; the previous one and the lease stay', async () => {
    rotateInto(other, mounted);
    const events: EtcdTlsEvent[] = [];
    const store = new EtcdLeaseStore({ endpoints: [etcd.endpoint], tlsDir: mounted.dir, tlsReloadIntervalMs: 50, defaultTtlSeconds: 2, onTlsEvent: (e) => events.push(e) });
    try {
      const lease = await store.acquire({ key: `${KEY}-3`, holderId: 'pod-0' });
      const before = store.clientCertificate!.revision;
      rotateInto(expired, mounted);
      await until('the rejection', () => events.some((e) => e.kind === 'rejected'));
      const notAfter = new Date(new X509Certificate(readFileSync(join(expired.dir, 'tls.crt'))).validTo).toISOString();
      const rejection = events.find((e) => e.kind === 'rejected');
      expect(rejection).toEqual({
        kind: 'rejected',
        message: expect.stringContaining(`RSPP_ETCD_TLS_DIR: the certificate ${join(mounted.dir, 'tls.crt')} expired at ${notAfter}`),
      });
      expect(events.filter((e) => e.kind === 'rejected')).toHaveLength(1); // once, not every tick
      expect(store.clientCertificate!.revision).toBe(before);
      await sleep(2500); // more than one TTL: renewals keep going on the valid certificate
      expect(lease.isHeld()).toBe(true);
      await lease.release();
    } finally {
      await store.close();
    }
  });

  test('a pod started with an expired certificate gets a clear error naming the file and the expiry', () => {
    const notAfter = new Date(new X509Certificate(readFileSync(join(expired.dir, 'tls.crt'))).validTo).toISOString();
    const message = `RSPP_ETCD_TLS_DIR: the certificate ${join(expired.dir, 'tls.crt')} expired at ${notAfter}`;
    expect(() => createLeaseStoreFromEnv({ env: { RSPP_LEASE_STORE: 'etcd', RSPP_ETCD_ENDPOINTS: etcd.endpoint, RSPP_ETCD_TLS_DIR: expired.dir } })).toThrow(message);
    expect(() => new EtcdLeaseStore({ endpoints: [etcd.endpoint], tlsDir: join(ca.dir, 'missing') })).toThrow(/RSPP_ETCD_TLS_DIR: cannot use .*missing\/ca.crt \(ENOENT\); mount the etcd client certificate Secret/);
    expect(() => new EtcdLeaseStore({ endpoints: [etcd.endpoint], tlsDir: mounted.dir, tls: fixedTls(other) })).toThrow(/set tls .* or tlsDir .*, not both/);
  });
});
