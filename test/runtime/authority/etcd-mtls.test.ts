/**
 * The etcd store over mutual TLS, as deployed (architecture §3: mTLS to the lease store), with
 * certificates in the layout cert-manager mounts (`ca.crt`, `tls.crt`, `tls.key` in RSPP_ETCD_TLS_DIR):
 * createLeaseStoreFromEnv reads them and the store works; without a client certificate it does not.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdLeaseStore, createLeaseStoreFromEnv } from '../../../runtime/authority';
import { etcdAvailable, startEtcd, type EtcdServer } from '../../support/etcd-server';

if (!etcdAvailable()) throw new Error('etcd is not on PATH: run `bash test/tools/install-test-tools.sh`');

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate (test material only). */
function makePki(dir: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=rspp-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=etcd', '-keyout', 'server.key', '-out', 'server.csr'], dir);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'server.ext', '-out', 'server.crt'], dir);
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=rspp-runtime', '-keyout', 'tls.key', '-out', 'client.csr'], dir);
  openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'client.ext', '-out', 'tls.crt'], dir);
}

describe('EtcdLeaseStore over mutual TLS', () => {
  let pki: string;
  let etcd: EtcdServer;
  beforeAll(async () => {
    pki = mkdtempSync(join(tmpdir(), 'rspp-pki-'));
    makePki(pki);
    etcd = await startEtcd({ tls: { caFile: join(pki, 'ca.crt'), certFile: join(pki, 'server.crt'), keyFile: join(pki, 'server.key') } });
  });
  afterAll(async () => {
    await etcd?.stop();
    rmSync(pki, { recursive: true, force: true });
  });

  test('createLeaseStoreFromEnv with RSPP_ETCD_TLS_DIR acquires, renews and releases over mTLS', async () => {
    expect(etcd.endpoint.startsWith('https://')).toBe(true);
    const store = createLeaseStoreFromEnv({
      env: { RSPP_LEASE_STORE: 'etcd', RSPP_ETCD_ENDPOINTS: etcd.endpoint, RSPP_ETCD_TLS_DIR: pki, RSPP_LEASE_TTL_SECONDS: '2' },
    });
    try {
      const lease = await store.acquire({ key: 'mtls/placement', holderId: 'pod-0' });
      await lease.renew();
      expect(lease.isHeld()).toBe(true);
      expect(await store.validateEpoch('mtls/placement', lease.epoch)).toMatchObject({ accepted: true });
      await lease.release();
      expect((await store.inspect('mtls/placement')).holder).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  test('without a client certificate the store is refused (store_unreachable), never silently plain', async () => {
    const store = new EtcdLeaseStore({ endpoints: [etcd.endpoint], tls: { caCertificate: readFileSync(join(pki, 'ca.crt')) }, callTimeoutMs: 1000, dialTimeoutMs: 1000 });
    try {
      await expect(store.inspect('mtls/placement')).rejects.toMatchObject({ code: 'store_unreachable' });
    } finally {
      await store.close();
    }
  });
});
