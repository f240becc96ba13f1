/** Digest-pinned images in constructs (manifest-policy RSPP-POD-011). The parser is `envs/image-ref.ts`. */
import { pinnedImageProblem } from '../../envs/image-ref';
import type { ExternalRef } from '../policy/external-refs';

export { isPinnedImage, parsePinnedImage, SHA256_DIGEST } from '../../envs/image-ref';

/** Returns `image` unchanged, or throws `<where>: props.<prop> ...` naming the fix. */
export function assertPinnedImage(where: string, prop: string, image: string): string {
  const problem = pinnedImageProblem(image);
  if (problem !== undefined) throw new Error(`${where}: props.${prop} ${problem}`);
  return image;
}

/**
 * The pod spec's `imagePullSecrets` for a private registry: Secret names (of type
 * kubernetes.io/dockerconfigjson) the cluster owner creates beside the release. Returns the pod spec
 * fields and the refs to declare external on the workload (`declareExternalRefs`), so the reference
 * check (RSPP-META-003) knows they are expected, not forgotten.
 * Throws `<where>: props.imagePullSecrets[i] ...` for a name that is not a Secret name or repeats.
 */
export function imagePullSecretsSpec(where: string, names: readonly string[] | undefined): { spec: { imagePullSecrets?: Array<{ name: string }> }; externalRefs: ExternalRef[] } {
  if (!names || names.length === 0) return { spec: {}, externalRefs: [] };
  names.forEach((name, i) => {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name) || name.length > 253) {
      throw new Error(`${where}: props.imagePullSecrets[${i}] ${JSON.stringify(name)} is not a Secret name (lowercase letters, digits, "-", "."); name the dockerconfigjson Secret of the registry`);
    }
    if (names.indexOf(name) !== i) throw new Error(`${where}: props.imagePullSecrets[${i}] ${JSON.stringify(name)} is listed twice; list each Secret once`);
  });
  return { spec: { imagePullSecrets: names.map((name) => ({ name })) }, externalRefs: names.map((name) => ({ kind: 'Secret' as const, name })) };
}
