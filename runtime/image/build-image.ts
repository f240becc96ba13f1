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
import { IMAGE_USER_ID, NODE_PATH_IN_IMAGE, baseLayerEntries, sharedLibrariesOf } from './base-layer';
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
  /** @default process.execPath */
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

export interface ImageLayerSummary {
  readonly name: 'base' | 'deps' | 'app';
  readonly digest: string;
  readonly diffId: string;
  readonly sizeBytes: number;
  readonly uncompressedBytes: number;
  readonly entries: number;
}

/** The contents of `runtime.json` (what the synth pins). */
export interface RuntimeImageRecord {
  readonly image: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly configDigest: string;
  readonly mediaType: string;
  readonly platform: { readonly os: 'linux'; readonly architecture: string };
  readonly sizeCompressedBytes: number;
  readonly sizeUncompressedBytes: number;
  readonly layers: readonly ImageLayerSummary[];
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

const ARCHITECTURES: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

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
  const nodeBinary = options.nodeBinary ?? process.execPath;
  const architecture = ARCHITECTURES[process.arch];
  if (!architecture) throw new Error(`buildImage: unsupported architecture ${process.arch}`);
  const entryPoints = resolveEntryPoints(options.entryPoints);
  const timings: Record<string, number> = {};
  const timed = <T>(name: string, work: () => T): T => {
    const start = performance.now();
    const result = work();
    timings[name] = Math.round(performance.now() - start);
    log(`image: ${name} ${timings[name]} ms`);
    return result;
  };

  const { layerEntries, packages } = planImageLayers(repoRoot, nodeBinary, entryPoints, manifest, timed, log);

  const built = layerEntries.map(({ name, entries }) =>
    timed(`layer ${name}`, () => {
      const tar = writeTar(entries, { mtimeSeconds: epoch });
      const blob = deterministicGzip(tar);
      return { name, entries, tar, blob, diffId: sha256Digest(tar) };
    }),
  );

  const runtimeCommand = [...runtimeNodeFlags(), `${APP_DIR}/${jsPathOf(entryPoints.runtime)}`];
  const controlPlaneCommand = [`${APP_DIR}/${jsPathOf(entryPoints.controlPlane)}`];
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
  const config = {
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
  };

  const layoutDir = join(outDir, 'oci');
  const staging = join(outDir, `.oci-staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const written = timed('write layout', () =>
    writeOciLayout(staging, built.map((l) => ({ blob: l.blob })), config, tag, {
      'org.opencontainers.image.title': 'rspp-runtime',
      'org.opencontainers.image.version': manifest.version,
    }),
  );
  rmSync(layoutDir, { recursive: true, force: true });
  renameSync(staging, layoutDir);

  const layers: ImageLayerSummary[] = built.map((l, i) => ({
    name: l.name,
    digest: written.layers[i].digest,
    diffId: l.diffId,
    sizeBytes: l.blob.length,
    uncompressedBytes: l.tar.length,
    entries: l.entries.length,
  }));
  const record: RuntimeImageRecord = {
    image: `${repository}@${written.manifest.digest}`,
    repository,
    tag,
    digest: written.manifest.digest,
    configDigest: written.config.digest,
    mediaType: MEDIA_TYPES.manifest,
    platform: { os: 'linux', architecture },
    sizeCompressedBytes: layers.reduce((sum, l) => sum + l.sizeBytes, 0) + written.config.size + written.manifest.size,
    sizeUncompressedBytes: layers.reduce((sum, l) => sum + l.uncompressedBytes, 0),
    layers,
    user: `${IMAGE_USER_ID}:${IMAGE_USER_ID}`,
    readOnlyRootFilesystem: true,
    writablePaths: ['/tmp'],
    entrypoint: [NODE_PATH_IN_IMAGE],
    commands: { runtime: runtimeCommand, controlPlane: controlPlaneCommand },
    nodeVersion: process.version,
    packages: packages.packages.map((p) => `${p.name}@${p.version}`),
    undeclaredRuntimeDependencies: packages.undeclared,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'runtime.json'), `${JSON.stringify(record, null, 2)}\n`);

  let rootfsDir: string | undefined;
  if (options.stageRootfs ?? true) {
    rootfsDir = join(outDir, 'rootfs');
    timed('stage rootfs', () => stageRootfs(rootfsDir!, built.flatMap((l) => l.entries)));
  }
  return { record, layoutDir, ...(rootfsDir ? { rootfsDir } : {}), timingsMs: timings };
}

/** The three layers' entries (what goes where), before any tar or gzip. */
function planImageLayers(
  repoRoot: string,
  nodeBinary: string,
  entryPoints: ImageEntryPoints,
  manifest: { name: string; version: string; license?: string },
  timed: <T>(name: string, work: () => T) => T,
  log: (line: string) => void,
): { layerEntries: Array<{ name: ImageLayerSummary['name']; entries: TarEntry[] }>; packages: PackageClosure } {
  const modules = timed('compile closure', () => collectModuleClosure(repoRoot, [entryPoints.runtime, entryPoints.controlPlane]));
  const packages = timed('package closure', () => collectPackageClosure(repoRoot, modules.packages));
  if (packages.undeclared.length > 0) {
    log(`image: WARNING runtime requires packages missing from package.json "dependencies": ${packages.undeclared.join(', ')}`);
  }
  const libraries = sharedLibrariesOf(nodeBinary);

  const layerEntries: Array<{ name: ImageLayerSummary['name']; entries: TarEntry[] }> = [
    { name: 'base', entries: withParentDirectories(baseLayerEntries(nodeBinary, libraries)) },
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

/**
 * Stages only the merged root filesystem (no layers, no layout): what a container of the image
 * would see. Used to smoke-test the image quickly; `buildImage` stages the same thing.
 */
export function stageImageRootfs(options: {
  readonly repoRoot: string;
  readonly rootfsDir: string;
  /** @default process.execPath */
  readonly nodeBinary?: string;
  readonly entryPoints?: Partial<ImageEntryPoints>;
}): ImageEntryPoints {
  const repoRoot = resolve(options.repoRoot);
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
  const entryPoints = resolveEntryPoints(options.entryPoints);
  const { layerEntries } = planImageLayers(repoRoot, options.nodeBinary ?? process.execPath, entryPoints, manifest, (_name, work) => work(), () => undefined);
  stageRootfs(resolve(options.rootfsDir), layerEntries.flatMap((l) => l.entries));
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
