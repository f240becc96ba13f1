/**
 * The image build: closure contents, image config, reproducibility (two builds, same digest) and
 * layout validity. Kept fast with a small variant: a small dynamic binary (/bin/true, with its ldd
 * libraries) stands in for node, which only changes the base layer's size, not the machinery.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildImage, type BuildImageResult } from '../../../runtime/image/build-image';
import { collectModuleClosure } from '../../../runtime/image/module-closure';
import { collectPackageClosure } from '../../../runtime/image/package-closure';
import { runtimeNodeFlags } from '../../../runtime/contracts/runtime-interface';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const ENTRY = { runtime: 'runtime/control-plane/main.ts', controlPlane: 'runtime/control-plane/main.ts' };
const SMALL_BINARY = '/bin/true';

describe('image closure', () => {
  const modules = collectModuleClosure(REPO_ROOT, ['runtime/control-plane/main.ts']);

  test('our code: reaches authority, contracts and pipelines; never constructs, stacks or tests', () => {
    const paths = modules.modules.map((m) => m.outputPath);
    expect(paths).toContain('lib/runtime/control-plane/main.js');
    expect(paths).toContain('lib/runtime/authority/etcd-lease-store.js');
    expect(paths.some((p) => p.startsWith('lib/pipelines/'))).toBe(true);
    expect(paths.some((p) => /^lib\/(constructs|stacks|test)\//.test(p))).toBe(false);
    expect(modules.packages).toEqual(expect.arrayContaining(['etcd3', 'yaml']));
    expect(modules.packages.some((p) => /^(cdk8s|cdktf|@cdktf\/|constructs|jest|typescript)/.test(p))).toBe(false);
  });

  test('third-party: production closure only (no dev dependencies), nested versions kept, sources and maps pruned', () => {
    const closure = collectPackageClosure(REPO_ROOT, modules.packages);
    const names = closure.packages.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['etcd3', '@grpc/grpc-js', 'protobufjs', 'yaml']));
    for (const devOnly of ['jest', 'typescript', 'ts-jest', 'cdk8s', 'cdktf', 'cdk8s-plus-27', 'fast-check', 'tsx']) expect(names).not.toContain(devOnly);
    expect(closure.files.some((f) => /\.(map|d\.ts)$/.test(f.imagePath))).toBe(false);
    expect(closure.files.some((f) => f.imagePath.startsWith('node_modules/etcd3/proto/'))).toBe(true); // loaded at run time
    expect(closure.undeclared).toEqual([]);
  });
});

describe('buildImage (small variant)', () => {
  const dirs: string[] = [];
  const build = (sourceDateEpoch = 0): BuildImageResult => {
    const outDir = mkdtempSync(join(tmpdir(), 'rspp-image-test-'));
    dirs.push(outDir);
    return buildImage({ repoRoot: REPO_ROOT, outDir, nodeBinary: SMALL_BINARY, entryPoints: ENTRY, stageRootfs: false, sourceDateEpoch });
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  let first: BuildImageResult;
  beforeAll(() => {
    first = build();
  });

  test('two builds from the same tree give the same manifest digest and identical blobs', () => {
    const second = build();
    expect(second.record.digest).toBe(first.record.digest);
    expect(readdirSync(join(second.layoutDir, 'blobs/sha256')).sort()).toEqual(readdirSync(join(first.layoutDir, 'blobs/sha256')).sort());
    expect(readFileSync(join(second.layoutDir, 'index.json')).equals(readFileSync(join(first.layoutDir, 'index.json')))).toBe(true);
  });

  test('a different SOURCE_DATE_EPOCH gives a different digest (the comparison can fail)', () => {
    expect(build(1_700_000_000).record.digest).not.toBe(first.record.digest);
  });

  test('config: non-root 65532, node entrypoint, /tmp the only volume, ports from runtime-interface', () => {
    const manifestBlob = (digest: string): Buffer => readFileSync(join(first.layoutDir, 'blobs/sha256', digest.slice(7)));
    const manifest = JSON.parse(manifestBlob(first.record.platforms[0].digest).toString());
    const config = JSON.parse(manifestBlob(manifest.config.digest).toString());
    expect(config.config.User).toBe('65532:65532');
    expect(config.config.Entrypoint).toEqual(['/usr/local/bin/node']);
    // the image's default command is the runtime server, run with the runtime's Node flags (young generation size)
    expect(config.config.Cmd).toEqual([...runtimeNodeFlags(), '/app/lib/runtime/control-plane/main.js']);
    expect(config.config.Volumes).toEqual({ '/tmp': {} });
    expect(Object.keys(config.config.ExposedPorts).sort()).toEqual(['8080/tcp', '8081/tcp', '9090/tcp']);
    expect(config.rootfs.diff_ids).toHaveLength(3);
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(Array(3).fill('application/vnd.oci.image.layer.v1.tar+gzip'));
  });

  test('runtime.json pins the image by digest with its size and commands', () => {
    const record = JSON.parse(readFileSync(join(first.layoutDir, '..', 'runtime.json'), 'utf8'));
    expect(record.image).toBe(`ghcr.io/rspp/rspp-runtime@${first.record.digest}`);
    expect(record.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(record.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(record.platforms).toHaveLength(1); // the small variant: the host platform only
    expect(record.platforms[0].sizeCompressedBytes).toBeGreaterThan(0);
    expect(record.commands.controlPlane).toEqual(['/app/lib/runtime/control-plane/main.js']);
    expect(record.platforms[0].layers.map((l: { name: string }) => l.name)).toEqual(['base', 'deps', 'app']);
  });

  test('skopeo reads the layout: the index digest, the platform, the layers', () => {
    const result = spawnSync('skopeo', ['inspect', `oci:${first.layoutDir}:${first.record.tag}`], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const inspected = JSON.parse(result.stdout);
    expect(inspected.Digest).toBe(first.record.digest);
    expect(inspected.Architecture).toBe(first.record.platforms[0].platform.architecture);
    expect(inspected.Layers).toEqual(first.record.platforms[0].layers.map((l) => l.digest));
  });

  test('runtime/image/Dockerfile declares the same user, entrypoint, default command, env, volume and ports', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'runtime/image/Dockerfile'), 'utf8');
    const blob = (digest: string): Buffer => readFileSync(join(first.layoutDir, 'blobs/sha256', digest.slice(7)));
    const config = JSON.parse(blob(first.record.platforms[0].configDigest).toString()).config;
    const instruction = (name: string): string => (new RegExp(`^${name} (.+)$`, 'm').exec(dockerfile) ?? [])[1] ?? '';
    expect(dockerfile).toMatch(/^FROM scratch$/m);
    expect(instruction('USER')).toBe(config.User);
    expect(JSON.parse(instruction('ENTRYPOINT'))).toEqual(config.Entrypoint);
    expect(JSON.parse(instruction('CMD'))).toEqual(['/app/lib/runtime/server/main.js']); // the default runtime entry
    expect(instruction('WORKDIR')).toBe(config.WorkingDir);
    expect(instruction('ENV').split(' ').sort()).toEqual([...config.Env].sort());
    expect(JSON.parse(instruction('VOLUME'))).toEqual(Object.keys(config.Volumes));
    expect(instruction('EXPOSE').split(' ').sort()).toEqual(Object.keys(config.ExposedPorts).sort());
  });

  test('options are validated', () => {
    expect(() => buildImage({ repoRoot: REPO_ROOT, outDir: '/nonexistent', repository: 'ghcr.io/acme/rspp:latest' })).toThrow(/not a valid image repository/);
    const outDir = mkdtempSync(join(tmpdir(), 'rspp-image-bad-'));
    dirs.push(outDir);
    expect(() => buildImage({ repoRoot: REPO_ROOT, outDir, entryPoints: { runtime: 'runtime/nope/main.ts' }, stageRootfs: false })).toThrow(/entry point runtime\/nope\/main.ts does not exist/);
  });
});

describe('buildImage: two platforms under one index (small variant)', () => {
  // The arm64 "binary" is the sysroot's libstdc++ (an arm64 ELF with NEEDED libm, libc, libgcc_s and
  // the loader): it exercises the cross-architecture library resolution without a 100 MB node.
  const sysroot = join(REPO_ROOT, '.tools/image/sysroot-arm64');
  const arm64Binary = join(sysroot, 'usr/lib/aarch64-linux-gnu/libstdc++.so.6');
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const build = (): BuildImageResult => {
    const outDir = mkdtempSync(join(tmpdir(), 'rspp-image-mp-'));
    dirs.push(outDir);
    return buildImage({
      repoRoot: REPO_ROOT,
      outDir,
      entryPoints: ENTRY,
      stageRootfs: false,
      platforms: [
        { architecture: 'amd64', nodeBinary: SMALL_BINARY },
        { architecture: 'arm64', nodeBinary: arm64Binary, sysroot },
      ],
    });
  };

  test('same index digest twice; the arm64 base holds its libraries at the loader paths, deps and app shared', () => {
    const first = build();
    const second = build();
    expect(second.record.digest).toBe(first.record.digest);
    expect(second.record.platforms.map((p) => p.digest)).toEqual(first.record.platforms.map((p) => p.digest));
    const [amd64, arm64] = first.record.platforms;
    expect(arm64.platform).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(amd64.layers.slice(1)).toEqual(arm64.layers.slice(1));
    const listing = spawnSync('tar', ['-tzf', join(first.layoutDir, 'blobs/sha256', arm64.layers[0].digest.slice(7))], { encoding: 'utf8' }).stdout.split('\n');
    for (const path of ['lib/aarch64-linux-gnu/ld-linux-aarch64.so.1', 'lib/aarch64-linux-gnu/libc.so.6', 'lib/aarch64-linux-gnu/libm.so.6', 'lib/aarch64-linux-gnu/libgcc_s.so.1', 'usr/local/bin/node']) {
      expect(listing).toContain(path);
    }
    expect(listing.some((p) => p.includes('x86_64'))).toBe(false);
    expect(arm64.libraries).toMatch(/libc6/);
  });

  test('a library missing from the sysroot is refused, naming it and the fix', () => {
    expect(() =>
      buildImage({
        repoRoot: REPO_ROOT,
        outDir: join(tmpdir(), 'rspp-never-written'),
        entryPoints: ENTRY,
        stageRootfs: false,
        platforms: [{ architecture: 'arm64', nodeBinary: arm64Binary, sysroot: join(sysroot, 'etc') }],
      }),
    ).toThrow(/libm.so.6 .*not found in .*sysroot-arm64\/etc \(searched .*\); add its Debian arm64 package to install-test-tools.sh/);
  });

  test('a foreign platform without a sysroot, or an architecture twice, is refused', () => {
    expect(() => buildImage({ repoRoot: REPO_ROOT, outDir: '/nonexistent', platforms: [{ architecture: 'arm64', nodeBinary: arm64Binary }] })).toThrow(/platform arm64 needs a sysroot/);
    expect(() =>
      buildImage({ repoRoot: REPO_ROOT, outDir: '/nonexistent', platforms: [{ architecture: 'amd64', nodeBinary: SMALL_BINARY }, { architecture: 'amd64', nodeBinary: SMALL_BINARY }] }),
    ).toThrow(/name each architecture once/);
  });
});
