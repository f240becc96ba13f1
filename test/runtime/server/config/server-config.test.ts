import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ADMIN_PORT, DEFAULT_DRAIN_SECONDS, DEFAULT_LEASE_TTL_SECONDS, MVP_PROFILE, RUNTIME_SESSION_PORT } from '../../../../runtime/contracts/runtime-interface';
import { loadServerConfig, ServerConfigError } from '../../../../runtime/server/config/server-config';

const problemsOf = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ServerConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ServerConfigError');
};

describe('server configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-server-config-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('embedded defaults come from the shared runtime interface', () => {
    const config = loadServerConfig({});
    expect(config).toMatchObject({
      sessionPort: RUNTIME_SESSION_PORT,
      adminPort: ADMIN_PORT,
      drainSeconds: DEFAULT_DRAIN_SECONDS,
      leaseTtlSeconds: DEFAULT_LEASE_TTL_SECONDS,
      profile: MVP_PROFILE,
      leaseStore: 'memory',
      etcdEndpoints: [],
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('env vars (RUNTIME_ENV names) override the defaults', () => {
    const config = loadServerConfig({
      RSPP_DRAIN_SECONDS: '45',
      RSPP_LEASE_STORE: 'etcd',
      RSPP_ETCD_ENDPOINTS: 'https://etcd-0:2379, https://etcd-1:2379',
      RSPP_LEASE_TTL_SECONDS: '15',
      RSPP_BUNDLE_DIGEST: `sha256:${'a'.repeat(64)}`,
      RSPP_POD_NAME: 'rspp-runtime-0',
      RSPP_REGION: 'eu-west-1',
    });
    expect(config).toMatchObject({
      drainSeconds: 45,
      leaseStore: 'etcd',
      etcdEndpoints: ['https://etcd-0:2379', 'https://etcd-1:2379'],
      leaseTtlSeconds: 15,
      podName: 'rspp-runtime-0',
      region: 'eu-west-1',
    });
  });

  test('RSPP_SESSION_PORT and RSPP_ADMIN_PORT set the ports, checked like the file fields', () => {
    expect(loadServerConfig({ RSPP_SESSION_PORT: '18081', RSPP_ADMIN_PORT: '19091' })).toMatchObject({ sessionPort: 18081, adminPort: 19091 });
    expect(problemsOf(() => loadServerConfig({ RSPP_SESSION_PORT: '80800', RSPP_ADMIN_PORT: 'http' }))).toEqual([
      'RSPP_SESSION_PORT: must be an integer in 0..65535, got "80800"',
      'RSPP_ADMIN_PORT: must be an integer in 0..65535, got "http"',
    ]);
  });

  test('an unsupported RSPP_PROFILE fails at start, naming the profiles served', () => {
    expect(problemsOf(() => loadServerConfig({ RSPP_PROFILE: 'complex/v9' }))).toEqual([
      'RSPP_PROFILE: "complex/v9" is not a profile this runtime serves; use one of "simple/v1" (unset, it defaults to "simple/v1")',
    ]);
    expect(loadServerConfig({ RSPP_PROFILE: 'simple/v1' }).profile).toBe('simple/v1');
  });

  test('a YAML or JSON file (RSPP_CONFIG_FILE) is applied under the env vars', () => {
    const yamlFile = path.join(dir, 'server.yaml');
    fs.writeFileSync(yamlFile, 'drainSeconds: 20\nsessionPort: 18080\nregion: file-region\n');
    const jsonFile = path.join(dir, 'server.json');
    fs.writeFileSync(jsonFile, JSON.stringify({ adminPort: 19090, maxSessions: 5 }));
    expect(loadServerConfig({ RSPP_CONFIG_FILE: yamlFile, RSPP_REGION: 'env-region' })).toMatchObject({
      drainSeconds: 20,
      sessionPort: 18080,
      region: 'env-region',
    });
    expect(loadServerConfig({ RSPP_CONFIG_FILE: jsonFile })).toMatchObject({ adminPort: 19090, maxSessions: 5 });
  });

  test('every problem is reported at once, each naming the variable or the file field', () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'drainSeconds: -3\ncolour: blue\n');
    const problems = problemsOf(() =>
      loadServerConfig({
        RSPP_CONFIG_FILE: file,
        RSPP_LEASE_TTL_SECONDS: 'ten',
        RSPP_LEASE_STORE: 'zookeeper',
        RSPP_BUNDLE_DIGEST: 'latest',
        RSPP_CONTROL_PLANE_URL: 'ftp://cp',
      }),
    );
    expect(problems).toEqual([
      `${file}: field "drainSeconds": must be an integer in 1..3600, got -3`,
      expect.stringContaining(`${file}: unknown field "colour"`),
      'RSPP_BUNDLE_DIGEST: must be a digest "sha256:<64 lowercase hex>", got "latest"',
      'RSPP_LEASE_STORE: must be "memory" or "etcd", got "zookeeper"',
      'RSPP_LEASE_TTL_SECONDS: must be an integer in 2..300, got "ten"',
      'RSPP_CONTROL_PLANE_URL: must be an http(s) URL, got "ftp://cp"',
    ]);
  });

  test('cross-field rules: etcd needs endpoints; the two ports differ', () => {
    expect(problemsOf(() => loadServerConfig({ RSPP_LEASE_STORE: 'etcd' }))).toEqual([
      expect.stringMatching(/^RSPP_ETCD_ENDPOINTS: required when RSPP_LEASE_STORE=etcd/),
    ]);
    expect(problemsOf(() => loadServerConfig({}, { sessionPort: 7000, adminPort: 7000 }))).toEqual(['sessionPort and adminPort must differ (both 7000); set RSPP_SESSION_PORT or RSPP_ADMIN_PORT to another port']);
  });

  test('an unreadable or malformed file is named', () => {
    expect(problemsOf(() => loadServerConfig({ RSPP_CONFIG_FILE: path.join(dir, 'missing.json') }))[0]).toMatch(/^RSPP_CONFIG_FILE=.*missing\.json: cannot read file/);
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{"drainSeconds": ');
    expect(problemsOf(() => loadServerConfig({ RSPP_CONFIG_FILE: file }))[0]).toMatch(/broken\.json: not valid JSON/);
  });
});
