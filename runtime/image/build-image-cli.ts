/**
 * `npm run image`: builds the runtime image into dist/image (OCI layout, runtime.json, staged
 * rootfs), validates the layout with umoci/skopeo when installed, and with `--measure` times
 * start-to-ready of the control-plane command from the staged rootfs.
 *
 *   npm run image [-- --out-dir DIR] [--repository REPO] [--tag TAG] [--runtime-entry FILE.ts]
 *                    [--no-rootfs] [--measure] [--check-reproducible]
 *                    [--push REGISTRY/REPO [--insecure-registry] [--authfile FILE]]
 *
 * Builds linux/amd64 and linux/arm64 under one image index. `--push` builds with REGISTRY/REPO as
 * the repository, pushes the index with every platform and prints `REGISTRY/REPO@<index digest>`,
 * the reference envs pin (envs/pins.ts, or the env's runtime image repository setting).
 *
 * `--runtime-entry` overrides the default command's main (default runtime/server/main.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildImage, type BuildImageOptions, type RuntimeImageRecord } from './build-image';
import { checkPushRepository, pushImage } from './push-image';
import { controlPlaneLauncher, measureStartToReady, runtimeServerLauncher } from './measure-start';

interface CliArgs {
  outDir: string;
  repository?: string;
  tag?: string;
  stageRootfs: boolean;
  measure: boolean;
  checkReproducible: boolean;
  runtimeEntry?: string;
  push?: string;
  insecureRegistry: boolean;
  authFile?: string;
}

const REPO_ROOT = resolve(__dirname, '..', '..');

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { outDir: join(REPO_ROOT, 'dist', 'image'), stageRootfs: true, measure: false, checkReproducible: false, insecureRegistry: false };
  for (let i = 0; i < argv.length; i++) {
    const value = (): string => {
      const v = argv[++i];
      if (!v) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    switch (argv[i]) {
      case '--out-dir':
        args.outDir = resolve(value());
        break;
      case '--repository':
        args.repository = value();
        break;
      case '--tag':
        args.tag = value();
        break;
      case '--runtime-entry':
        args.runtimeEntry = value();
        break;
      case '--no-rootfs':
        args.stageRootfs = false;
        break;
      case '--measure':
        args.measure = true;
        break;
      case '--check-reproducible':
        args.checkReproducible = true;
        break;
      case '--push':
        args.push = value();
        break;
      case '--insecure-registry':
        args.insecureRegistry = true;
        break;
      case '--authfile':
        args.authFile = value();
        break;
      case '--help':
      case '-h':
        console.log('usage: image [--out-dir DIR] [--repository REPO] [--tag TAG] [--runtime-entry FILE.ts] [--no-rootfs] [--measure] [--check-reproducible] [--push REGISTRY/REPO [--insecure-registry] [--authfile FILE]]\n  reproducible multi-platform runtime OCI image (linux/amd64 + linux/arm64, no Docker); writes DIR/runtime.json (default dist/image); --push copies the index to REGISTRY/REPO and prints the digest to pin');
        process.exit(0);
      default:
        throw new Error(
          `unknown argument ${argv[i]}; usage: build-image-cli [--out-dir DIR] [--repository REPO] [--tag TAG] [--runtime-entry FILE.ts] [--no-rootfs] [--measure] [--check-reproducible] [--push REGISTRY/REPO [--insecure-registry] [--authfile FILE]]`,
        );
    }
  }
  if (args.push !== undefined) {
    checkPushRepository(args.push);
    if (args.repository !== undefined && args.repository !== args.push) throw new Error(`--repository ${args.repository} and --push ${args.push} differ; --push sets the repository, drop --repository`);
    args.repository = args.push;
  }
  if ((args.insecureRegistry || args.authFile !== undefined) && args.push === undefined) throw new Error('--insecure-registry and --authfile only apply with --push');
  if (args.measure && !args.stageRootfs) throw new Error('--measure needs the staged rootfs; drop --no-rootfs');
  return args;
}

/**
 * skopeo reads the layout back per platform (umoci cannot: it refuses a tag naming an index of
 * several manifests as ambiguous). Skipped when skopeo is not installed.
 */
