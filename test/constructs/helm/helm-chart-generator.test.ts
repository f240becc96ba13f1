/**
 * The emitter's mechanics on a small fixture tree (fixtures/fixture-env-chart.ts): where values land,
 * placement in the subchart / parent / `global`, fields that move with a value (offset), fields the
 * chart cannot recompute, escaping of literal `{{`, and failure modes.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { generateHelmCharts } from '../../../constructs/helm/helm-chart-generator';
import { HELM_TUNABLES } from '../../../constructs/helm/helm-tunables';
import type { EnvironmentConfig } from '../../../envs/environment-config';
import { loadEnvironment } from '../../../envs/load-environment';
import { buildFixtureChart, FixtureRuntime } from './fixtures/fixture-env-chart';
import { parseManifests } from './helm-harness';

const isFixtureRuntime = (c: unknown) => c instanceof FixtureRuntime;
const prod = (): EnvironmentConfig => loadEnvironment('prod', { builtImageFile: false });
const file = (files: ReadonlyMap<string, string>, name: string): string => {
  const content = files.get(name);
  if (content === undefined) throw new Error(`no ${name} in ${[...files.keys()].join(', ')}`);
  return content;
};

describe('generateHelmCharts on the fixture tree', () => {
  const generated = generateHelmCharts(prod(), buildFixtureChart, isFixtureRuntime);
  const scopeOf = (key: string) => generated.placed.find((p) => p.tunable.key === key)?.scope;

  test('a value used only by runtime objects lives in the rspp-runtime subchart', () => {
    expect(scopeOf('image')).toBe('rspp-runtime');
    expect(scopeOf('replicas.min')).toBe('rspp-runtime');
    expect(file(generated.files, 'rspp-platform/charts/rspp-runtime/templates/deployment-rspp-runtime.yaml'))
      .toContain('image: {{ .Values.image | toJson }}');
  });

  test('a value used only by platform objects lives in the parent chart', () => {
    expect(scopeOf('controlPlane.replicas')).toBe('rspp-platform');
    expect(file(generated.files, 'rspp-platform/templates/deployment-rspp-control-plane.yaml'))
      .toContain('replicas: {{ .Values.controlPlane.replicas | toJson }}');
  });

  test('a value used by both charts moves to global (bundle digest in the runtime env and the platform config)', () => {
    expect(scopeOf('bundleDigest')).toBe('global');
    expect(file(generated.files, 'rspp-platform/charts/rspp-runtime/templates/deployment-rspp-runtime.yaml'))
      .toContain('value: {{ .Values.global.bundleDigest | toJson }}');
    expect((generated.values.global as Record<string, unknown>).bundleDigest).toBe(prod().pipeline.bundleDigest);
  });

  test('a value inside a longer string (a config file) is templated in place with print', () => {
    const config = file(generated.files, 'rspp-platform/templates/configmap-rspp-config.yaml');
    expect(config).toContain('{{ print "{\\n  \\"livekit\\": \\"wss://" .Values.livekit.domain "/rtc\\",');
  });

  test('a field that keeps a constant distance to a value is templated with the offset (PDB = replicas - 1)', () => {
    expect(file(generated.files, 'rspp-platform/charts/rspp-runtime/templates/poddisruptionbudget-rspp-runtime.yaml'))
      .toContain('minAvailable: {{ add .Values.replicas.min -1 | toJson }}');
    expect(generated.derived).toEqual([]);
  });

  test('literal Prometheus/Grafana templates are printed, not evaluated, by Helm', () => {
    expect(file(generated.files, 'rspp-platform/templates/configmap-rspp-alerts.yaml'))
      .toContain('summary: {{ "Pod {{ $labels.pod }} is at {{ $value }}" | toJson }}');
  });

  test('YAML 1.1 booleans-by-accident stay strings ("yes" is quoted)', () => {
    expect(file(generated.files, 'rspp-platform/charts/rspp-runtime/templates/deployment-rspp-runtime.yaml')).toMatch(/value: "yes"/);
  });

  test('values the tree does not use are reported, not exposed', () => {
    expect(generated.unused).toContain('leaseStore.image');
    expect(generated.unused).not.toContain('image');
    const schema = JSON.parse(file(generated.files, 'rspp-platform/values.schema.json'));
    expect(Object.keys(schema.properties).sort()).toEqual(['controlPlane', 'global', 'livekit', 'rspp-runtime']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties['rspp-runtime'].additionalProperties).toBe(false);
  });

  test('the values.yaml documents every key with its description', () => {
    const values = file(generated.files, 'rspp-platform/values.yaml');
    expect(values).toContain('# Runtime image, pinned by digest.');
    expect(parseManifests(values)[0]).toEqual(generated.values);
  });
});

describe('fields the chart cannot recompute', () => {
  /** A tree whose annotation hashes the image: not the value, not an offset. */
  function hashedTree(app: App, env: EnvironmentConfig): Chart {
    const chart = buildFixtureChart(app, env);
    new ApiObject(chart, 'hashed', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hashed', namespace: env.namespace, annotations: { checksum: `h${env.runtime.image.length * 7}` } },
      data: { count: String(env.runtime.image.length) },
    });
    return chart;
  }

  test('are reported with the object and path, and guarded in the template', () => {
    const generated = generateHelmCharts(prod(), hashedTree, isFixtureRuntime);
    expect(generated.derived.map((d) => `${d.objectId} ${d.path.join('.')}`).sort())
      .toEqual(['ConfigMap/rspp-prod/hashed data.count', 'ConfigMap/rspp-prod/hashed metadata.annotations.checksum']);
    const template = file(generated.files, 'rspp-platform/templates/configmap-hashed.yaml');
    expect(template).toContain('-values-'); // the annotation changes when values change (rollout trigger)
    expect(template).toContain('{{ fail "ConfigMap/rspp-prod/hashed (rspp-prod/hashed) .data.count is computed'); // anything else refuses to go stale
    expect(file(generated.files, 'rspp-platform/README.md')).toContain('`ConfigMap/rspp-prod/hashed` `.data.count`');
  });
});

