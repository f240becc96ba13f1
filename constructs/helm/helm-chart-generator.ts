/**
 * Generates the `rspp-platform` chart (with `rspp-runtime` as a vendored subchart) for one env, in
 * memory, from the same construct tree as the cdk8s manifests.
 *
 * Steps: synthesize the env (baseline) and the env with every tunable at its sentinel (probe);
 * locate each tunable (tunable-locator.ts); place its value in the chart that uses it (or `global`
 * when both do); write each object as a template, plus values, schema, Chart.yaml, NOTES, the test hook.
 */
import * as path from 'path';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { PATHS } from '../../runtime/contracts/runtime-interface';
import { chartContentHash, chartReadme, chartVersion, chartYaml, notesTxt } from './chart-metadata';
import { LeafTemplate, renderHelmTemplate, valuesReference, ValueReference } from './helm-template-writer';
import { readyzTestHook } from './helm-test-hook';
import { valueRulesTemplate } from './value-rules';
import { ChartName, HELM_TUNABLES, HelmTunable, PLATFORM_CHART, readTunable, RUNTIME_CHART, withSentinels } from './helm-tunables';
import { ChartValues, PlacedTunable, ValueScope } from './helm-values';
import { EnvChartBuilder, KubeObject, objectId, RuntimeScopePredicate, synthesizeEnvObjects } from './synthesized-objects';
import { ActiveTunable, DerivedLeaf, formatJsonPath, locateTunables, valueAt } from './tunable-locator';

/** A field the constructs compute from values (a quota, a checksum): rendered as generated, guarded. */
export interface ComputedField extends DerivedLeaf {
  /** Value keys it depends on (leave-one-out probes; a probe the constructs reject counts as a dependency). */
  readonly dependsOn: readonly string[];
}

export interface GeneratedHelmCharts {
  /** Relative path (under the charts folder, e.g. `rspp-platform/Chart.yaml`) → content. */
  readonly files: ReadonlyMap<string, string>;
  /** Where each tunable's value lives. */
  readonly placed: readonly PlacedTunable[];
  /** Fields that depend on values but that the chart cannot recompute (see the chart README). */
  readonly derived: readonly ComputedField[];
  /** Tunables with an env value that no object uses (so not exposed). */
  readonly unused: readonly string[];
  /** Default values of the parent chart, as Helm sees them. */
  readonly values: Record<string, unknown>;
  /** The cdk8s objects the chart renders with its default values (test hooks excluded). */
  readonly objects: readonly KubeObject[];
  /**
   * Namespace objects of the tree. They are not templates of the chart: a Helm release that owns its
   * namespace deletes it (and the etcd volumes in it) on uninstall or on a failed atomic install, so
   * the Terraform stack creates them, with these labels and annotations (issue #13).
   */
  readonly namespaces: readonly KubeObject[];
  /** Version of both charts: the env's version + the content hash of every other generated file. */
  readonly version: string;
}

const isNamespace = (manifest: KubeObject): boolean => manifest.kind === 'Namespace' && manifest.apiVersion === 'v1';

const chartRoot = (chart: ChartName): string => (chart === PLATFORM_CHART ? PLATFORM_CHART : `${PLATFORM_CHART}/charts/${RUNTIME_CHART}`);

function templateFileName(manifest: KubeObject, taken: Set<string>): string {
  const base = `${manifest.kind}-${manifest.metadata.name}`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
  let name = `${base}.yaml`;
  for (let n = 2; taken.has(name); n += 1) name = `${base}-${n}.yaml`;
  taken.add(name);
  return name;
}

function placeTunables(active: readonly ActiveTunable[], usedBy: ReadonlyMap<HelmTunable, Set<ChartName>>): PlacedTunable[] {
  const placed: PlacedTunable[] = [];
  for (const { tunable, envValue } of active) {
    const charts = usedBy.get(tunable);
    if (!charts || charts.size === 0) continue;
    const scope: ValueScope = charts.size > 1 ? 'global' : [...charts][0];
    placed.push({ tunable, scope, envValue });
  }
  return placed;
}

/** Whether templates of `chart` can read a value in `scope` (a parent reads its subchart's section). */
function visibleFrom(chart: ChartName, scope: ValueScope): boolean {
  return scope === 'global' || scope === chart || (chart === PLATFORM_CHART && scope === RUNTIME_CHART);
}

