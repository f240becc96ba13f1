import { asArray, asNumber, asRecord, asString, asStringMap, namespaceOf } from '../manifest-object';
import { mapSelectorMatches } from '../label-selector';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';
import { Workload } from '../workloads';

function exposesPort(w: Workload, target: string | number): boolean {
  return w.containers.some((c) =>
    asArray(c.container.ports).some((raw) => {
      const port = asRecord(raw);
      return typeof target === 'string' ? port.name === target : port.containerPort === target;
    }),
  );
}

export const RSPP_META_002: PolicyRule = {
  id: 'RSPP-META-002',
  title: 'every Service selector matches the pod labels of exactly one workload, and its target ports exist',
  why: 'A selector matching nothing black-holes traffic; one matching two workloads mixes them; a missing target port refuses connections.',
  fix: "make the selector match one workload's pod labels and point targetPort at a named container port",
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const service of ctx.objectsOfKind('Service')) {
      const spec = asRecord(service.spec);
      const selector = asStringMap(spec.selector);
      if (Object.keys(selector).length === 0) continue; // no selector: endpoints are managed elsewhere
      const namespace = namespaceOf(service);
      const matches = ctx.workloads.filter((w) => namespaceOf(w.object) === namespace && mapSelectorMatches(selector, w.podLabels));
      if (matches.length !== 1) {
        const which = matches.length === 0 ? 'no workload' : `${matches.length} workloads (${matches.map((w) => `${w.kind}/${w.name}`).join(', ')})`;
        out.push(violation(service, ['spec', 'selector'], `selector matches ${which}`));
        continue;
      }
      const [workload] = matches;
      asArray(spec.ports).forEach((raw, i) => {
        const port = asRecord(raw);
        const target = asString(port.targetPort) ?? asNumber(port.targetPort) ?? asNumber(port.port);
        if (target === undefined) return; // malformed port: the offline validation reports it
        if (!exposesPort(workload, target)) {
          out.push(violation(service, ['spec', 'ports', i, 'targetPort'], `target port ${JSON.stringify(target)} is not a container port of ${workload.kind}/${workload.name}`));
        }
      });
    }
    return out;
  },
};
