/**
 * `loadEnvironment(name)`: the env's values, validated against the schema and the MVP posture. The
 * runtime image is the pin (`envs/pins.ts`) unless a build output is named explicitly — the
 * `builtImageFile` option or the `RSPP_RUNTIME_IMAGE_FILE` env var; the working directory is never read.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { EnvironmentConfig, EnvName } from './environment-config';
import { dev } from './dev';
import { ENV_NAMES } from './posture';
import { prod } from './prod';
import { parsePinnedImage } from './image-ref';
import { RUNTIME_IMAGE } from './pins';
import { resolveRuntimeImage } from './runtime-image';
import { validateEnvironment } from './schema';
import { stage } from './stage';

export const ENVIRONMENTS: Readonly<Record<EnvName, EnvironmentConfig>> = { dev, stage, prod };

/** Env var naming a runtime image build output (`npm run image` writes `dist/image/runtime.json`) to deploy instead of the pin. */
export const RUNTIME_IMAGE_FILE_ENV = 'RSPP_RUNTIME_IMAGE_FILE';

export interface LoadEnvironmentOptions {
  /**
   * Build output to take the runtime image from, used when it exists (the repo's synth passes
   * `dist/image/runtime.json`); `false` to use `envs/pins.ts` only.
   * @default the file named by `RSPP_RUNTIME_IMAGE_FILE` (which must exist), else none: the pin
   */
  readonly builtImageFile?: string | false;
}

/**
 * The build output `loadEnvironment` takes the runtime image from (`false`: the pin). Never a path
 * relative to the working directory unless the caller or `RSPP_RUNTIME_IMAGE_FILE` names one.
 */
export function runtimeImageFileOf(options: LoadEnvironmentOptions = {}, env: NodeJS.ProcessEnv = process.env): string | false {
  if (options.builtImageFile !== undefined) return options.builtImageFile;
  const named = env[RUNTIME_IMAGE_FILE_ENV];
  if (named === undefined || named === '') return false;
  const file = path.resolve(named);
  if (!fs.existsSync(file)) {
    throw new Error(`${RUNTIME_IMAGE_FILE_ENV}=${named}: no such file; build it with \`npm run image\` (it writes dist/image/runtime.json) or unset ${RUNTIME_IMAGE_FILE_ENV} to deploy the pinned runtime image`);
  }
  return file;
}

export function isEnvName(value: string): value is EnvName {
  return (ENV_NAMES as readonly string[]).includes(value);
}

/**
 * The runtime and control-plane images follow the build output only where the env uses the pinned
 * default; an env that names its own image keeps it. With `images.repository` set, the platform's
 * image is pulled from there by the same digest (what `npm run image -- --push` printed).
 */
export function withRuntimeImage(cfg: EnvironmentConfig, image: string): EnvironmentConfig {
  const digest = parsePinnedImage(image)?.digest;
  const target = cfg.images?.repository !== undefined && digest !== undefined ? `${cfg.images.repository}@${digest}` : image;
  if (target === RUNTIME_IMAGE) return cfg;
  return {
    ...cfg,
    runtime: cfg.runtime.image === RUNTIME_IMAGE ? { ...cfg.runtime, image: target } : cfg.runtime,
    controlPlane: cfg.controlPlane.image === RUNTIME_IMAGE ? { ...cfg.controlPlane, image: target } : cfg.controlPlane,
  };
}

export function loadEnvironment(name: string, options: LoadEnvironmentOptions = {}): EnvironmentConfig {
  if (!isEnvName(name)) {
    throw new Error(`unknown environment "${name}"; expected one of ${ENV_NAMES.join(', ')}`);
  }
  const { image } = resolveRuntimeImage(runtimeImageFileOf(options));
  return validateEnvironment(withRuntimeImage(ENVIRONMENTS[name], image), name);
}

/** All three environments, in promotion order (dev, stage, prod). */
export function loadAllEnvironments(options: LoadEnvironmentOptions = {}): EnvironmentConfig[] {
  return ENV_NAMES.map((name) => loadEnvironment(name, options));
}
