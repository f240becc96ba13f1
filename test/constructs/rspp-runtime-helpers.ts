/** Helpers shared by the RsppRuntime tests (not a test file itself). */
import { Chart, Testing } from 'cdk8s';

export type K8sObject = Record<string, any>;

export function synthChart(chart: Chart): K8sObject[] {
  return Testing.synth(chart) as K8sObject[];
}

export function only(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}, found ${found.length}`);
  return found[0];
}

export function container(objects: K8sObject[]): K8sObject {
  return only(objects, 'Deployment').spec.template.spec.containers[0];
}

export function envOf(objects: K8sObject[]): Record<string, K8sObject> {
  return Object.fromEntries(container(objects).env.map((e: K8sObject) => [e.name, e]));
}
