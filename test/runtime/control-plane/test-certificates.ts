/**
 * Throwaway PKI for TLS tests: a CA and leaf certificates (ECDSA P-256, SAN 127.0.0.1 + localhost,
 * server and client auth) generated with the machine's `openssl`, laid out like a cert-manager
 * Secret mount (`ca.crt`, `tls.crt`, `tls.key`). Keys live only in a temp dir the caller removes.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
}

export interface TestLeaf {
  /** A directory with `ca.crt`, `tls.crt`, `tls.key`, as a Secret mount. */
  readonly dir: string;
  /** SHA-256 fingerprint of `tls.crt` (as `X509Certificate.fingerprint256`). */
  readonly fingerprint256: string;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
}

/** A fresh CA in a new temp dir (remove with `removeTestPki`). */
export function createTestCa(name = 'rspp-test-ca'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'rspp-pki-'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${name}`], dir);
  return { dir, caCert: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key') };
}

/**
 * A leaf certificate signed by `ca`, written as a Secret-mount directory `<ca.dir>/<name>`.
 * `days` -1 issues one that expired a day ago.
 */
export function issueTestLeaf(ca: TestCa, name: string, days = 1): TestLeaf {
  const dir = join(ca.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'ext.cnf'),
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
  );
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', `/CN=${name}`], dir);
  openssl(['x509', '-req', '-in', 'tls.csr', '-CA', ca.caCert, '-CAkey', ca.caKey, '-CAcreateserial', '-out', 'tls.crt', '-days', String(days), '-extfile', 'ext.cnf'], dir);
  copyFileSync(ca.caCert, join(dir, 'ca.crt'));
  rmSync(join(dir, 'tls.csr'));
  return { dir, fingerprint256: new X509Certificate(readFileSync(join(dir, 'tls.crt'))).fingerprint256 };
}

/** Replaces `target`'s files with `source`'s (each by atomic rename), as a rotation does. */
export function rotateInto(source: TestLeaf, target: TestLeaf): void {
  for (const file of ['ca.crt', 'tls.key', 'tls.crt']) {
    copyFileSync(join(source.dir, file), join(target.dir, `.${file}.next`));
    renameSync(join(target.dir, `.${file}.next`), join(target.dir, file));
  }
}

export function removeTestPki(ca: TestCa | undefined): void {
  if (ca) rmSync(ca.dir, { recursive: true, force: true });
}
