/**
 * Integration: the etcd command line the AuthorityLeaseStore synthesizes, run by real etcd members.
 *
 * The StatefulSet's own args are taken from the synthesized object and only localised (each member's
 * host → `localhost` with its own free ports on 127.0.0.1, data and certificate paths → a temp dir). Certificates
 * are minted with openssl from the synthesized cert-manager `Certificate` specs (SANs and usages),
 * plus `localhost`. Then: the probe paths answer, a client presenting the etcd-client certificate
 * can write and read across members, a client without a certificate is refused (`--client-cert-auth`),
 * and the cluster stays writable after losing as many members as the PDB allows.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { Etcd3 } from 'etcd3';
import { AuthorityLeaseStore } from '../../constructs/authority-lease-store';
import { MtlsBaseline } from '../../constructs/mtls-baseline';
import { freePort } from '../support/ports';
import { byKind } from './platform-invariants.support';

const haveTools = spawnSync('etcd', ['--version']).status === 0 && spawnSync('openssl', ['version']).status === 0;
const describeIfTools = haveTools ? describe : describe.skip;

const NS = 'rspp-it';
const USAGE_TO_EKU: Record<string, string | undefined> = { 'server auth': 'serverAuth', 'client auth': 'clientAuth' };


function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** Mints `<dir>/{ca.crt,tls.crt,tls.key}` for a cert-manager Certificate spec, signed by the test CA. */
function mint(dir: string, caDir: string, spec: any): void {
  fs.mkdirSync(dir, { recursive: true });
  const sans = [...(spec.dnsNames ?? []), 'localhost'].map((d: string) => `DNS:${d}`).concat('IP:127.0.0.1');
  const ekus = (spec.usages as string[]).map((u) => USAGE_TO_EKU[u]).filter(Boolean);
  fs.writeFileSync(path.join(dir, 'ext.cnf'), `subjectAltName=${sans.join(',')}\nextendedKeyUsage=${ekus.join(',')}\nkeyUsage=digitalSignature,keyEncipherment\n`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'tls.key'], dir);
  openssl(['req', '-new', '-key', 'tls.key', '-subj', `/CN=${spec.commonName}`, '-out', 'tls.csr'], dir);
  openssl(['x509', '-req', '-in', 'tls.csr', '-CA', path.join(caDir, 'ca.crt'), '-CAkey', path.join(caDir, 'ca.key'), '-CAcreateserial', '-days', '1', '-extfile', 'ext.cnf', '-out', 'tls.crt'], dir);
  fs.copyFileSync(path.join(caDir, 'ca.crt'), path.join(dir, 'ca.crt'));
}

interface Member {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly metricsPort: number;
  process?: ChildProcess;
  stderr: string;
}

