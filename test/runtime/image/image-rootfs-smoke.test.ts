/**
 * The image's filesystem actually runs: both commands start from the staged rootfs and answer
 * /readyz 200 — in a private mount namespace with the rootfs read-only, a tmpfs on /tmp and uid
 * 65532 when this machine allows it (the pod's security context), so a missing library, package
 * or pipeline artifact, or a write outside /tmp, fails here. The start-time bound here is loose
 * (shared CI); `npm run image -- --measure` reports the figure against the 500 ms target.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { APP_DIR, stageImageRootfs } from '../../../runtime/image/build-image';
import { controlPlaneLauncher, measureStartToReady, runtimeServerLauncher } from '../../../runtime/image/measure-start';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');

describe('staged image rootfs', () => {
  let rootfs: string;
  beforeAll(() => {
    rootfs = join(mkdtempSync(join(tmpdir(), 'rspp-rootfs-')), 'rootfs');
    stageImageRootfs({ repoRoot: REPO_ROOT, rootfsDir: rootfs });
  });
  afterAll(() => rmSync(resolve(rootfs, '..'), { recursive: true, force: true }));

  test.each([
    ['runtime server', 'runtime/server/main.js', runtimeServerLauncher],
    ['control plane', 'runtime/control-plane/main.js', controlPlaneLauncher],
  ] as const)('%s starts from the image filesystem and becomes ready', async (name, main, launcher) => {
    const measurement = await measureStartToReady(rootfs, [`${APP_DIR}/lib/${main}`], launcher, 1, 15_000);
    console.log(`start-to-ready ${name} (${measurement.mode}): ${measurement.readyMs[0]} ms`);
    expect(measurement.readyMs[0]).toBeLessThan(5_000);
    if (process.getuid?.() === 0) expect(measurement.mode).not.toBe('direct');
  });
});
