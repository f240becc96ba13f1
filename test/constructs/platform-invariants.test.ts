/**
 * Cross-object invariants of the whole platform output, per env. Each is checked here directly
 * (not only through the policy rules) so a regression names the broken object.
 */
import { dev, prod, stage } from '../../envs';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { METRICS } from '../../runtime/contracts/runtime-interface';
import { RuntimeMetrics } from '../../runtime/server/metrics/runtime-metrics';
import { checkPolicy, EXTERNAL_REFS_ANNOTATION, parseExternalRefs } from '../../constructs/policy';
import { validateObjects } from '../../constructs/validation';
import {
  allowedPodFlows,
  byKind,
  K8sObject,
  matchesLabels,
  metricFamiliesIn,
  schemaProblem,
  synthPlatform,
  WORKLOAD_KINDS,
  workloadPods,
} from './platform-invariants.support';

const ENVS: ReadonlyArray<[string, EnvironmentConfig]> = [['dev', dev], ['stage', stage], ['prod', prod]];

const workloads = (objects: readonly K8sObject[]) => objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
const podSpec = (w: K8sObject) => w.spec.template.spec;

/** Every `Kind/name` an object references (ConfigMap, Secret, ServiceAccount) with where it is referenced. */
function referencesOf(o: K8sObject): Array<{ kind: string; name: string; from: K8sObject }> {
  const refs: Array<{ kind: string; name: string; from: K8sObject }> = [];
  const add = (kind: string, name: string | undefined) => name && refs.push({ kind, name, from: o });
  if (WORKLOAD_KINDS.includes(o.kind)) {
    const spec = podSpec(o);
    add('ServiceAccount', spec.serviceAccountName);
    for (const v of spec.volumes ?? []) {
      add('Secret', v.secret?.secretName);
      add('ConfigMap', v.configMap?.name);
      for (const s of v.projected?.sources ?? []) {
        add('Secret', s.secret?.name);
        add('ConfigMap', s.configMap?.name);
      }
    }
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
      for (const e of c.env ?? []) {
        add('Secret', e.valueFrom?.secretKeyRef?.name);
        add('ConfigMap', e.valueFrom?.configMapKeyRef?.name);
      }
      for (const e of c.envFrom ?? []) {
        add('Secret', e.secretRef?.name);
        add('ConfigMap', e.configMapRef?.name);
      }
    }
  }
  if (o.kind === 'Issuer' || o.kind === 'ClusterIssuer') add('Secret', o.spec.ca?.secretName);
  if (o.kind === 'Certificate') add('Issuer', o.spec.issuerRef.name);
  return refs;
}

