/**
 * Synthesizes an env's construct tree and returns every Kubernetes object with the construct path
 * that made it and the chart it belongs to (the `rspp-runtime` subchart for objects under the
 * runtime construct, `rspp-platform` for the rest).
 *
 * Objects are identified by construct path, not by name: a name derived from content (a config hash)
 * still pairs up across the two synth passes.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../../envs/environment-config';
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
 * Runs the builder in a fresh `App`, synthesizes (construct validation included) and returns the
 * objects in the order cdk8s writes them.
 */
export function synthesizeEnvObjects(
  env: EnvironmentConfig,
  build: EnvChartBuilder,
  isRuntimeScope: RuntimeScopePredicate,
): SynthesizedObject[] {
  const app = new App();
  build(app, env);
  app.synthYaml(); // runs construct validation and dependency ordering exactly as `cdk8s synth` does

  const result: SynthesizedObject[] = [];
  for (const chart of app.charts) {
    const byId = new Map<string, ApiObject>();
    for (const construct of chart.node.findAll()) {
      if (!(construct instanceof ApiObject) || Chart.of(construct) !== chart) continue;
      const id = objectId(construct.toJson() as KubeObject);
      if (byId.has(id)) {
        throw new Error(`helm emitter: two objects named ${id} in chart ${chart.node.path} (${byId.get(id)!.node.path}, ${construct.node.path}); object names must be unique`);
      }
      byId.set(id, construct);
    }
    for (const manifest of chart.toJson() as KubeObject[]) {
      const source = byId.get(objectId(manifest))!;
      const inRuntime = source.node.scopes.some((scope) => isRuntimeScope(scope));
      result.push({ path: source.node.path, chart: inRuntime ? RUNTIME_CHART : PLATFORM_CHART, manifest });
    }
  }
  if (result.length === 0) throw new Error(`helm emitter: the ${env.name} construct tree synthesized no objects`);
  return result;
}
