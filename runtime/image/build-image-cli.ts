/**
 * `npm run image`: builds the runtime image into dist/image (OCI layout, runtime.json, staged
 * rootfs), validates the layout with umoci/skopeo when installed, and with `--measure` times
 * start-to-ready of the control-plane command from the staged rootfs.
 *
 *   npm run image [-- --out-dir DIR] [--repository REPO] [--tag TAG] [--runtime-entry FILE.ts]
 *                    [--no-rootfs] [--measure] [--check-reproducible]
 *
 * `--runtime-entry` overrides the default command's main (default runtime/server/main.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildImage, type BuildImageOptions } from './build-image';
import { controlPlaneLauncher, measureStartToReady, runtimeServerLauncher } from './measure-start';

interface CliArgs {
  outDir: string;
  repository?: string;
  tag?: string;
  stageRootfs: boolean;
  measure: boolean;
  checkReproducible: boolean;
  runtimeEntry?: string;
}

const REPO_ROOT = resolve(__dirname, '..', '..');

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { outDir: join(REPO_ROOT, 'dist', 'image'), stageRootfs: true, measure: false, checkReproducible: false };
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
      case '--help':
      case '-h':
        console.log('usage: image [--out-dir DIR] [--repository REPO] [--tag TAG] [--runtime-entry FILE.ts] [--no-rootfs] [--measure] [--check-reproducible]\n  reproducible runtime OCI image (no Docker); writes DIR/runtime.json (default dist/image)');
        process.exit(0);
      default:
        throw new Error(`unknown argument ${argv[i]}; usage: build-image-cli [--out-dir DIR] [--repository REPO] [--tag TAG] [--runtime-entry FILE.ts] [--no-rootfs] [--measure] [--check-reproducible]`);
    }
  }
  if (args.measure && !args.stageRootfs) throw new Error('--measure needs the staged rootfs; drop --no-rootfs');
  return args;
}

function validateLayout(layoutDir: string, tag: string): void {
  for (const [tool, argv] of [
    ['umoci', ['stat', '--image', `${layoutDir}:${tag}`]],
    ['skopeo', ['inspect', `oci:${layoutDir}:${tag}`]],
  ] as const) {
    const result = spawnSync(tool, [...argv], { encoding: 'utf8' });
    if (result.error) {
      console.log(`image: ${tool} not installed; skipped`);
      continue;
    }
    if (result.status !== 0) throw new Error(`image: ${tool} rejects the layout: ${result.stderr.trim()}`);
    console.log(`image: ${tool} accepts the layout`);
  }
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
  validateLayout(result.layoutDir, record.tag);
  console.log(`image: ${record.image}`);
  console.log(`image: compressed ${(record.sizeCompressedBytes / 1e6).toFixed(1)} MB (${record.layers.map((l) => `${l.name} ${(l.sizeBytes / 1e6).toFixed(1)} MB`).join(', ')})`);
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
