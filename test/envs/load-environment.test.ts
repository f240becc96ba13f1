/**
 * `loadEnvironment()` never reads the working directory: a stray `dist/image/runtime.json` in a
 * consumer's project does not replace the runtime image; an override is explicit (option or env var).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadEnvironment, RUNTIME_IMAGE, RUNTIME_IMAGE_FILE_ENV } from '../../envs';

const BUILT = 'ghcr.io/rspp/runtime@sha256:' + 'c'.repeat(64);

describe('loadEnvironment: explicit runtime image override only', () => {
  let dir: string;
  const savedCwd = process.cwd();
  const savedEnv = process.env[RUNTIME_IMAGE_FILE_ENV];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-load-env-'));
    fs.mkdirSync(path.join(dir, 'dist', 'image'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'image', 'runtime.json'), JSON.stringify({ image: BUILT }));
    delete process.env[RUNTIME_IMAGE_FILE_ENV];
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(savedCwd);
    if (savedEnv === undefined) delete process.env[RUNTIME_IMAGE_FILE_ENV];
    else process.env[RUNTIME_IMAGE_FILE_ENV] = savedEnv;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a stray <cwd>/dist/image/runtime.json is ignored by default: the pin is deployed', () => {
    expect(loadEnvironment('prod').runtime.image).toBe(RUNTIME_IMAGE);
  });

  test('the option names the build output explicitly', () => {
    expect(loadEnvironment('prod', { builtImageFile: path.join(dir, 'dist', 'image', 'runtime.json') }).runtime.image).toBe(BUILT);
  });

  test('RSPP_RUNTIME_IMAGE_FILE names it from the environment', () => {
    process.env[RUNTIME_IMAGE_FILE_ENV] = 'dist/image/runtime.json';
    expect(loadEnvironment('stage').runtime.image).toBe(BUILT);
    expect(loadEnvironment('stage', { builtImageFile: false }).runtime.image).toBe(RUNTIME_IMAGE);
  });

  test('RSPP_RUNTIME_IMAGE_FILE naming a missing file fails with the fix', () => {
    process.env[RUNTIME_IMAGE_FILE_ENV] = 'build/runtime.json';
    expect(() => loadEnvironment('dev')).toThrow(
      'RSPP_RUNTIME_IMAGE_FILE=build/runtime.json: no such file; build it with `npm run image` (it writes dist/image/runtime.json) or unset RSPP_RUNTIME_IMAGE_FILE to deploy the pinned runtime image',
    );
  });
});
