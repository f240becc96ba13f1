/**
 * `loadEnvironment(name)`: the env's values, with the freshly built runtime image applied (when
 * `dist/image/runtime.json` exists), validated against the schema and the MVP posture.
 */
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

export interface LoadEnvironmentOptions {
  /**
   * Build output to take the runtime image from; `false` to use `envs/pins.ts` only (tests,
   * reproducible snapshots). @default `<cwd>/dist/image/runtime.json` when it exists
   */
  readonly builtImageFile?: string | false;
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
  const { image } = resolveRuntimeImage(options.builtImageFile);
  return validateEnvironment(withRuntimeImage(ENVIRONMENTS[name], image), name);
}

/** All three environments, in promotion order (dev, stage, prod). */
export function loadAllEnvironments(options: LoadEnvironmentOptions = {}): EnvironmentConfig[] {
  return ENV_NAMES.map((name) => loadEnvironment(name, options));
}
