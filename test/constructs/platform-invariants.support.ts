/**
 * Shared helpers for the platform construct tests: synthesis of a platform per env, schema
 * validation of every object (core kinds with `kubernetes-models`, custom resources with
 * `@kubernetes-models/cert-manager` / `@kubernetes-models/prometheus-operator`), and a small
 * NetworkPolicy evaluator that answers "may pod A open a connection to pod B on port P?" the way
 * a conforming CNI would (policies are additive; a pod selected by any policy of a type is
 * isolated for that type).
 */
import { Chart, Testing } from 'cdk8s';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { RsppPlatform, RsppPlatformProps } from '../../constructs/rspp-platform';
import { cidrContains } from '../../envs/cidr';

export type K8sObject = Record<string, any>;

export function synthPlatform(env: EnvironmentConfig, overrides: Omit<RsppPlatformProps, 'env'> = {}): { objects: K8sObject[]; platform: RsppPlatform } {
  const app = Testing.app();
  const chart = new Chart(app, `rspp-${env.name}`, { namespace: overrides.namespace ?? env.namespace, disableResourceNameHashes: true });
  const platform = new RsppPlatform(chart, 'platform', { env, ...overrides });
  return { objects: Testing.synth(chart), platform };
}

export function byKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function named(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in output (have: ${objects.filter((o) => o.kind === kind).map((o) => o.metadata?.name).join(', ')})`);
  return found;
}

/** Model class (with `validate()`) for an object's apiVersion/kind. */
function modelFor(apiVersion: string, kind: string): (new (data: any) => { validate(): void }) | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const candidates =
    group === 'cert-manager.io'
      ? [`@kubernetes-models/cert-manager/cert-manager.io/${version}/${kind}`]
      : group === 'monitoring.coreos.com'
        ? [`@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}/${kind}`]
        : [group === '' ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`];
  for (const path of candidates) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path);
      if (mod[kind]) return mod[kind];
    } catch {
      /* not found */
    }
  }
  return undefined;
}

/** Validates one object against its upstream schema; returns the problem or undefined. */
export function schemaProblem(object: K8sObject): string | undefined {
  const Model = modelFor(object.apiVersion, object.kind);
  if (!Model) return `no schema model for ${object.apiVersion} ${object.kind}`;
  try {
    new Model(JSON.parse(JSON.stringify(object))).validate();
    return undefined;
  } catch (err) {
    return `${object.kind}/${object.metadata?.name}: ${(err as Error).message}`;
  }
}

export function matchesLabels(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => (labels ?? {})[k] === v);
}

/** A running pod as the evaluator sees it. */
export interface PodView {
  readonly workload: string;
  readonly namespace: string;
  readonly namespaceLabels: Record<string, string>;
  readonly labels: Record<string, string>;
  /** Container ports: number → name. */
  readonly ports: ReadonlyArray<{ readonly name?: string; readonly port: number; readonly protocol: string }>;
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];

export function workloadPods(objects: readonly K8sObject[]): PodView[] {
  return objects
    .filter((o) => WORKLOAD_KINDS.includes(o.kind))
    .map((o) => ({
      workload: `${o.kind}/${o.metadata.name}`,
      namespace: o.metadata.namespace,
      namespaceLabels: { 'kubernetes.io/metadata.name': o.metadata.namespace },
      labels: o.spec.template.metadata.labels,
      ports: (o.spec.template.spec.containers as any[]).flatMap((c) =>
        (c.ports ?? []).map((p: any) => ({ name: p.name, port: p.containerPort, protocol: p.protocol ?? 'TCP' })),
      ),
    }));
}

function peerMatches(peer: any, policyNamespace: string, pod: PodView): boolean {
  if (peer.ipBlock) return false; // pods are addressed by labels only in this platform
  const nsOk = peer.namespaceSelector ? matchesLabels(peer.namespaceSelector.matchLabels, pod.namespaceLabels) : pod.namespace === policyNamespace;
  const podOk = peer.podSelector ? matchesLabels(peer.podSelector.matchLabels, pod.labels) : true;
  return nsOk && podOk;
}

