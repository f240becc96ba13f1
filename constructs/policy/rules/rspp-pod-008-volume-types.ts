import { asArray, asRecord, asString } from '../manifest-object';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

/** The Pod Security "restricted" volume types, as our policy lists them. */
export const ALLOWED_VOLUME_TYPES: readonly string[] = [
  'configMap',
  'secret',
  'projected',
  'emptyDir',
  'persistentVolumeClaim',
  'downwardAPI',
];

export const RSPP_POD_008: PolicyRule = {
  id: 'RSPP-POD-008',
  title: 'only configMap, secret, projected, emptyDir, persistentVolumeClaim, downwardAPI volumes',
  why: 'Other volume types (hostPath, nfs, csi, ...) reach node or network storage outside the pod boundary.',
  fix: `use one of ${ALLOWED_VOLUME_TYPES.join(', ')} volumes`,
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      asArray(w.podSpec.volumes).forEach((raw, i) => {
        const volume = asRecord(raw);
        for (const type of Object.keys(volume).filter((k) => k !== 'name')) {
          if (!ALLOWED_VOLUME_TYPES.includes(type)) {
            const name = asString(volume.name) ?? `#${i}`;
            out.push(violation(w.object, [...w.podSpecPath, 'volumes', i, type], `volume "${name}" is of type ${type}`));
          }
        }
      });
    }
    return out;
  },
};
