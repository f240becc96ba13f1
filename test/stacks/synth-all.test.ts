/**
 * `npm run synth` end to end (in process): manifests, charts and Terraform for every env, in temp dirs.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../stacks/synth-all';

describe('npm run synth (stacks/synth-all)', () => {
  let tmp: string;
  let log: jest.SpyInstance;
  let err: jest.SpyInstance;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-synth-all-'));
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    log.mockRestore();
    err.mockRestore();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('writes manifests, linted charts and Terraform for all three envs', () => {
    const out = path.join(tmp, 'dist');
    const tfOut = path.join(tmp, 'cdktf.out');
    const code = main(['--out', out, '--tf-out', tfOut, '--no-built-image']);
    const printed = log.mock.calls.map((c) => c.join(' ')).join('\n');
    expect(err.mock.calls).toEqual([]);
    expect(code).toBe(0);
    for (const env of ['dev', 'stage', 'prod']) {
      expect(fs.readdirSync(path.join(out, env, 'k8s')).filter((f) => f.endsWith('.yaml')).length).toBeGreaterThan(0);
      expect(fs.existsSync(path.join(out, env, 'charts', 'rspp-platform', 'Chart.yaml'))).toBe(true);
      expect(fs.existsSync(path.join(out, env, 'charts', 'rspp-platform', 'values.schema.json'))).toBe(true);
      const tf = JSON.parse(fs.readFileSync(path.join(tfOut, 'stacks', env, 'cdk.tf.json'), 'utf8'));
      expect(Object.keys(tf.resource.helm_release)).toEqual(expect.arrayContaining([expect.stringMatching(/platform/)]));
      expect(printed).toMatch(new RegExp(`${env}: ok`));
    }
    expect(printed).toMatch(/helm lint --strict: passed/);
    expect(printed).not.toMatch(/FAILED|FINDING/);
    expect(printed).toMatch(/exemptions: none/);
    expect(printed).toMatch(/synth all ok/);
    // images.json: every image the env pulls, by digest, with platforms; none by tag.
    for (const env of ['dev', 'stage', 'prod']) {
      const images = JSON.parse(fs.readFileSync(path.join(out, env, 'images.json'), 'utf8'));
      expect(images.env).toBe(env);
      const containers = images.images.map((i: any) => `${i.object} ${i.container}`);
      expect(containers).toEqual(expect.arrayContaining([expect.stringMatching(/^Deployment\/rspp-[a-z]+\/rspp-runtime runtime$/), expect.stringMatching(/^StatefulSet\/rspp-[a-z]+\/.* etcd$/)]));
      for (const i of images.images) {
        expect(i.reference).toMatch(/@sha256:[0-9a-f]{64}$/);
        expect(i.reference.endsWith(i.digest)).toBe(true);
        expect(i.platforms.length).toBeGreaterThan(0);
        expect(typeof i.source).toBe('string');
      }
      const sources = images.images.map((i: any) => i.source);
      expect(sources.some((x: string) => x.includes('Valkey'))).toBe(env === 'prod');
      expect(sources.some((x: string) => x.startsWith('metrics-server values'))).toBe(true);
      expect(images.unpinnedChartDefaults.map((u: any) => u.pinWith)).toEqual(expect.arrayContaining(['image.digest', 'grafana.image.sha', 'image.tag (<tag>@sha256:<digest>)']));
      expect(printed).toMatch(new RegExp(`images: .*${env}/images.json: ${images.images.length} pinned by digest, 0 tag-only`));
    }
  });

  test('a tag-only image reference fails the synth, naming its source and the value that pins it, and writes nothing', () => {
    const out = path.join(tmp, 'dist');
    const tfOut = path.join(tmp, 'cdktf.out');
    const code = main(['--out', out, '--tf-out', tfOut, '--no-built-image', '--skip-lint'], {
      extraImages: { stage: [{ object: 'helm_release.metrics-server', container: 'metrics-server', reference: 'registry.k8s.io/metrics-server/metrics-server:v0.7.2', platforms: ['linux/amd64'], source: 'metrics-server values: image.tag' }] },
    });
    expect(code).toBe(1);
    const message = err.mock.calls.join('\n');
    expect(message).toMatch(/stage: 1 image reference\(s\) not pinned by digest \(synth wrote nothing\)/);
    expect(message).toMatch(/helm_release\.metrics-server container "metrics-server" \(from metrics-server values: image\.tag\): "registry\.k8s\.io\/metrics-server\/metrics-server:v0\.7\.2" is referenced by tag; pin it by digest: registry\.k8s\.io\/metrics-server\/metrics-server@sha256:<64 hex>/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(tfOut)).toBe(false);
  });

  test('a bad argument exits 2 and writes nothing', () => {
    const out = path.join(tmp, 'dist');
    expect(main(['--env', 'qa', '--out', out])).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
    expect(err.mock.calls.join('\n')).toMatch(/unknown environment\(s\) qa/);
  });
});
