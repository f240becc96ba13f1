import { DRAIN_SECONDS_ENV, gracePeriodFor } from '../../../runtime/contracts/runtime-interface';
import { asArray, asNumber, asRecord, asString } from '../manifest-object';
import { DRAIN_SECONDS_ANNOTATION } from '../policy-annotations';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

/** The kubelet's default when a pod sets no `terminationGracePeriodSeconds`. */
const KUBERNETES_DEFAULT_GRACE_SECONDS = 30;

function parseSeconds(value: string): number | undefined {
  return /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

export const RSPP_POD_015: PolicyRule = {
  id: 'RSPP-POD-015',
  title: 'terminationGracePeriodSeconds covers the drain time the workload declares',
  why: 'If the kubelet kills the pod before the drain ends, in-flight turns are cut off mid-answer on every rollout.',
  fix: `set terminationGracePeriodSeconds to gracePeriodFor(drainSeconds) (preStop + drain + exit margin) for the drain declared in ${DRAIN_SECONDS_ANNOTATION}`,
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      const annotationPath = [...w.podMetadataPath, 'annotations', DRAIN_SECONDS_ANNOTATION];
      const annotation = w.podAnnotations[DRAIN_SECONDS_ANNOTATION];
      let declared: number | undefined;
      if (annotation !== undefined) {
        declared = parseSeconds(annotation);
        if (declared === undefined) {
          out.push(violation(w.object, annotationPath, `drain seconds ${JSON.stringify(annotation)} is not a non-negative integer`));
          continue;
        }
      }
      // The runtime learns its drain time from an env var; it must agree with the declaration.
      for (const c of w.containers) {
        asArray(c.container.env).forEach((raw, i) => {
          const env = asRecord(raw);
          if (env.name !== DRAIN_SECONDS_ENV || asString(env.value) === undefined) return;
          const fromEnv = parseSeconds(asString(env.value) ?? '');
          if (declared === undefined) {
            out.push(violation(w.object, annotationPath, `container "${c.name}" sets ${DRAIN_SECONDS_ENV} but the pod template does not declare ${DRAIN_SECONDS_ANNOTATION}`));
          } else if (fromEnv !== declared) {
            out.push(violation(w.object, [...c.path, 'env', i, 'value'], `container "${c.name}" ${DRAIN_SECONDS_ENV}=${JSON.stringify(env.value)} disagrees with ${DRAIN_SECONDS_ANNOTATION}=${declared}`));
          }
        });
      }
      if (declared === undefined) continue;
      const grace = asNumber(w.podSpec.terminationGracePeriodSeconds) ?? KUBERNETES_DEFAULT_GRACE_SECONDS;
      const required = gracePeriodFor(declared);
      if (grace < required) {
        const source = w.podSpec.terminationGracePeriodSeconds === undefined ? ' (Kubernetes default)' : '';
        out.push(
          violation(
            w.object,
            [...w.podSpecPath, 'terminationGracePeriodSeconds'],
            `${grace}s${source} does not cover drain ${declared}s: gracePeriodFor(${declared}) = ${required}s`,
          ),
        );
      }
    }
    return out;
  },
};