describe('failure modes', () => {
  test('a tree without the runtime construct cannot make the rspp-runtime subchart', () => {
    expect(() => generateHelmCharts(prod(), buildFixtureChart, () => false)).toThrow(/no object of the prod construct tree belongs to the runtime construct/);
  });

  test('a value that changes which objects exist is refused', () => {
    const build = (app: App, env: EnvironmentConfig) => {
      const chart = buildFixtureChart(app, env);
      if (env.controlPlane.replicas > 5) new ApiObject(chart, 'extra', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra' } });
      return chart;
    };
    expect(() => generateHelmCharts(prod(), build, isFixtureRuntime)).toThrow(/changed the set of objects \(missing: \[\], added: \[rspp-prod\/extra\]\)/);
  });

  test('constructs that reject a sentinel are named with the fix', () => {
    const build = (app: App, env: EnvironmentConfig) => {
      if (env.runtime.maxReplicas > 50) throw new Error('props.maxReplicas must be <= 50');
      return buildFixtureChart(app, env);
    };
    expect(() => generateHelmCharts(prod(), build, isFixtureRuntime)).toThrow(/rejected the sentinel values .*props\.maxReplicas must be <= 50.*helm-tunables\.ts/);
  });

  test('a chart version that is not SemVer is refused', () => {
    expect(() => generateHelmCharts({ ...prod(), version: 'v1' }, buildFixtureChart, isFixtureRuntime)).toThrow(/version "v1" is not SemVer 2/);
  });

  test('every tunable sentinel is unique', () => {
    const sentinels = HELM_TUNABLES.map((t) => t.sentinel);
    expect(new Set(sentinels).size).toBe(sentinels.length);
  });
});