describe.each(ENVS)('platform invariants: %s', (envName, env) => {
  const { objects, platform } = synthPlatform(env);

  test('every object passes its upstream schema (Kubernetes, cert-manager, prometheus-operator)', () => {
    expect(objects.map(schemaProblem).filter(Boolean)).toEqual([]);
  });

  test('strict offline validation (types, required and unknown fields, duplicates) finds nothing', () => {
    const issues = validateObjects(objects, { server: false });
    expect(issues.filter((i) => i.severity === 'error').map((i) => i.text)).toEqual([]);
  });

  test('every policy rule passes with no exemption (LiveKit, the only exempted workload, is not in this output)', () => {
    const report = checkPolicy(objects, { env: env.name });
    expect(report.findings.map((f) => f.text)).toEqual([]);
    expect(report.exemptionErrors).toEqual([]);
    expect(report.exemptions).toEqual([]);
    expect(report.rules.filter((r) => r.status === 'failed')).toEqual([]);
  });

  test('RSPP-META-002: every Service selects the pods of exactly one workload, and its target ports exist there', () => {
    for (const svc of byKind(objects, 'Service')) {
      const selected = workloads(objects).filter((w) => matchesLabels(svc.spec.selector, w.spec.template.metadata.labels));
      expect([svc.metadata.name, selected.length]).toEqual([svc.metadata.name, 1]);
      const ports = podSpec(selected[0]).containers.flatMap((c: any) => c.ports ?? []);
      for (const p of svc.spec.ports) {
        const target = p.targetPort ?? p.port;
        const found = ports.some((cp: any) => (typeof target === 'string' ? cp.name === target : cp.containerPort === target));
        expect([svc.metadata.name, p.name, found]).toEqual([svc.metadata.name, p.name, true]);
      }
    }
  });

  test('RSPP-META-003: every referenced Secret, ConfigMap, ServiceAccount and Issuer exists (cert-manager Secrets included) or is declared external', () => {
    const existing = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
    for (const cert of byKind(objects, 'Certificate')) existing.add(`Secret/${cert.spec.secretName}`);
    const unresolved = objects.flatMap(referencesOf).filter((ref) => {
      if (existing.has(`${ref.kind}/${ref.name}`)) return false;
      const declared = ref.from.metadata.annotations?.[EXTERNAL_REFS_ANNOTATION];
      return !(declared && parseExternalRefs(declared).some((d) => d.kind === ref.kind && d.name === ref.name));
    });
    expect(unresolved.map((r) => `${r.from.kind}/${r.from.metadata.name} -> ${r.kind}/${r.name}`)).toEqual([]);
    expect(objects.flatMap(referencesOf).length).toBeGreaterThan(10);
  });

  test('every component certificate is mounted by a workload, and every mounted TLS secret comes from a Certificate', () => {
    const mounted = new Set(workloads(objects).flatMap((w) => (podSpec(w).volumes ?? []).filter((v: any) => v.secret).map((v: any) => v.secret.secretName)));
    const issued = platform.tls.certificates.map((c) => c.secretName);
    expect(issued.filter((s) => !mounted.has(s))).toEqual([]);
    const fromCertificates = new Set(byKind(objects, 'Certificate').map((c) => c.spec.secretName));
    expect([...mounted].filter((s) => !fromCertificates.has(s))).toEqual([]);
  });

  test('RSPP-NET-002: the NetworkPolicies allow exactly the declared flows between the platform pods, no more, no fewer', () => {
    const pods = workloadPods(objects);
    const expected = new Set<string>();
    for (const flow of platform.tls.flows.flows) {
      if (flow.from.flowPeer.namespaceLabels || flow.to.flowPeer.namespaceLabels) continue;
      for (const from of pods.filter((p) => matchesLabels(flow.from.flowPeer.podLabels, p.labels))) {
        for (const to of pods.filter((p) => matchesLabels(flow.to.flowPeer.podLabels, p.labels))) {
          for (const port of flow.ports) expected.add(`${from.workload} -> ${to.workload}:${port.port}`);
        }
      }
    }
    expect(expected.size).toBeGreaterThanOrEqual(4);
    expect([...allowedPodFlows(objects)].sort()).toEqual([...expected].sort());
  });

  test('each declared flow has its policy on both sides (one side for peers in other namespaces), naming peers by labels (pods, or one whole namespace by name) and ports', () => {
    const policies = new Map(byKind(objects, 'NetworkPolicy').map((p) => [p.metadata.name, p]));
    for (const flow of platform.tls.flows.flows) {
      const internalEnds = [flow.from, flow.to].filter((e) => !e.flowPeer.namespaceLabels).length;
      expect(flow.policyNames).toHaveLength(internalEnds);
      for (const name of flow.policyNames) {
        const policy = policies.get(name)!;
        expect(policy).toBeDefined();
        const rules = [...(policy.spec.ingress ?? []), ...(policy.spec.egress ?? [])];
        for (const rule of rules) {
          expect(rule.ports.length).toBeGreaterThan(0);
          for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
            expect(peer.ipBlock).toBeUndefined();
            if (Object.keys(peer.podSelector.matchLabels ?? {}).length === 0) {
              // A whole namespace (LiveKit's), named by its name label and nothing else.
              expect(Object.keys(peer.namespaceSelector.matchLabels)).toEqual(['kubernetes.io/metadata.name']);
            } else {
              expect(Object.keys(peer.podSelector.matchLabels).length).toBeGreaterThan(0);
            }
          }
        }
      }
    }
    const described = platform.tls.flows.flows.map((f) => `${f.from.flowName}->${f.to.flowName}`);
    expect(described).toEqual(expect.arrayContaining([
      'lease-store->lease-store', 'control-plane->lease-store', 'runtime->lease-store', 'runtime->control-plane',
      'prometheus->runtime', 'prometheus->control-plane', 'prometheus->lease-store', 'runtime->livekit',
    ]));
  });

  test('alert and dashboard queries read only metrics the runtime exports (names from METRICS)', () => {
    const exported = new Set([...new RuntimeMetrics().registry.render().matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const exprs = [
      ...byKind(objects, 'PrometheusRule').flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules.map((x: any) => x.expr))),
      ...byKind(objects, 'ConfigMap').filter((c) => c.metadata.labels.grafana_dashboard).flatMap((c) =>
        Object.values<string>(c.data).flatMap((json) => JSON.parse(json).panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)))),
    ];
    const used = new Set(exprs.flatMap(metricFamiliesIn));
    expect([...used].filter((m) => !exported.has(m) || !Object.values<string>(METRICS).includes(m))).toEqual([]);
    expect(used.size).toBeGreaterThan(0);
  });

  test('no secret material in the output (only references)', () => {
    expect(byKind(objects, 'Secret')).toEqual([]);
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    for (const w of workloads(objects)) {
      for (const c of podSpec(w).containers) {
        for (const e of c.env ?? []) expect([e.name, /SECRET|PASSWORD|TOKEN|KEY$/.test(e.name) && e.value !== undefined]).toEqual([e.name, false]);
      }
    }
  });

  test(`${envName}: the schema validator itself rejects a broken object (self-check)`, () => {
    const cert = JSON.parse(JSON.stringify(byKind(objects, 'Certificate')[0]));
    cert.spec.privateKey.rotationPolicy = 'Sometimes';
    expect(schemaProblem(cert)).toMatch(/rotationPolicy|must be equal to one of/);
  });
});
