/** Digest-pinned images in constructs (manifest-policy RSPP-POD-011). The parser is `envs/image-ref.ts`. */
import { pinnedImageProblem } from '../../envs/image-ref';

export { isPinnedImage, parsePinnedImage, SHA256_DIGEST } from '../../envs/image-ref';

/** Returns `image` unchanged, or throws `<where>: props.<prop> ...` naming the fix. */
export function assertPinnedImage(where: string, prop: string, image: string): string {
  const problem = pinnedImageProblem(image);
  if (problem !== undefined) throw new Error(`${where}: props.${prop} ${problem}`);
  return image;
}
