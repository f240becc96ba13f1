/**
 * The generated charts against Helm 4 and against the cdk8s output, for dev, stage and prod:
 * `helm lint --strict` passes; `helm template` with the env's values renders exactly the objects
 * `buildEnvChart` synthesizes (parsed and compared object by object, test hooks excluded); overrides
 * flow to every place the value lands; bad values fail on the schema with the field named.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { stringify } from 'yaml';
import { buildEnvChart } from '../../../constructs/env-chart';
import { emitHelmCharts, EmittedHelmCharts } from '../../../constructs/helm/emit-helm-charts';
import { chartContentHash } from '../../../constructs/helm/chart-metadata';
import { checkPolicy } from '../../../constructs/policy/check-policy';
import type { EnvironmentConfig, EnvName } from '../../../envs/environment-config';
import { loadEnvironment } from '../../../envs/load-environment';
import { MVP_POSTURE } from '../../../envs/posture';
import { ADMIN_PORT, PATHS } from '../../../runtime/contracts/runtime-interface';
import { byKey, helm, isHook, keyOf, parseManifests } from './helm-harness';

const OTHER_IMAGE = `registry.example.com/rspp/runtime@sha256:${'e'.repeat(64)}`;
const timings: string[] = [];

/** The cdk8s output of an env, independently of the emitter: a fresh App, `buildEnvChart`, `synthYaml`. */
/** The cdk8s objects the chart renders: all but the Namespace, which the Terraform stack creates outside the release. */
function cdk8sObjects(env: EnvironmentConfig): Record<string, any>[] {
  const app = new App();
  buildEnvChart(app, env);
  return parseManifests(app.synthYaml()).filter((o) => o.kind !== 'Namespace');
}