function referenceFor(chart: ChartName, placed: readonly PlacedTunable[]): ValueReference {
  return (tunable) => {
    const p = placed.find((x) => x.tunable === tunable);
    if (!p) throw new Error(`helm emitter: ${tunable.key} is referenced by a template but has no value`);
    if (!visibleFrom(chart, p.scope)) throw new Error(`helm emitter: ${chart} references ${tunable.key}, which lives in ${p.scope}`);
    if (p.scope === 'global') return valuesReference('.Values.global', tunable.key);
    if (p.scope !== chart) return valuesReference(`(index .Values ${JSON.stringify(RUNTIME_CHART)})`, tunable.key);
    return valuesReference('.Values', tunable.key);
  };
}

/**
 * Which values each computed leaf depends on. Leave-one-out: with every other value at its sentinel
 * and this one at its env default, a leaf that keeps its probe value does not depend on it. When the
 * constructs reject that mix (a memory request sentinel above the default limit), the value's whole
 * group (same env block, e.g. `runtime.resources`) is left out instead; if that is rejected too, the
 * value counts as a dependency, erring toward guarding more.
 */
function derivedDependencies(
  env: EnvironmentConfig,
  active: readonly ActiveTunable[],
  derived: readonly DerivedLeaf[],
  build: EnvChartBuilder,
  isRuntimeScope: RuntimeScopePredicate,
): Map<DerivedLeaf, HelmTunable[]> {
  const deps = new Map<DerivedLeaf, HelmTunable[]>(derived.map((d) => [d, []]));
  if (derived.length === 0) return deps;
  const memo = new Map<string, ReadonlyMap<string, KubeObject> | undefined>();
  const probeWithout = (left: readonly HelmTunable[]): ReadonlyMap<string, KubeObject> | undefined => {
    const key = left.map((t) => t.key).join(',');
    if (!memo.has(key)) {
      try {
        const others = active.map((a) => a.tunable).filter((t) => !left.includes(t));
        memo.set(key, new Map(synthesizeEnvObjects(withSentinels(env, others), build, isRuntimeScope).map((o) => [o.path, o.manifest])));
      } catch {
        memo.set(key, undefined);
      }
    }
    return memo.get(key);
  };
  const group = (tunable: HelmTunable): HelmTunable[] => {
    const parent = tunable.envPath.slice(0, -1).join('.');
    return active.map((a) => a.tunable).filter((t) => t.envPath.slice(0, -1).join('.') === parent);
  };
  for (const { tunable } of active) {
    const objects = probeWithout([tunable]) ?? probeWithout(group(tunable));
    for (const d of derived) {
      const value = objects?.get(d.objectPath);
      if (value === undefined || JSON.stringify(valueAt(value, d.path)) !== JSON.stringify(d.probe)) deps.get(d)!.push(tunable);
    }
  }
  return deps;
}

