import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ETCD_IMAGE, loadEnvironment, resolveRuntimeImage, RUNTIME_IMAGE, withRuntimeImage, dev } from '../../envs';

const BUILT = 'ghcr.io/rspp/runtime@sha256:' + 'b'.repeat(64);

describe('runtime image: dist/image/runtime.json wins over envs/pins.ts', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-image-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (content: string): string => {
    const file = path.join(dir, 'runtime.json');
    fs.writeFileSync(file, content);
    return file;
  };

  test('the build output is used when present', () => {
    const file = write(JSON.stringify({ image: BUILT, createdBy: 'npm run image' }));
    expect(resolveRuntimeImage(file)).toEqual({ image: BUILT, source: file });
  });

  test('the pin is used when the build output is absent or disabled', () => {
    expect(resolveRuntimeImage(path.join(dir, 'missing.json'))).toEqual({ image: RUNTIME_IMAGE, source: 'envs/pins.ts' });
    write(JSON.stringify({ image: BUILT }));
    expect(resolveRuntimeImage(false)).toEqual({ image: RUNTIME_IMAGE, source: 'envs/pins.ts' });
  });

  test('a build output naming a tag is refused, naming the file and field', () => {
    const file = write(JSON.stringify({ image: 'ghcr.io/rspp/runtime:dev' }));
    expect(() => resolveRuntimeImage(file)).toThrow(`${file}: field "image" "ghcr.io/rspp/runtime:dev" is referenced by tag`);
  });

  test('an unreadable build output is refused with the fix', () => {
    const file = write('{ not json');
    expect(() => resolveRuntimeImage(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot read the built runtime image reference .*npm run image`));
  });

  test('loadEnvironment applies the built image to the runtime and the control plane (same image)', () => {
    const file = write(JSON.stringify({ image: BUILT }));
    for (const name of ['dev', 'stage', 'prod']) {
      const env = loadEnvironment(name, { builtImageFile: file });
      expect(env.runtime.image).toBe(BUILT);
      expect(env.controlPlane.image).toBe(BUILT);
      expect(env.leaseStore.image).toBe(ETCD_IMAGE);
    }
  });

  test('an env that names its own image keeps it', () => {
    const own = 'registry.example.com/rspp/runtime@sha256:' + 'c'.repeat(64);
    const cfg = withRuntimeImage({ ...dev, runtime: { ...dev.runtime, image: own } }, BUILT);
    expect(cfg.runtime.image).toBe(own);
    expect(cfg.controlPlane.image).toBe(BUILT);
  });
});
