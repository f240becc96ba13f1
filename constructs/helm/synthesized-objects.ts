/**
 * Synthesizes an env's construct tree and returns every Kubernetes object with the construct path
 * that made it and the chart it belongs to (the `rspp-runtime` subchart for objects under the
 * runtime construct, `rspp-platform` for the rest).
 *
 * Objects are identified by construct path, not by name: a name derived from content (a config hash)
 * still pairs up across the two synth passes.
 */
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { assertNoDuplicateObjects } from '../common/duplicate-objects';
import { ChartName, PLATFORM_CHART, RUNTIME_CHART } from './helm-tunables';

/** A synthesized Kubernetes object as plain JSON. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

export interface SynthesizedObject {
  /** Construct path of the `ApiObject` (stable across synth passes). */
  readonly path: string;
  readonly chart: ChartName;
  readonly manifest: KubeObject;
}

/** Builds the env's chart into `app` (e.g. `buildEnvChart`). */
export type EnvChartBuilder = (app: App, env: EnvironmentConfig) => unknown;

/** True for the construct whose objects form the `rspp-runtime` subchart (e.g. `instanceof RsppRuntime`). */
export type RuntimeScopePredicate = (construct: IConstruct) => boolean;

/** `kind/namespace/name`, how an object is named in errors and comparisons. */
export function objectId(manifest: KubeObject): string {
  return `${manifest.kind}/${manifest.metadata.namespace ?? '-'}/${manifest.metadata.name}`;
}

/**
 * Runs the builder in a fresh `App`, validates the constructs and returns every object with the
 * construct that made it (order: cdk8s's topological order within each chart).
 */
export function synthesizeEnvObjects(
  env: EnvironmentConfig,
  build: EnvChartBuilder,
  isRuntimeScope: RuntimeScopePredicate,
): SynthesizedObject[] {
  const app = new App();
  build(app, env);
  assertNoDuplicateObjects(app);
  // Construct validation as `cdk8s synth` runs it (App.synth's validate step), without writing YAML.
  const errors = app.node.findAll().flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);

  const result: SynthesizedObject[] = [];
  for (const chart of app.charts) {
    // The same objects, in the same order, as `chart.toJson()` (cdk8s's chartToKube), keeping each one's construct.
    const objects = new DependencyGraph(chart.node).topology()
      .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
    const seen = new Map<string, string>();
    for (const object of objects) {
      const manifest = object.toJson() as KubeObject;
      const id = objectId(manifest);
      if (seen.has(id)) {
        throw new Error(`helm emitter: two objects named ${id} in chart ${chart.node.path} (${seen.get(id)}, ${object.node.path}); object names must be unique`);
      }
      seen.set(id, object.node.path);
      const inRuntime = object.node.scopes.some((scope) => isRuntimeScope(scope));
      result.push({ path: object.node.path, chart: inRuntime ? RUNTIME_CHART : PLATFORM_CHART, manifest });
    }
  }
  if (result.length === 0) throw new Error(`helm emitter: the ${env.name} construct tree synthesized no objects`);
  return result;
}
