/**
 * `@rspp/platform/testing`: synth helpers, the two matchers (pass and fail, with the report as the
 * message) and the snapshot serializer (YAML, digests masked and numbered consistently).
 */
import { App, Chart, Testing } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import { RsppPlatform } from '../../constructs/rspp-platform';
import { loadEnvironment } from '../../envs/load-environment';
import { RsppStack } from '../../stacks/rspp-stack';
import { maskDigests, rsppMatchers, rsppSnapshotSerializer, synthHelmChart, synthObjects, synthStack } from '../../stacks/testing';

expect.extend(rsppMatchers);

const prod = loadEnvironment('prod', { builtImageFile: false });

function platformChart(): Chart {
  const chart = new Chart(Testing.app(), 'voice', { namespace: 'voice-prod' });
  new RsppPlatform(chart, 'rspp', { env: prod, namespace: 'voice-prod', instance: 'voice' });
  return chart;
}

describe('@rspp/platform/testing', () => {
  test('synthObjects: a chart or an app to plain objects', () => {
    const chart = platformChart();
    const objects = synthObjects(chart);
    expect(objects.length).toBeGreaterThan(20);
    expect(synthObjects(chart.node.scope as App)).toEqual(objects);
  });

  test('the matchers pass a valid platform and report findings when broken', () => {
    const objects = synthObjects(platformChart());
    expect(objects).toBeValidKubernetes();
    expect(objects).toPassRsppPolicy({ env: 'prod' });
    const broken = JSON.parse(JSON.stringify(objects));
    const deployment = broken.find((o: any) => o.kind === 'Deployment');
    deployment.spec.replicass = 2;
    deployment.spec.template.spec.containers[0].image = 'rspp:latest';
    expect(() => expect(broken).toBeValidKubernetes()).toThrow(/Kubernetes schema error\(s\) in \d+ objects:\n.*spec\.replicass: unknown field "replicass"/);
    expect(() => expect(broken).toPassRsppPolicy({ env: 'prod' })).toThrow(/RSPP-POD-011 Deployment\/voice-prod\/\S+ spec\.template\.spec\.containers\[0\]\.image/);
    expect(broken).not.toBeValidKubernetes();
    expect(() => expect(objects).toPassRsppPolicy(undefined as never)).toThrow('toPassRsppPolicy({ env }) needs the env the manifests are for: dev, stage or prod');
  });

  test('the serializer prints YAML with each distinct digest numbered in order of appearance', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    expect(maskDigests(`img@sha256:${a} x sha256:${b} y ${a}`)).toBe('img@<sha256 #1> x <sha256 #2> y <sha256 #1>');
    const objects = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { 'rspp.io/config-checksum': `sha256:${b}` } }, data: { image: `r@sha256:${a}` } }];
    expect(rsppSnapshotSerializer.test(objects)).toBe(true);
    expect(rsppSnapshotSerializer.test([{ not: 'a manifest' }])).toBe(false);
    expect(rsppSnapshotSerializer.serialize(objects)).toBe(
      ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', '  annotations:', '    rspp.io/config-checksum: <sha256 #1>', 'data:', '  image: r@<sha256 #2>'].join('\n'),
    );
  });

  test('synthHelmChart and synthStack: chart files and Terraform JSON in memory', () => {
    const charts = synthHelmChart(prod);
    expect(charts.files.get('rspp-platform/Chart.yaml')).toMatch(/^apiVersion: v2/m);
    const stack = new RsppStack(TfTesting.app(), { env: prod, platformChart: { pathFromStackDir: '../charts/rspp-platform', values: charts.values, version: charts.version } });
    const tf = synthStack(stack) as { resource: { helm_release: Record<string, unknown> } };
    expect(Object.keys(tf.resource.helm_release).length).toBeGreaterThanOrEqual(3);
  });
});
