/**
 * Which runtime image the environments deploy. `npm run image` builds the runtime image reproducibly
 * and writes `dist/image/runtime.json` = `{ "image": "<repo>@sha256:<64 hex>", ... }`. When that file
 * exists it wins, so a fresh build is what gets synthesized; otherwise the pin in `pins.ts` is used.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pinnedImageProblem } from './image-ref';
import { RUNTIME_IMAGE } from './pins';

/** Path of the image build's output, relative to the repository root (the working directory). */
export const BUILT_IMAGE_FILE = path.join('dist', 'image', 'runtime.json');

export interface ResolvedRuntimeImage {
  readonly image: string;
  /** Where the reference came from: the build output file path, or `envs/pins.ts`. */
  readonly source: string;
}

/**
 * @param builtImageFile the build output to prefer; `false` to ignore any build output (tests,
 *   reproducible snapshots). @default `<cwd>/dist/image/runtime.json`
 */
export function resolveRuntimeImage(builtImageFile: string | false = path.resolve(BUILT_IMAGE_FILE)): ResolvedRuntimeImage {
  if (builtImageFile === false || !fs.existsSync(builtImageFile)) return { image: RUNTIME_IMAGE, source: 'envs/pins.ts' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(builtImageFile, 'utf8'));
  } catch (err) {
    throw new Error(`${builtImageFile}: cannot read the built runtime image reference (${(err as Error).message}); rebuild it with \`npm run image\` or delete the file to use envs/pins.ts`);
  }
  const image = typeof parsed === 'object' && parsed !== null ? (parsed as { image?: unknown }).image : undefined;
  const problem = pinnedImageProblem(image);
  if (problem !== undefined) {
    throw new Error(`${builtImageFile}: field "image" ${problem}; rebuild it with \`npm run image\``);
  }
  return { image: image as string, source: builtImageFile };
}