function validateLayout(layoutDir: string, record: RuntimeImageRecord): void {
  for (const p of record.platforms) {
    const result = spawnSync('skopeo', ['inspect', '--override-os', p.platform.os, '--override-arch', p.platform.architecture, `oci:${layoutDir}:${record.tag}`], { encoding: 'utf8' });
    if (result.error) {
      console.log('image: skopeo not installed; layout not validated');
      return;
    }
    if (result.status !== 0) throw new Error(`image: skopeo rejects the layout (${p.platform.architecture}): ${result.stderr.trim()}`);
    const inspected = JSON.parse(result.stdout) as { Digest: string; Architecture: string; Layers: string[] };
    if (inspected.Digest !== record.digest || inspected.Architecture !== p.platform.architecture || inspected.Layers.join() !== p.layers.map((l) => l.digest).join()) {
      throw new Error(`image: skopeo reads ${inspected.Architecture} ${inspected.Digest} with layers ${inspected.Layers.join(', ')}, not what the build recorded for ${p.platform.architecture}`);
    }
  }
  console.log(`image: skopeo reads the index and its ${record.platforms.length} platform images as recorded`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const options: BuildImageOptions = {
    repoRoot: REPO_ROOT,
    outDir: args.outDir,
    stageRootfs: args.stageRootfs,
    ...(args.repository ? { repository: args.repository } : {}),
    ...(args.tag ? { tag: args.tag } : {}),
    ...(args.runtimeEntry ? { entryPoints: { runtime: args.runtimeEntry } } : {}),
    log: (line) => console.log(line),
  };
  const result = buildImage(options);
  const { record } = result;
  validateLayout(result.layoutDir, record);
  console.log(`image: ${record.image}`);
  for (const p of record.platforms) {
    console.log(
      `image: ${p.platform.os}/${p.platform.architecture} ${p.digest} compressed ${(p.sizeCompressedBytes / 1e6).toFixed(1)} MB (${p.layers.map((l) => `${l.name} ${(l.sizeBytes / 1e6).toFixed(1)} MB`).join(', ')})`,
    );
  }
  if (record.undeclaredRuntimeDependencies.length > 0) {
    console.log(`image: WARNING undeclared runtime dependencies: ${record.undeclaredRuntimeDependencies.join(', ')}`);
  }
  if (args.checkReproducible) {
    const again = mkdtempSync(join(tmpdir(), 'rspp-image-'));
    try {
      const second = buildImage({ ...options, outDir: again, stageRootfs: false, log: () => undefined });
      if (second.record.digest !== record.digest) throw new Error(`image: NOT reproducible: ${record.digest} then ${second.record.digest}`);
      console.log(`image: reproducible: second build gives ${second.record.digest}`);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  }
  if (args.push !== undefined) {
    const pushed = pushImage({
      layoutDir: result.layoutDir,
      tag: record.tag,
      digest: record.digest,
      repository: args.push,
      insecure: args.insecureRegistry,
      ...(args.authFile ? { authFile: args.authFile } : {}),
    });
    console.log(`image: pushed ${record.platforms.map((p) => `${p.platform.os}/${p.platform.architecture}`).join(' + ')} in ${pushed.durationMs} ms; pin:`);
    console.log(pushed.image);
  }
  if (args.measure && result.rootfsDir) {
    const targets = [
      { name: 'runtime server', command: record.commands.runtime, launcher: args.runtimeEntry ? controlPlaneLauncher : runtimeServerLauncher },
      { name: 'control plane', command: record.commands.controlPlane, launcher: controlPlaneLauncher },
    ];
    for (const target of targets) {
      const measurement = await measureStartToReady(result.rootfsDir, target.command, target.launcher);
      console.log(`image: start-to-ready (${target.name}, ${measurement.mode}): median ${measurement.medianMs} ms over ${measurement.readyMs.join(', ')} ms`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
