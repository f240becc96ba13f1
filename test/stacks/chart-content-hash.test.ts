/**
 * Issue #13 item 3: the platform chart's version carries a content hash, so a template-only change
 * (no value changes) changes the planned release, and an unchanged synth plans nothing.
 * The Helm provider does not diff a local chart's files (terraform-provider-helm #515): the release's
 * `version` is what Terraform compares.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { buildEnvChart } from '../../constructs/env-chart';
import { emitHelmCharts } from '../../constructs/helm/emit-helm-charts';
import { lintChart } from '../../constructs/helm/helm-cli';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { loadEnvironment } from '../../envs/load-environment';
import { synthTerraform } from '../../stacks/terraform-app';

let tmp: string;
let env: EnvironmentConfig;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-chart-hash-'));
  env = loadEnvironment('dev', { builtImageFile: false });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Synthesizes the dev stack with the chart built by `build` and returns its platform release. */
function plannedRelease(name: string, build?: (app: App, e: EnvironmentConfig) => Chart): { release: Record<string, any>; chartYaml: Record<string, any>; chartDir: string } {
  const dist = path.join(tmp, name, 'dist');
  const charts = emitHelmCharts(env, path.join(dist, env.name), build ? { build } : {});
  const tf = synthTerraform(path.join(tmp, name, 'cdktf.out'), { environments: [env], distDir: dist, emittedCharts: { dev: charts }, stateDir: path.join(tmp, 'state') });
  const json = JSON.parse(fs.readFileSync(tf.stackFiles.dev, 'utf8'));
  const release = Object.values<any>(json.resource.helm_release).find((r) => r.name === `rspp-${env.name}`);
  return { release, chartYaml: parse(fs.readFileSync(path.join(charts.chartDir, 'Chart.yaml'), 'utf8')), chartDir: charts.chartDir };
}

test('an unchanged synth plans the same release; a template-only change plans an upgrade', () => {
  const first = plannedRelease('a');
  const again = plannedRelease('b');
  expect(again.release).toEqual(first.release);

  // A construct change that touches a template and no value: one more label on the runtime Deployment.
  const withLabel = (app: App, e: EnvironmentConfig): Chart => {
    const chart = buildEnvChart(app, e);
    const deployment = chart.node.findAll().find((c) => (c as any).kind === 'Deployment' && String((c as any).name).includes('runtime')) as any;
    deployment.metadata.addLabel('example.com/template-only', 'yes');
    return chart;
  };
  const changed = plannedRelease('c', withLabel);
  expect(changed.release.values).toEqual(first.release.values); // not a values change
  expect(changed.release.version).not.toEqual(first.release.version); // ... yet Terraform sees a diff
  for (const r of [first, changed]) {
    expect(r.release.version).toMatch(/^\d+\.\d+\.\d+\+[0-9a-f]{12}$/);
    expect(r.release.version).toBe(r.chartYaml.version);
    expect(r.chartYaml.appVersion).toBe(env.version);
    expect(r.chartYaml.dependencies).toEqual([{ name: 'rspp-runtime', version: r.chartYaml.version }]);
  }
  // Helm accepts the build metadata (and the subchart's matching version)
  const lint = lintChart(changed.chartDir);
  expect(`${lint.stdout}${lint.stderr}`).not.toMatch(/\[ERROR\]/);
  expect(lint.status).toBe(0);
});
