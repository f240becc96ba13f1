/**
 * Issue #13 item 6: names derive from the env (and instance), so two envs share a cluster; a duplicate
 * object anywhere in an app's output is a synth error naming both construct paths.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { buildApp } from '../../constructs/app';
import { findDuplicateObjects } from '../../constructs/common/duplicate-objects';
import { buildEnvChart } from '../../constructs/env-chart';
import { generateHelmCharts } from '../../constructs/helm/helm-chart-generator';
import { RsppPlatform } from '../../constructs/rspp-platform';
import { RsppRuntime } from '../../constructs/rspp-runtime';
import { synthesizeEnv } from '../../constructs/synth/synthesize-env';
import type { EnvironmentConfig, EnvName } from '../../envs/environment-config';
import { loadEnvironment } from '../../envs/load-environment';

const NAMES: EnvName[] = ['dev', 'stage', 'prod'];
const env = (name: EnvName): EnvironmentConfig => loadEnvironment(name, { builtImageFile: false });

test('the three envs on one cluster (one app) make no object twice: namespaces and instances differ per env', () => {
  const app = buildApp(fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-names-')));
  expect(findDuplicateObjects(app)).toEqual([]);
  const namespaces = NAMES.map((n) => env(n).namespace);
  const livekit = NAMES.map((n) => env(n).livekit.namespace);
  expect(new Set(namespaces).size).toBe(3);
  expect(new Set(livekit).size).toBe(3);
  for (const n of NAMES) {
    expect(env(n).namespace).toContain(n);
    expect(env(n).livekit.namespace).toContain(n);
  }
});

/** An env chart with a second RsppPlatform in the same namespace. */
function twoPlatforms(app: App, e: EnvironmentConfig): Chart {
  const chart = buildEnvChart(app, e);
  new RsppPlatform(chart, 'second', { env: e });
  return chart;
}

test('two RsppPlatforms in one namespace: synth fails naming both construct paths, and writes nothing', () => {
  const e = env('prod');
  const app = new App();
  twoPlatforms(app, e);
  const duplicates = findDuplicateObjects(app);
  expect(duplicates.length).toBeGreaterThanOrEqual(20);
  expect(duplicates.join('\n')).toMatch(/^apps\/Deployment rspp-prod\/rspp-runtime is made by both rspp-prod\/platform\/runtime\/\S+ and rspp-prod\/second\/runtime\/\S+$/m);
  expect(duplicates).toContain('core/Namespace -/rspp-prod is made by both rspp-prod/platform/tls/namespace and rspp-prod/second/tls/namespace');

  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-dup-')), 'k8s');
  // the k8s synth (npm run synth) goes through synthesizeEnv, which builds with buildEnvChart: add the second platform there
  const envChart = require('../../constructs/env-chart');
  const original = envChart.buildEnvChart as typeof buildEnvChart;
  const builder = jest.spyOn(envChart, 'buildEnvChart').mockImplementation((a: any, c: any) => {
    const chart = original(a, c);
    new RsppPlatform(chart, 'second', { env: c });
    return chart;
  });
  try {
    expect(() => synthesizeEnv(e, dir)).toThrow(/duplicate Kubernetes object\(s\)[\s\S]*rspp-prod\/platform\/runtime[\s\S]*rspp-prod\/second\/runtime[\s\S]*own namespace/);
  } finally {
    builder.mockRestore();
  }
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'))).toEqual([]);
  // the Helm emitter refuses it too
  expect(() => generateHelmCharts(e, twoPlatforms, (c) => c instanceof RsppRuntime)).toThrow(/is made by both rspp-prod\/platform\/.* and rspp-prod\/second\//);
});

test('two RsppPlatforms in different namespaces of one chart are fine', () => {
  const e = env('dev');
  const app = new App();
  const chart = buildEnvChart(app, e);
  new RsppPlatform(chart, 'other', { env: e, namespace: 'voice-dev', instance: 'voice' });
  expect(findDuplicateObjects(app)).toEqual([]);
});