async function waitHealthy(m: Member, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await httpGet(`http://127.0.0.1:${m.metricsPort}/health`)).status === 200) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline || m.process?.exitCode !== null) throw new Error(`${m.name} did not become healthy:\n${m.stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stop(m: Member): Promise<void> {
  const p = m.process;
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
  clearTimeout(timer);
  if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

const MEMBERS = 3;

describeIfTools(`AuthorityLeaseStore: the synthesized etcd command runs a ${MEMBERS}-member cluster with mTLS enforced (real etcd)`, () => {
  let work: string;
  const members: Member[] = [];
  let probes: { liveness: string; readiness: string };
  let clientTlsDir: string;

  const clientFor = (m: Member, withCertificate = true) =>
    new Etcd3({
      hosts: `https://localhost:${m.clientPort}`,
      credentials: {
        rootCertificate: fs.readFileSync(path.join(clientTlsDir, 'ca.crt')),
        ...(withCertificate
          ? { certChain: fs.readFileSync(path.join(clientTlsDir, 'tls.crt')), privateKey: fs.readFileSync(path.join(clientTlsDir, 'tls.key')) }
          : {}),
      },
      dialTimeout: 5000,
    });

  beforeAll(async () => {
    const chart = Testing.chart();
    const tls = new MtlsBaseline(chart, 'tls', { namespace: NS });
    const leases = new AuthorityLeaseStore(chart, 'leases', { tls, members: MEMBERS });
    const objects = Testing.synth(chart);
    const sts = byKind(objects, 'StatefulSet')[0];
    const container = sts.spec.template.spec.containers[0];
    const certs = byKind(objects, 'Certificate');
    const peerSecret = sts.spec.template.spec.volumes.find((v: any) => v.name === 'peer-tls').secret.secretName;
    const peerSpec = certs.find((c) => c.spec.secretName === peerSecret)!.spec;
    const clientSpec = certs.find((c) => c.spec.secretName === leases.clientTlsSecretName)!.spec;
    const tlsMount = container.volumeMounts.find((m: any) => m.name === 'peer-tls').mountPath;
    const dataMount = container.volumeMounts.find((m: any) => m.name === 'data').mountPath;
    probes = { liveness: container.livenessProbe.httpGet.path, readiness: container.readinessProbe.httpGet.path };

    work = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-etcd-it-'));
    const caDir = path.join(work, 'ca');
    fs.mkdirSync(caDir);
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], caDir);
    openssl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=rspp-test-ca', '-days', '1', '-out', 'ca.crt'], caDir);
    mint(path.join(work, 'peer'), caDir, peerSpec);
    clientTlsDir = path.join(work, 'client');
    mint(clientTlsDir, caDir, clientSpec);

    for (let i = 0; i < MEMBERS; i++) {
      members.push({ name: `rspp-etcd-${i}`, clientPort: await freePort(), peerPort: await freePort(), metricsPort: await freePort(), stderr: '' });
    }
    // Localise the synthesized args: each member's DNS name becomes localhost with its own ports.
    const hostOf = (name: string) => `${name}.rspp-etcd-peers.${NS}.svc`;
    for (const self of members) {
      const args = (container.args as string[]).map((a) => {
        let out = a.replace(/\$\(POD_NAME\)/g, self.name);
        for (const m of members) {
          out = out.split(`${hostOf(m.name)}:2380`).join(`localhost:${m.peerPort}`).split(`${hostOf(m.name)}:2379`).join(`localhost:${m.clientPort}`);
        }
        return out
          .replace('0.0.0.0:2380', `127.0.0.1:${self.peerPort}`)
          .replace('0.0.0.0:2379', `127.0.0.1:${self.clientPort}`)
          .replace('0.0.0.0:2381', `127.0.0.1:${self.metricsPort}`)
          .split(tlsMount).join(path.join(work, 'peer'))
          .split(dataMount).join(path.join(work, self.name));
      });
      expect(args.filter((a) => /svc|0\.0\.0\.0|\/etc\/etcd|\/var\/lib\/etcd|:23(79|80|81)\b/.test(a))).toEqual([]);
      self.process = spawn('etcd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      self.process.stderr!.on('data', (d) => (self.stderr = (self.stderr + d).slice(-4000)));
    }
    await Promise.all(members.map((m) => waitHealthy(m, 30_000)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(members.map(stop));
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('every member answers the liveness and readiness probe paths with 200, and has a leader', async () => {
    for (const m of members) {
      for (const p of [probes.liveness, probes.readiness]) {
        const res = await httpGet(`http://127.0.0.1:${m.metricsPort}${p}`);
        expect([m.name, p, res.status]).toEqual([m.name, p, 200]);
      }
      expect((await httpGet(`http://127.0.0.1:${m.metricsPort}/metrics`)).body).toContain('etcd_server_has_leader 1');
    }
  });

  test('a client presenting the etcd-client certificate writes through one member and reads through another (peers replicate over mTLS)', async () => {
    const writer = clientFor(members[0]);
    const reader = clientFor(members[MEMBERS - 1]);
    try {
      await writer.put('rspp/it').value('fenced');
      expect(await reader.get('rspp/it').string()).toBe('fenced');
    } finally {
      writer.close();
      reader.close();
    }
  }, 20_000);

  test('a client without a certificate is refused (--client-cert-auth)', async () => {
    const client = clientFor(members[0], false);
    try {
      const error = await client.get('rspp/it').string().then(() => undefined, (e: Error) => e);
      expect(String(error)).toMatch(/bad certificate|certificate required|handshake/i);
    } finally {
      client.close();
    }
  }, 20_000);

  test('losing the members the PDB allows (maxUnavailable) keeps the quorum: writes still succeed', async () => {
    const maxUnavailable = MEMBERS - (Math.floor(MEMBERS / 2) + 1);
    const down = members.slice(1, 1 + maxUnavailable);
    await Promise.all(down.map(stop));
    const client = clientFor(members[0]);
    try {
      await client.put('rspp/after-disruption').value('still-quorate');
      expect(await client.get('rspp/after-disruption').string()).toBe('still-quorate');
    } finally {
      client.close();
    }
    const readiness = await httpGet(`http://127.0.0.1:${members[0].metricsPort}${probes.readiness}`);
    expect(readiness.status).toBe(200);
  }, 30_000);
});
