/**
 * The whole Terraform app as `npx cdktf synth` writes it (`<out>/stacks/{dev,stage,prod}/cdk.tf.json`),
 * checked structurally: exact provider pins, install order through depends_on, values equal to the
 * env config and to the generated chart, the chart path resolving from the stack folder, the backend
 * per env, and no secret value anywhere in the JSON.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import type { EnvironmentConfig, EnvName } from '../../envs/environment-config';
import { loadEnvironment } from '../../envs/load-environment';
import { HELM_PROVIDER, KUBERNETES_PROVIDER } from '../../stacks/provider-pins';
import { scanStackForSecrets } from '../../stacks/secret-scan';
import { synthTerraform, SynthesizedTerraform } from '../../stacks/terraform-app';

const NAMES: EnvName[] = ['dev', 'stage', 'prod'];
let dir: string;
let result: SynthesizedTerraform;
let envs: Record<EnvName, EnvironmentConfig>;
const stackJson = (name: EnvName): Record<string, any> => JSON.parse(fs.readFileSync(result.stackFiles[name], 'utf8'));

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-tf-'));
  envs = Object.fromEntries(NAMES.map((n) => [n, loadEnvironment(n, { builtImageFile: false })])) as Record<EnvName, EnvironmentConfig>;
  result = synthTerraform(path.join(dir, 'cdktf.out'), { environments: NAMES.map((n) => envs[n]), distDir: path.join(dir, 'dist') });
  console.log(`in-process terraform synth (3 charts + 3 stacks): ${result.elapsedMs.toFixed(0)} ms`);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('writes one stack per env, named exactly dev, stage and prod, where cdktf writes them', () => {
  expect(Object.keys(result.stackFiles).sort()).toEqual(['dev', 'prod', 'stage']);
  for (const name of NAMES) expect(result.stackFiles[name]).toBe(path.join(dir, 'cdktf.out', 'stacks', name, 'cdk.tf.json'));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'manifest.json'), 'utf8'));
  expect(Object.keys(manifest.stacks).sort()).toEqual(['dev', 'prod', 'stage']);
  expect(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdktf.json'), 'utf8')).app).toBe('npx tsx stacks/main.ts');
});

describe.each(NAMES)('stack %s', (name) => {
  test('pins both providers to exact versions in required_providers', () => {
    const required = stackJson(name).terraform.required_providers;
    expect(required).toEqual({
      kubernetes: { source: 'hashicorp/kubernetes', version: KUBERNETES_PROVIDER.version },
      helm: { source: 'hashicorp/helm', version: HELM_PROVIDER.version },
    });
    for (const pin of Object.values<any>(required)) expect(pin.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('installs cert-manager → kube-prometheus-stack → LiveKit → rspp-platform, each depending on the previous', () => {
    const json = stackJson(name);
    const addresses = new Map<string, string[]>();
    for (const [type, resources] of Object.entries<any>(json.resource)) {
      for (const [id, body] of Object.entries<any>(resources)) addresses.set(`${type}.${id}`, body.depends_on ?? []);
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      (addresses.get(from) ?? []).some((d) => d === to || (!seen.has(d) && (seen.add(d), reaches(d, to, seen))));
    const addressOf = (release: string) => {
      const entry = Object.entries<any>(json.resource.helm_release).find(([, r]) => r.name === release);
      if (!entry) throw new Error(`no release ${release}`);
      return `helm_release.${entry[0]}`;
    };
    const order = ['cert-manager', envs[name].observability.prometheusReleaseLabel, 'livekit-server', `rspp-${name}`].map(addressOf);
    for (let i = 1; i < order.length; i++) expect({ from: order[i], dependsOn: order[i - 1], reaches: reaches(order[i], order[i - 1]) }).toMatchObject({ reaches: true });
    expect(reaches(order[0], order[3])).toBe(false);
  });

  test('installs the generated chart from dist/<env>/charts with the env values', () => {
    const json = stackJson(name);
    const platform = Object.values<any>(json.resource.helm_release).find((r) => r.name === `rspp-${name}`);
    const stackDir = path.dirname(result.stackFiles[name]);
    const chartDir = path.resolve(stackDir, platform.chart.replace('${path.root}/', ''));
    expect(chartDir).toBe(path.join(dir, 'dist', name, 'charts', 'rspp-platform'));
    expect(fs.existsSync(path.join(chartDir, 'Chart.yaml'))).toBe(true);
    const values = parse(platform.values[0]);
    expect(values).toEqual(parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')));
    expect(values['rspp-runtime'].image).toBe(envs[name].runtime.image);
    expect(values['rspp-runtime'].replicas).toEqual({ min: envs[name].runtime.minReplicas, max: envs[name].runtime.maxReplicas });
  });

  test('third-party chart versions are the env pins', () => {
    const byName = Object.fromEntries(Object.values<any>(stackJson(name).resource.helm_release).map((r) => [r.name, r]));
    expect(byName['livekit-server'].version).toBe(envs[name].livekit.chartVersion);
    expect(byName[envs[name].observability.prometheusReleaseLabel].version).toBe(envs[name].observability.chartVersion);
    expect(parse(byName['livekit-server'].values[0]).replicaCount).toBe(envs[name].livekit.replicas);
  });

  test('uses the env backend (local for dev, the configured remote backend for stage/prod)', () => {
    const backend = stackJson(name).terraform.backend;
    const config = envs[name].terraform;
    if (config.backend === 'local') {
      // outside the synth output, in the git-ignored state folder of the project (the cwd)
      expect(backend).toEqual({ local: { path: expect.stringMatching(new RegExp(`^(\\.\\./)+.*\\.terraform-state/terraform\\.${name}\\.tfstate$`)) } });
      const stackDir = path.dirname(result.stackFiles[name]);
      expect(path.resolve(stackDir, backend.local.path)).toBe(path.resolve('.terraform-state', `terraform.${name}.tfstate`));
    } else {
      expect(Object.keys(backend)).toEqual([config.backend]);
      expect(backend[config.backend]).toMatchObject(config.backendConfig ?? {});
    }
  });

  test('no secret value in the JSON: scanner finds nothing, and no literal reaches a write-only or secret field', () => {
    const json = stackJson(name);
    expect(scanStackForSecrets(json)).toEqual([]);
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/"(data|string_data)":/);
    for (const v of Object.values<any>(json.variable)) if (v.sensitive) expect(v).toMatchObject({ ephemeral: true }), expect(v.default).toBeUndefined();
  });
});

test('dev uses a local backend and stage/prod a remote one', () => {
  expect(Object.keys(stackJson('dev').terraform.backend)).toEqual(['local']);
  for (const name of ['stage', 'prod'] as EnvName[]) expect(Object.keys(stackJson(name).terraform.backend)).not.toContain('local');
});

test('charts already emitted by the caller are reused, not generated again', () => {
  const out = path.join(dir, 'reuse');
  const prebuilt = { chartDir: path.join(dir, 'elsewhere', 'rspp-platform'), values: { marker: 'prebuilt' }, objects: [], namespaces: [], version: '0.1.0+0123456789ab' } as any;
  const r = synthTerraform(path.join(out, 'cdktf.out'), { environments: [envs.dev], distDir: path.join(out, 'dist'), emittedCharts: { dev: prebuilt } });
  const platform = Object.values<any>(JSON.parse(fs.readFileSync(r.stackFiles.dev, 'utf8')).resource.helm_release).find((x) => x.name === 'rspp-dev');
  expect(path.resolve(path.dirname(r.stackFiles.dev), platform.chart.replace('${path.root}/', ''))).toBe(prebuilt.chartDir);
  expect(parse(platform.values[0])).toEqual({ marker: 'prebuilt' });
  expect(fs.existsSync(path.join(out, 'dist'))).toBe(false);
});
