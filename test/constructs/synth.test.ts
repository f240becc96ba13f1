import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildApp } from '../../constructs/app';
import { main, parseSynthArgs } from '../../constructs/synth/cli';
import { runOfflineChecks } from '../../constructs/synth/offline-checks';
import { runSynth } from '../../constructs/synth/synth-run';

let out: string;
beforeEach(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-synth-'));
});
afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

const listing = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : [];

describe('npm run synth (runSynth)', () => {
  test('writes one YAML file per chart to <out>/<env>/k8s for all three envs, each passing the policy', () => {
    const result = runSynth({ outRoot: out, builtImageFile: false });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    for (const env of ['dev', 'stage', 'prod']) {
      expect(fs.readdirSync(path.join(out, env, 'k8s'))).toEqual([`rspp-${env}.k8s.yaml`]);
    }
    expect(result.envs.map((e) => [e.synth.env, e.checks.passed])).toEqual([['dev', true], ['stage', true], ['prod', true]]);
    expect(fs.readdirSync(out).filter((f) => f.startsWith('.synth-staging'))).toEqual([]);
  });

  test('prints a per-env summary: objects by kind, rules passed, exemptions, time', () => {
    const result = runSynth({ outRoot: out, envs: ['prod'], builtImageFile: false });
    expect(result.report).toMatch(/^runtime image from envs\/pins\.ts$/m);
    expect(result.report).toMatch(/^prod: ok — \d+ objects in 1 file\(s\)/m);
    const kinds = /^ {2}kinds: (.*)$/m.exec(result.report)![1].split(', ').map((k) => k.split(' '));
    expect(kinds.map(([kind]) => kind)).toEqual(expect.arrayContaining(['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service']));
    const total = Number(/^prod: ok — (\d+) objects/m.exec(result.report)![1]);
    expect(kinds.reduce((n, [, count]) => n + Number(count), 0)).toBe(total);
    expect(total).toBe(result.envs[0].synth.objects.length);
    expect(result.report).toMatch(/^ {2}policy: (\d+)\/\1 applicable rules passed/m);
    expect(result.report).toMatch(/^ {2}exemptions: none$/m);
    expect(result.report).toMatch(/^ {2}time: synth \d+ ms, checks \d+ ms$/m);
    expect(result.report).toMatch(/^synth ok: 1 env\(s\) in \d+ ms$/m);
  });

  test('replaces the previous manifests and leaves sibling outputs alone', () => {
    fs.mkdirSync(path.join(out, 'dev', 'k8s'), { recursive: true });
    fs.writeFileSync(path.join(out, 'dev', 'k8s', 'stale.k8s.yaml'), 'stale');
    fs.mkdirSync(path.join(out, 'dev', 'charts'), { recursive: true });
    fs.writeFileSync(path.join(out, 'dev', 'charts', 'Chart.yaml'), 'keep');
    expect(runSynth({ outRoot: out, envs: ['dev'], builtImageFile: false }).ok).toBe(true);
    expect(fs.readdirSync(path.join(out, 'dev', 'k8s'))).toEqual(['rspp-dev.k8s.yaml']);
    expect(fs.readFileSync(path.join(out, 'dev', 'charts', 'Chart.yaml'), 'utf8')).toBe('keep');
  });

  test('a failure leaves the output exactly as it was, and names the env and the cause', () => {
    fs.mkdirSync(path.join(out, 'prod', 'k8s'), { recursive: true });
    fs.writeFileSync(path.join(out, 'prod', 'k8s', 'previous.k8s.yaml'), 'previous');
    const before = listing(out);
    const badImage = path.join(out, 'runtime.json');
    fs.writeFileSync(badImage, JSON.stringify({ image: 'ghcr.io/rspp/runtime:latest' }));
    const beforeWithImage = listing(out);
    const result = runSynth({ outRoot: out, builtImageFile: badImage });
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([expect.stringContaining(`${badImage}: field "image" "ghcr.io/rspp/runtime:latest" is referenced by tag`)]);
    expect(result.report).toMatch(/^synth FAILED: nothing written to /m);
    expect(listing(out)).toEqual(beforeWithImage);
    expect(before).toContain(path.join('prod', 'k8s', 'previous.k8s.yaml'));
    expect(fs.readFileSync(path.join(out, 'prod', 'k8s', 'previous.k8s.yaml'), 'utf8')).toBe('previous');
  });

  test('policy findings fail the checks with the rule id, object and field', () => {
    const objects = [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'bad', namespace: 'rspp' },
        spec: { containers: [{ name: 'c', image: 'busybox:latest', securityContext: { privileged: true } }] },
      },
    ];
    const result = runOfflineChecks('dev', objects);
    expect(result.passed).toBe(false);
    expect(result.report).toMatch(/RSPP-POD-002 Pod\/rspp\/bad spec\.containers\[0\]\.securityContext\.privileged/);
    expect(result.report).toMatch(/RSPP-POD-011 /);
  });

  test('schema validation errors fail the checks, naming object and field', () => {
    const objects = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'rspp' }, data: { a: 'b' }, dataz: {} }];
    const result = runOfflineChecks('dev', objects);
    expect(result.passed).toBe(false);
    expect(result.validation.errors).toEqual([expect.stringMatching(/^ConfigMap\/rspp\/c .*dataz/)]);
    expect(result.report).toMatch(/^validation \(dev\): FAILED: 1 error\(s\)$/m);
  });
});