function portMatches(rulePorts: any[] | undefined, target: PodView, port: number, protocol: string): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return target.ports.some((tp) => tp.name === p.port && tp.port === port);
    return p.endPort !== undefined ? port >= p.port && port <= p.endPort : p.port === port;
  });
}

function policyTypes(policy: K8sObject): string[] {
  return policy.spec.policyTypes ?? (policy.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
}

/** May `from` open a connection to `to` on `port`? Both the egress of `from` and the ingress of `to` must allow it. */
export function flowAllowed(policies: readonly K8sObject[], from: PodView, to: PodView, port: number, protocol = 'TCP'): boolean {
  const selecting = (pod: PodView, type: string) =>
    policies.filter((p) => p.metadata.namespace === pod.namespace && policyTypes(p).includes(type) && matchesLabels(p.spec.podSelector?.matchLabels, pod.labels));
  const egressPolicies = selecting(from, 'Egress');
  const egressOk =
    egressPolicies.length === 0 ||
    egressPolicies.some((p) => (p.spec.egress ?? []).some((r: any) => (r.to ?? []).some((peer: any) => peerMatches(peer, p.metadata.namespace, to)) && portMatches(r.ports, to, port, protocol)));
  const ingressPolicies = selecting(to, 'Ingress');
  const ingressOk =
    ingressPolicies.length === 0 ||
    ingressPolicies.some((p) => (p.spec.ingress ?? []).some((r: any) => (r.from ?? []).some((peer: any) => peerMatches(peer, p.metadata.namespace, from)) && portMatches(r.ports, to, port, protocol)));
  return egressOk && ingressOk;
}

/** Every (from, to, port) among the output's own pods that the NetworkPolicies allow. */
export function allowedPodFlows(objects: readonly K8sObject[]): Set<string> {
  const pods = workloadPods(objects);
  const policies = byKind(objects, 'NetworkPolicy');
  const allowed = new Set<string>();
  for (const from of pods) {
    for (const to of pods) {
      for (const p of to.ports) {
        if (flowAllowed(policies, from, to, p.port, p.protocol)) allowed.add(`${from.workload} -> ${to.workload}:${p.port}`);
      }
    }
  }
  return allowed;
}

/** Metric names (`rspp_*`) a PromQL expression reads, with histogram suffixes folded to the family name. */
export function metricFamiliesIn(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b(rspp_[a-z0-9_]+)/g)].map((m) => m[1].replace(/_(bucket|sum|count)$/, '')))];
}

/** A destination that is not a pod of a policy-aware namespace: an address (a node, a host-network pod as Calico/Cilium see it). */
export interface AddressView {
  readonly ip: string;
}

function ipBlockMatches(peer: any, ip: string): boolean {
  if (!peer.ipBlock) return false; // pod/namespace selectors never match a bare address
  return cidrContains(peer.ipBlock.cidr, ip) && !(peer.ipBlock.except ?? []).some((e: string) => cidrContains(e, ip));
}

/**
 * May pod `from` send to address `to.ip` on `port`? Only `from`'s egress decides (no ingress
 * policy selects a node address); a numeric port or `port..endPort` range must match.
 */
export function addressFlowAllowed(policies: readonly K8sObject[], from: PodView, to: AddressView, port: number, protocol = 'TCP'): boolean {
  const egressPolicies = policies.filter(
    (p) => p.metadata.namespace === from.namespace && policyTypes(p).includes('Egress') && matchesLabels(p.spec.podSelector?.matchLabels, from.labels),
  );
  const target: PodView = { workload: to.ip, namespace: '', namespaceLabels: {}, labels: {}, ports: [] };
  return (
    egressPolicies.length === 0 ||
    egressPolicies.some((p) => (p.spec.egress ?? []).some((r: any) => (r.to === undefined || r.to.length === 0 || r.to.some((peer: any) => ipBlockMatches(peer, to.ip))) && portMatches(r.ports, target, port, protocol)))
  );
}
