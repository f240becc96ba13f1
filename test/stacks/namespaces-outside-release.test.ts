/**
 * Issue #13 item 5: namespaces are created outside the Helm release (Terraform `kubernetes_namespace_v1`),
 * so a failed atomic first install or an uninstall never deletes the namespace and the etcd volumes in
 * it; stage/prod namespaces are protected from `cdktf destroy` (lifecycle prevent_destroy).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emitHelmCharts } from '../../constructs/helm/emit-helm-charts';
import type { EnvName } from '../../envs/environment-config';
import { loadEnvironment } from '../../envs/load-environment';
import { synthTerraform } from '../../stacks/terraform-app';

const NAMES: EnvName[] = ['dev', 'stage', 'prod'];
let tmp: string;
let stacks: Record<string, Record<string, any>>;
let chartTemplates: Record<string, string>;
let etcdRetention: unknown;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-ns-'));
  const environments = NAMES.map((n) => loadEnvironment(n, { builtImageFile: false }));
  const result = synthTerraform(path.join(tmp, 'cdktf.out'), { environments, distDir: path.join(tmp, 'dist'), stateDir: path.join(tmp, 'state') });
  stacks = Object.fromEntries(NAMES.map((n) => [n, JSON.parse(fs.readFileSync(result.stackFiles[n], 'utf8'))]));
  chartTemplates = {};
  for (const e of environments) {
    const emitted = emitHelmCharts(e, path.join(tmp, 'charts-check', e.name));
    if (e.name === 'prod') etcdRetention = (emitted.objects.find((o) => o.kind === 'StatefulSet') as any)?.spec.persistentVolumeClaimRetentionPolicy;
    chartTemplates[e.name] = [...emitted.files].filter(([f]) => f.includes('/templates/')).map(([, c]) => c).join('\n---\n');
  }
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(NAMES)('%s', (name) => {
  test('the chart holds no Namespace object; Terraform creates it with the constructs\' labels', () => {
    expect(chartTemplates[name]).not.toMatch(/^kind: Namespace$/m);
    const e = loadEnvironment(name, { builtImageFile: false });
    const namespaces = Object.values<any>(stacks[name].resource.kubernetes_namespace_v1);
    const platform = namespaces.find((n) => n.metadata.name === e.namespace);
    expect(platform).toBeDefined();
    expect(platform.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    // the release waits for it
    const release = Object.values<any>(stacks[name].resource.helm_release).find((r) => r.name === `rspp-${name}`);
    expect(release.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_namespace_v1\.platform-namespace/)]));
    expect(release.create_namespace).toBeUndefined();
  });

  test(`namespaces are ${name === 'dev' ? 'not ' : ''}protected from destroy`, () => {
    const protectedNamespaces = Object.entries<any>(stacks[name].resource.kubernetes_namespace_v1)
      .filter(([, n]) => n.lifecycle?.prevent_destroy === true)
      .map(([, n]) => n.metadata.name)
      .sort();
    const e = loadEnvironment(name, { builtImageFile: false });
    expect(protectedNamespaces).toEqual(name === 'dev' ? [] : [e.namespace, `${e.namespace}-releases`].sort());
  });
});

test('the etcd StatefulSet keeps its volumes when it is deleted or scaled down (PVC retention Retain)', () => {
  expect(etcdRetention).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
});