describe('synth CLI', () => {
  let errors: jest.SpyInstance;
  let logs: jest.SpyInstance;
  beforeEach(() => {
    errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    errors.mockRestore();
    logs.mockRestore();
  });

  test('parses --env, --out and --no-built-image', () => {
    expect(parseSynthArgs(['--env', 'dev,prod', '--out', 'x', '--no-built-image'])).toEqual({ envs: ['dev', 'prod'], outRoot: 'x', builtImageFile: false });
    expect(parseSynthArgs(['--built-image', 'img.json']).builtImageFile).toMatch(/img\.json$/);
    expect(parseSynthArgs([])).toEqual({ envs: undefined, outRoot: undefined, builtImageFile: undefined });
  });

  test('bad arguments exit 2 with the usage', () => {
    expect(main(['--env', 'qa'])).toBe(2);
    expect(errors.mock.calls[0][0]).toMatch(/^--env: unknown environment\(s\) qa; expected dev, stage, prod\nusage: synth/);
    expect(main(['--out'])).toBe(2);
    expect(main(['--frobnicate'])).toBe(2);
    expect(main(['--help'])).toBe(0);
  });

  test('a failing run exits 1, prints why and writes nothing', () => {
    const badImage = path.join(out, 'runtime.json');
    fs.writeFileSync(badImage, '{');
    expect(main(['--env', 'dev', '--out', path.join(out, 'dist'), '--built-image', badImage])).toBe(1);
    expect(errors.mock.calls[0][0]).toContain(`${badImage}: cannot read the built runtime image reference`);
    // Nothing at all: not even the (new) output folder is left behind.
    expect(fs.existsSync(path.join(out, 'dist'))).toBe(false);
  });

  test('a successful run exits 0', () => {
    expect(main(['--env', 'dev', '--out', out, '--no-built-image'])).toBe(0);
    expect(logs.mock.calls[0][0]).toMatch(/synth ok: 1 env\(s\)/);
  });
});

describe('the cdk8s app (cdk8s.yaml)', () => {
  test('synthesizes one chart per env', () => {
    const app = buildApp(out);
    expect(app.charts.map((c) => c.node.id)).toEqual(['rspp-dev', 'rspp-stage', 'rspp-prod']);
    app.synth();
    expect(fs.readdirSync(out).sort()).toEqual(['rspp-dev.k8s.yaml', 'rspp-prod.k8s.yaml', 'rspp-stage.k8s.yaml']);
  });
});