export function generateHelmCharts(env: EnvironmentConfig, build: EnvChartBuilder, isRuntimeScope: RuntimeScopePredicate): GeneratedHelmCharts {
  const active: ActiveTunable[] = HELM_TUNABLES.flatMap((tunable) => {
    const envValue = readTunable(env, tunable);
    return envValue === undefined ? [] : [{ tunable, envValue }];
  });

  const baseline = synthesizeEnvObjects(env, build, isRuntimeScope);
  const baselineText = JSON.stringify(baseline.map((o) => o.manifest));
  for (const { tunable } of active) {
    if (typeof tunable.sentinel === 'string' && baselineText.includes(tunable.sentinel)) {
      throw new Error(`helm emitter: the sentinel of ${tunable.key} ("${tunable.sentinel}") already occurs in the ${env.name} output; choose another in constructs/helm/helm-tunables.ts`);
    }
  }
  let probe;
  try {
    probe = synthesizeEnvObjects(withSentinels(env, active.map((a) => a.tunable)), build, isRuntimeScope);
  } catch (error) {
    throw new Error(
      `helm emitter: the constructs rejected the sentinel values used to locate Helm values (${(error as Error).message}); ` +
        'adjust the sentinels in constructs/helm/helm-tunables.ts so they satisfy the construct validation',
    );
  }
  const located = locateTunables(baseline, probe, active);

  const runtimeObjects = located.objects.filter((o) => o.chart === RUNTIME_CHART);
  if (runtimeObjects.length === 0) {
    throw new Error(`helm emitter: no object of the ${env.name} construct tree belongs to the runtime construct; the ${RUNTIME_CHART} subchart would be empty`);
  }
  const imageTunable = HELM_TUNABLES.find((t) => t.key === 'image')!;

  const usedBy = new Map<HelmTunable, Set<ChartName>>();
  for (const object of located.objects) {
    for (const leaf of object.templated) {
      for (const segment of leaf.segments) {
        if ('tunable' in segment) {
          if (!usedBy.has(segment.tunable)) usedBy.set(segment.tunable, new Set());
          usedBy.get(segment.tunable)!.add(object.chart);
        }
      }
    }
  }
  // The test hook runs the runtime image inside the runtime subchart.
  if (!usedBy.get(imageTunable)?.has(RUNTIME_CHART)) {
    throw new Error(`helm emitter: the runtime image (env runtime.image) does not appear in the runtime objects; the test hook cannot reuse it`);
  }
  const placed = placeTunables(active, usedBy);
  const dependencies = derivedDependencies(env, active, located.derived, build, isRuntimeScope);
  const computed: ComputedField[] = located.derived.map((d) => ({ ...d, dependsOn: dependencies.get(d)!.map((t) => t.key) }));
  const unused = active.filter((a) => !placed.some((p) => p.tunable === a.tunable)).map((a) => a.tunable.key);
  const values = new ChartValues(env, placed);

  const files = new Map<string, string>();
  for (const chart of [PLATFORM_CHART, RUNTIME_CHART] as const) {
    const root = chartRoot(chart);
    const reference = referenceFor(chart, placed);
    const taken = new Set<string>();
    files.set(`${root}/values.yaml`, values.yaml(chart));
    files.set(`${root}/values.schema.json`, JSON.stringify(values.schema(chart), null, 2) + '\n');
    files.set(`${root}/.helmignore`, '# Generated chart: every file is part of it.\n*.tmp\n');
    for (const object of located.objects.filter((o) => o.chart === chart && !isNamespace(o.manifest))) {
      const id = objectId(object.manifest);
      const where = `${id} (${object.path})`;
      const derivedLeaves: LeafTemplate[] = located.derived
        .filter((d) => d.objectPath === object.path)
        .map((d) => {
          if (typeof d.baseline !== 'string' && typeof d.baseline !== 'number' && typeof d.baseline !== 'boolean') {
            throw new Error(`helm emitter: ${where} ${formatJsonPath(d.path)} changes shape with the values (${JSON.stringify(d.baseline)} → ${JSON.stringify(d.probe)}); a Helm value may change scalars only`);
          }
          const guard = placed.filter((p) => dependencies.get(d)!.includes(p.tunable) && visibleFrom(chart, p.scope));
          return { path: d.path, derived: { baseline: d.baseline, guard } };
        });
      const header = `# Generated from ${object.path} by @rspp/platform constructs/helm. Do not edit.\n`;
      files.set(`${root}/templates/${templateFileName(object.manifest, taken)}`, header + renderHelmTemplate(object.manifest, [...object.templated, ...derivedLeaves], reference, where));
    }
    const rules = valueRulesTemplate(placed.map((p) => p.tunable), (t) => (placed.some((p) => p.tunable === t && (p.scope === chart || p.scope === 'global')) ? reference(t) : undefined));
    if (rules) files.set(`${root}/templates/validate-values.yaml`, rules);
    if (chart === RUNTIME_CHART) {
      const hook = readyzTestHook(runtimeObjects.map((o) => o.manifest), imageTunable, String(readTunable(env, imageTunable)));
      const docs = hook.map((h) => renderHelmTemplate(h.manifest, h.leaves, reference, `test hook ${objectId(h.manifest)}`));
      files.set(`${root}/templates/tests/readyz-test.yaml`, `# helm test: the runtime answers ${PATHS.readyz} (generated).\n` + docs.join('---\n'));
    } else {
      const service = runtimeObjects.find((o) => o.manifest.kind === 'Service')?.manifest;
      files.set(`${root}/templates/NOTES.txt`, notesTxt(env, service ? `${service.metadata.name}.${service.metadata.namespace}.svc` : 'none'));
      files.set(`${root}/README.md`, chartReadme(env, placed, computed, unused));
    }
  }
  // Chart.yaml last: its version carries the hash of every other file of both charts.
  const version = chartVersion(env, chartContentHash(files));
  for (const chart of [PLATFORM_CHART, RUNTIME_CHART] as const) files.set(`${chartRoot(chart)}/Chart.yaml`, chartYaml(chart, env, version));
  return {
    files,
    version,
    namespaces: baseline.map((o) => o.manifest).filter(isNamespace),
    placed,
    derived: computed,
    unused,
    values: values.values(PLATFORM_CHART),
    objects: baseline.map((o) => o.manifest),
  };
}

/** Absolute path of the generated parent chart under an env's output folder. */
export function platformChartDir(envOutDir: string): string {
  return path.join(envOutDir, 'charts', PLATFORM_CHART);
}