describe.each(['dev', 'stage', 'prod'] as EnvName[])('rspp-platform chart for %s', (name) => {
  let env: EnvironmentConfig;
  let dir: string;
  let emitted: EmittedHelmCharts;
  let expected: Record<string, any>[];

  beforeAll(() => {
    env = loadEnvironment(name, { builtImageFile: false });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `rspp-helm-${name}-`));
    emitted = emitHelmCharts(env, path.join(dir, name));
    expected = cdk8sObjects(env);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const template = (...args: string[]) => helm(['template', `rspp-${name}`, emitted.chartDir, ...args]);

  test('writes dist/<env>/charts/rspp-platform with rspp-runtime as a vendored subchart', () => {
    expect(emitted.chartDir).toBe(path.join(dir, name, 'charts', 'rspp-platform'));
    for (const file of ['Chart.yaml', 'values.yaml', 'values.schema.json', 'templates/NOTES.txt', 'charts/rspp-runtime/Chart.yaml',
      'charts/rspp-runtime/values.schema.json', 'charts/rspp-runtime/templates/tests/readyz-test.yaml']) {
      expect(fs.existsSync(path.join(emitted.chartDir, file))).toBe(true);
    }
    const chart = parseManifests(fs.readFileSync(path.join(emitted.chartDir, 'Chart.yaml'), 'utf8'))[0];
    // version = env version + content hash as SemVer build metadata (issue #13 item 3)
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'rspp-platform', version: `${env.version}+${chartContentHash(new Map([...emitted.files].filter(([f]) => !f.endsWith('/Chart.yaml'))))}`, appVersion: env.version });
    expect(chart.dependencies).toEqual([{ name: 'rspp-runtime', version: chart.version }]);
  });

  test('helm lint --strict passes', () => {
    const r = helm(['lint', '--strict', emitted.chartDir]);
    timings.push(`${name} lint ${r.ms.toFixed(0)} ms`);
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  test('helm template with the env values renders the cdk8s objects, object by object (hooks excluded)', () => {
    const valuesFile = path.join(dir, `${name}-values.yaml`);
    fs.writeFileSync(valuesFile, stringify(emitted.values));
    for (const args of [[], ['-f', valuesFile]]) {
      const r = template(...args);
      timings.push(`${name} template${args.length ? ' -f' : ''} ${r.ms.toFixed(0)} ms`);
      expect(r.stderr).toBe('');
      const rendered = byKey(parseManifests(r.stdout).filter((o) => !isHook(o)));
      const wanted = byKey(expected);
      expect([...rendered.keys()].sort()).toEqual([...wanted.keys()].sort());
      for (const [key, object] of wanted) expect({ key, object: rendered.get(key) }).toStrictEqual({ key, object });
    }
    expect(expected.length).toBeGreaterThan(5);
  });

  test('the values are the env config', () => {
    const runtime = emitted.values['rspp-runtime'] as Record<string, any>;
    expect(runtime.image).toBe(env.runtime.image);
    expect(runtime.replicas).toEqual({ min: env.runtime.minReplicas, max: env.runtime.maxReplicas });
    expect(runtime.resources.requests).toEqual({ cpu: env.runtime.resources.cpuRequest, memory: env.runtime.resources.memoryRequest });
    expect(runtime.bundleDigest ?? (emitted.values.global as Record<string, any>).bundleDigest).toBe(env.pipeline.bundleDigest);
  });

  test('an override reaches every place its value lands (image, replicas; the PDB stays maxUnavailable 1)', () => {
    const min = env.runtime.maxReplicas; // within [floor, max], so the HPA stays valid
    const r = template('--set', `rspp-runtime.image=${OTHER_IMAGE}`, '--set', `rspp-runtime.replicas.min=${min}`);
    expect(r.stderr).toBe('');
    const objects = parseManifests(r.stdout);
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'rspp-runtime')!;
    expect(deployment.spec.template.spec.containers[0].image).toBe(OTHER_IMAGE);
    expect(deployment.spec.replicas).toBeUndefined(); // the HPA owns the count
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'rspp-runtime')!;
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([min, env.runtime.maxReplicas]);
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'rspp-runtime');
    if (env.highAvailability) expect(pdb!.spec.maxUnavailable).toBe(1);
    const testPod = objects.find((o) => o.kind === 'Pod' && isHook(o))!;
    expect(testPod.spec.containers[0].image).toBe(OTHER_IMAGE);
    // Nothing else moved: the rendering equals the cdk8s output with the image and replica fields swapped.
    expect(objects.filter((o) => !isHook(o)).length).toBe(expected.length);
  });

  /** `--set` key of a value, from where the emitter placed it. */
  const setKey = (key: string): string => {
    const p = emitted.placed.find((x) => x.tunable.key === key)!;
    return p.scope === 'rspp-platform' ? key : `${p.scope}.${key}`;
  };
  /** A valid value different from the current one. */
  const otherValue = (key: string): string => {
    const current = emitted.placed.find((x) => x.tunable.key === key)!.envValue;
    if (typeof current === 'number') return String(current + 1);
    if (current.includes('sha256:')) return current.replace(/sha256:[a-f0-9]{64}/, `sha256:${'c'.repeat(64)}`);
    if (/^[0-9]+(Ki|Mi|Gi)$/.test(current)) return '999Mi';
    if (/^[0-9.]+m?$/.test(current)) return '999m';
    if (/^[0-9hms]+$/.test(current)) return '999h';
    return `other-${current}`;
  };

  test('a value feeding a field the chart cannot recompute fails helm template, naming the field and the fix', () => {
    const field = emitted.derived.find((d) => !d.path.includes('annotations') && d.dependsOn.length > 0);
    if (!field) return; // nothing computed in this tree
    const r = template('--set', `${setKey(field.dependsOn[0])}=${otherValue(field.dependsOn[0])}`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${field.objectId} (`);
    expect(r.stderr).toContain('is computed from this chart\'s values at generation time');
    expect(r.stderr).toContain('change envs/ and regenerate the chart (npm run synth:charts)');
  });

  test('a computed annotation (rollout trigger) changes when a value it depends on changes, so pods roll', () => {
    for (const field of emitted.derived.filter((d) => d.path.includes('annotations') && d.dependsOn.length > 0)) {
      const key = field.dependsOn[0];
      const r = template('--set', `${setKey(key)}=${otherValue(key)}`);
      expect(r.stderr).toBe('');
      const object = parseManifests(r.stdout).find((o) => `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}` === field.objectId)!;
      const annotation = field.path.reduce<any>((node, segment) => node?.[segment], object);
      expect(annotation).toMatch(new RegExp(`^${String(field.baseline).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-values-[0-9a-f]{16}$`));
    }
  });

  test('the two tests above are not vacuous: the platform computes fields from values (namespace quota, config checksum)', () => {
    expect(emitted.derived.some((d) => d.path.includes('annotations'))).toBe(true);
    expect(emitted.derived.some((d) => !d.path.includes('annotations'))).toBe(true);
  });

  test('the helm test hook checks /readyz with the runtime image and passes the pod policy rules', () => {
    const hooks = parseManifests(template().stdout).filter(isHook);
    expect(hooks.map((o) => o.kind).sort()).toEqual(['NetworkPolicy', 'NetworkPolicy', 'Pod', 'ServiceAccount']);
    for (const o of hooks) expect(o.metadata.annotations['helm.sh/hook']).toBe('test');
    const pod = hooks.find((o) => o.kind === 'Pod')!;
    const container = pod.spec.containers[0];
    expect(container.image).toBe(env.runtime.image);
    expect(container.command).toBeUndefined(); // the image entrypoint (node) runs the one-liner
    expect(container.args[0]).toBe('-e');
    expect(container.args[1]).toContain(`:${ADMIN_PORT}${PATHS.readyz}`);
    // The hooks add no policy finding to those of the env's own objects.
    const without = new Set(checkPolicy(expected, { env: name }).findings.map((f) => f.text));
    const added = checkPolicy([...expected, ...hooks], { env: name }).findings.filter((f) => !without.has(f.text));
    expect(added.map((f) => f.text)).toEqual([]);
  });

  test('bad values fail helm template on the schema, naming the field', () => {
    const tag = template('--set', 'rspp-runtime.image=ghcr.io/rspp/runtime:1.2.3');
    expect(tag.status).not.toBe(0);
    expect(tag.stderr).toMatch(/at '\/rspp-runtime\/image': 'ghcr\.io\/rspp\/runtime:1\.2\.3' does not match pattern/);

    const zero = template('--set', 'rspp-runtime.replicas.min=0');
    expect(zero.status).not.toBe(0);
    expect(zero.stderr).toContain(`at '/rspp-runtime/replicas/min': minimum: got 0, want ${MVP_POSTURE[name].runtimeMinReplicasFloor}`);

    const unknown = template('--set', 'replicaCount=3');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain("additional properties 'replicaCount' not allowed");

    const nested = template('--set', 'rspp-runtime.resources.requests.gpu=1');
    expect(nested.status).not.toBe(0);
    expect(nested.stderr).toContain("at '/rspp-runtime/resources/requests': additional properties 'gpu' not allowed");
  });

  if (name === 'prod') {
    test('prod refuses replicas below its floor of 3 (not just 0)', () => {
      const r = template('--set', 'rspp-runtime.replicas.min=2');
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain("at '/rspp-runtime/replicas/min': minimum: got 2, want 3");
    });
  }
});

afterAll(() => {
  // Measured numbers for the report (helm 4 on this machine).
  console.log(`helm timings: ${timings.join('; ')}`);
});

test('keyOf names objects by apiVersion, kind, namespace and name', () => {
  expect(keyOf({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'n' } })).toBe('v1 Service n/a');
});
