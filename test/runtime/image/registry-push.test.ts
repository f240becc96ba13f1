/**
 * `npm run image -- --push`: the multi-platform image (linux/amd64 + linux/arm64 under one index)
 * pushed to a real OCI registry (Debian's docker-registry, the CNCF distribution registry) started
 * on 127.0.0.1 by the test, pulled back by digest with skopeo and compared blob by blob and manifest
 * by manifest; a second push of the unchanged build uploads no blob (counted in the registry's
 * access log); the pulled arm64 image runs its node under qemu-user. One real build for the suite.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildImage, type BuildImageResult } from '../../../runtime/image/build-image';
import { checkPushRepository, pushImage } from '../../../runtime/image/push-image';
import { startOciRegistry, type OciRegistry } from '../../support/oci-registry';

jest.setTimeout(180_000);
const REPO_ROOT = resolve(__dirname, '..', '..', '..');

const skopeo = (args: string[]): string => execFileSync('skopeo', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const blobUploads = async (registry: OciRegistry): Promise<string[]> => (await registry.requests()).filter((r) => /^POST \/v2\/.+\/blobs\/uploads\//.test(r));

describe('multi-platform runtime image pushed to a local OCI registry', () => {
  let work: string;
  let registry: OciRegistry;
  let built: BuildImageResult;
  let repository: string;
  const blobOf = (digest: string): Buffer => readFileSync(join(built.layoutDir, 'blobs/sha256', digest.slice('sha256:'.length)));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'rspp-push-'));
    [registry, built] = await Promise.all([
      startOciRegistry(),
      Promise.resolve().then(() => buildImage({ repoRoot: REPO_ROOT, outDir: join(work, 'build'), stageRootfs: false })),
    ]);
    repository = `${registry.host}/rspp/runtime`;
  });
  afterAll(async () => {
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the build is one index over linux/amd64 and linux/arm64, each with its own node binary and libraries', () => {
    const index = JSON.parse(blobOf(built.record.digest).toString());
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m: { platform: unknown }) => m.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    const [amd64, arm64] = built.record.platforms;
    expect(amd64.layers[0].digest).not.toBe(arm64.layers[0].digest); // base: per platform
    expect(amd64.layers.slice(1).map((l) => l.digest)).toEqual(arm64.layers.slice(1).map((l) => l.digest)); // deps, app: shared
    expect(amd64.nodeBinarySha256).not.toBe(arm64.nodeBinarySha256);
    expect(arm64.libraries).toMatch(/libc6 Version: \S+/);
    for (const p of built.record.platforms) {
      const config = JSON.parse(blobOf(p.configDigest).toString());
      expect(config.architecture).toBe(p.platform.architecture);
      expect(config.config.Labels['io.rspp.node.version']).toBe('v20.20.2');
    }
  });

  test('push, then pull back by index digest: the same index, per-platform manifests and blobs', async () => {
    const pushed = pushImage({ layoutDir: built.layoutDir, tag: built.record.tag, digest: built.record.digest, repository, insecure: true });
    expect(pushed.image).toBe(`${repository}@${built.record.digest}`);
    // every distinct blob uploaded once: 2 bases + shared deps + shared app + 2 configs
    const distinctBlobs = new Set(built.record.platforms.flatMap((p) => [p.configDigest, ...p.layers.map((l) => l.digest)]));
    expect(distinctBlobs.size).toBe(6);
    expect(await blobUploads(registry)).toHaveLength(distinctBlobs.size);

    const remoteIndex = skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${repository}@${built.record.digest}`]);
    expect(Buffer.from(remoteIndex).equals(blobOf(built.record.digest))).toBe(true);
    for (const p of built.record.platforms) {
      const manifest = skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${repository}@${p.digest}`]);
      expect(Buffer.from(manifest).equals(blobOf(p.digest))).toBe(true);
      const inspected = JSON.parse(skopeo(['inspect', '--tls-verify=false', '--override-arch', p.platform.architecture, `docker://${repository}@${built.record.digest}`]));
      expect(inspected.Architecture).toBe(p.platform.architecture);
      expect(inspected.Layers).toEqual(p.layers.map((l) => l.digest));
    }

    const pulled = join(work, 'pulled');
    skopeo(['copy', '--all', '--preserve-digests', '--quiet', '--src-tls-verify=false', `docker://${repository}@${built.record.digest}`, `oci:${pulled}:pulled`]);
    const names = (dir: string): string[] => readdirSync(join(dir, 'blobs/sha256')).sort();
    expect(names(pulled)).toEqual(names(built.layoutDir));
    for (const name of names(pulled)) {
      const bytes = readFileSync(join(pulled, 'blobs/sha256', name));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(name);
      expect(bytes.equals(readFileSync(join(built.layoutDir, 'blobs/sha256', name)))).toBe(true);
    }

    // The pulled arm64 image runs: its node, on its own libraries only, under qemu-user.
    const arm64 = built.record.platforms.find((p) => p.platform.architecture === 'arm64')!;
    const rootfs = join(work, 'arm64-rootfs');
    mkdirSync(rootfs);
    for (const layer of arm64.layers) execFileSync('tar', ['-xzf', join(pulled, 'blobs/sha256', layer.digest.slice(7)), '-C', rootfs]);
    // (qemu-user maps the loader and libraries into the rootfs, not every path Node resolves: require by host path)
    const script = `console.log(process.arch, process.version, require(${JSON.stringify(join(rootfs, 'app/node_modules/yaml'))}).parse('ok: 1').ok)`;
    const run = spawnSync('qemu-aarch64-static', ['-L', rootfs, join(rootfs, 'usr/local/bin/node'), '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { QEMU_LD_PREFIX: rootfs },
    });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('arm64 v20.20.2 1');
  });

  test('a second push of the unchanged build uploads no blob and keeps the digest', async () => {
    const before = (await blobUploads(registry)).length;
    expect(before).toBeGreaterThan(0); // the first push happened
    const again = pushImage({ layoutDir: built.layoutDir, tag: built.record.tag, digest: built.record.digest, repository, insecure: true });
    expect(again.digest).toBe(built.record.digest);
    expect((await blobUploads(registry)).length - before).toBe(0);
    expect((await registry.requests()).filter((r) => r.startsWith('HEAD ') && r.includes('/blobs/')).length).toBeGreaterThanOrEqual(6); // it did ask
  });

  test('a bad --push target is refused with the expected form', () => {
    for (const bad of ['rspp-runtime', 'ghcr.io/acme/rspp-runtime:1.0', 'ghcr.io/Acme/x', 'acme/rspp-runtime']) {
      expect(() => checkPushRepository(bad)).toThrow(/expected <registry>\/<repository> without tag or digest/);
    }
    expect(() => checkPushRepository('127.0.0.1:5000/rspp/runtime')).not.toThrow();
  });
});
