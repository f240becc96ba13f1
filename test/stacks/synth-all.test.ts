/**
 * `npm run synth` end to end (in process): manifests, charts and Terraform for every env, in temp dirs.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main, synthAll } from '../../stacks/synth-all';

/** Every file under `dir` (hidden ones too) with its content; what "nothing was written" compares. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) visit(child);
      else out[child] = fs.readFileSync(path.join(dir, child), 'utf8');
    }
  };
  visit('');
  return out;
}

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
      // cert-manager's five images are pinned through its values; no cert-manager default is left unpinned.
      expect(images.images.filter((i: any) => i.object === 'helm_release.cert-manager').map((i: any) => i.container).sort()).toEqual(['acmesolver', 'cainjector', 'controller', 'startupapicheck', 'webhook']);
      expect(images.unpinnedChartDefaults.filter((u: any) => u.release === 'cert-manager')).toEqual([]);
      // kube-prometheus-stack: five images pinned; the operator, its config reloader, the webhook cert job
      // and the Grafana sidecar (no two public sources for their digests) and LiveKit remain listed.
      expect(images.images.filter((i: any) => i.object === 'helm_release.kube-prometheus-stack').map((i: any) => i.container).sort()).toEqual(['alertmanager', 'grafana', 'kube-state-metrics', 'prometheus', 'prometheus-node-exporter']);
      expect(images.unpinnedChartDefaults.map((u: any) => u.pinWith)).toEqual([
        'prometheusOperator.image.sha', 'prometheusOperator.prometheusConfigReloader.image.sha', 'prometheusOperator.admissionWebhooks.patch.image.sha', 'grafana.sidecar.image.sha', 'image.tag (<tag>@sha256:<digest>)',
      ]);
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

  describe('staged: every output moves into place only when every stage passed', () => {
    /** A previous synth's output plus files synth never writes (Terraform state, provider cache). */
    function previousOutput(): void {
      for (const [file, content] of Object.entries({
        'dist/prod/k8s/rspp-prod.k8s.yaml': 'previous manifests\n',
        'dist/prod/charts/rspp-platform/Chart.yaml': 'previous chart\n',
        'cdktf.out/stacks/prod/cdk.tf.json': '{"previous":true}\n',
        'cdktf.out/stacks/dev/terraform.dev.tfstate': '{"version":4}\n',
        'cdktf.out/stacks/dev/.terraform/providers/keep': 'provider\n',
      })) {
        fs.mkdirSync(path.dirname(path.join(tmp, file)), { recursive: true });
        fs.writeFileSync(path.join(tmp, file), content);
      }
    }
    const opts = () => ({ outRoot: path.join(tmp, 'dist'), tfOut: path.join(tmp, 'cdktf.out'), builtImageFile: false as const });

    test('a failing helm lint writes no manifest, chart or Terraform file', () => {
      previousOutput();
      const before = tree(tmp);
      const result = synthAll({ ...opts(), envs: ['prod'], lint: () => ({ status: 1, stdout: '[ERROR] templates/: injected lint failure', stderr: '', millis: 1 }) });
      expect(result.ok).toBe(false);
      expect(result.report).toContain('helm lint --strict: FAILED\n    [ERROR] templates/: injected lint failure');
      expect(result.report).toMatch(/\nsynth FAILED \(\d+ ms\): nothing written to .*dist or .*cdktf\.out$/);
      expect(tree(tmp)).toEqual(before);
    });

    test("a CPU request of '500M' (an m/M slip) fails with the field and the fix, and writes nothing", () => {
      previousOutput();
      const before = tree(tmp);
      const result = synthAll({
        ...opts(),
        envs: ['prod'],
        transformEnvironment: (env) => ({ ...env, runtime: { ...env.runtime, resources: { ...env.runtime.resources, cpuRequest: '500M' } } }),
      });
      expect(result.ok).toBe(false);
      expect(result.report).toContain('prod: runtime.resources.cpuRequest: "500M" is outside 10m..64 for a container CPU (cores); "M" is mega (×1,000,000); for 500 millicores write "500m"');
      expect(result.report).toMatch(/synth FAILED: nothing written to /);
      expect(tree(tmp)).toEqual(before);
    });

    test('a passing synth replaces what synth writes and leaves Terraform state and .terraform/ alone', () => {
      previousOutput();
      const result = synthAll({ ...opts(), envs: ['dev', 'prod'] });
      expect(result.report).toMatch(/synth all ok/);
      const after = tree(tmp);
      expect(after['cdktf.out/stacks/dev/terraform.dev.tfstate']).toBe('{"version":4}\n');
      expect(after['cdktf.out/stacks/dev/.terraform/providers/keep']).toBe('provider\n');
      expect(after['dist/prod/charts/rspp-platform/Chart.yaml']).toMatch(/^apiVersion: v2/m);
      expect(JSON.parse(after['cdktf.out/stacks/prod/cdk.tf.json']).resource.helm_release).toBeDefined();
      expect(Object.keys(after).filter((f) => /staging/.test(f))).toEqual([]);
    });
  });
});
