/**
 * `npm run synth`: every output for every env, from the one construct tree.
 *
 *   1. Kubernetes manifests -> dist/<env>/k8s/ (strict schema validation + manifest policy; atomic)
 *   2. Helm charts          -> dist/<env>/charts/rspp-platform/ (+ rspp-runtime subchart), `helm lint --strict`
 *   3. Terraform (cdktf)    -> cdktf.out/stacks/<env>/cdk.tf.json (same layout as `npx cdktf synth`; atomic)
 *   4. Images               -> dist/<env>/images.json (every image the env pulls; checked FIRST: a
 *                              reference by tag alone fails the synth before anything is written)
 *
 * Prints one summary table per env and the wall time; exits 1 on the first failing stage (nothing of a
 * failing stage is written), 2 on bad arguments. Lives in `stacks/` because it is the only folder allowed
 * to import both the constructs and cdktf (architecture §9).
 *
 *   npx tsx stacks/synth-all.ts [--env dev,stage] [--out dist] [--tf-out cdktf.out] [--built-image <file> | --no-built-image] [--skip-lint]
 */
import * as fs from 'fs';
import * as path from 'path';
import { emitHelmCharts, EmittedHelmCharts } from '../constructs/helm/emit-helm-charts';
import { lintChart } from '../constructs/helm/helm-cli';
import { parseSynthArgs } from '../constructs/synth/cli';
import { runSynth } from '../constructs/synth/synth-run';
import { formatEnvSummary } from '../constructs/synth/synth-summary';
import { loadEnvironment } from '../envs/load-environment';
import { synthTerraform } from './terraform-app';
import { scanStackForSecrets } from './secret-scan';
import { imagesFileOf, ImagesFile, PassedImage, TagOnlyImageError, writeImagesFile } from './release-images';
import { ENV_NAMES } from '../envs/posture';

interface AllOptions {
  readonly rest: string[];
  readonly tfOut: string;
  readonly skipLint: boolean;
}

function splitArgs(argv: readonly string[]): AllOptions {
  const rest: string[] = [];
  let tfOut = 'cdktf.out';
  let skipLint = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--tf-out') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error('--tf-out needs a value');
      tfOut = v;
    } else if (argv[i] === '--skip-lint') skipLint = true;
    else rest.push(argv[i]);
  }
  return { rest, tfOut, skipLint };
}

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** Test seams: extra image references per env (a tag-only value introduced on purpose). */
export interface SynthAllDeps {
  readonly extraImages?: Readonly<Partial<Record<string, readonly PassedImage[]>>>;
}

export function main(argv: readonly string[], deps: SynthAllDeps = {}): number {
  const wall = process.hrtime.bigint();
  let all: AllOptions;
  let options: ReturnType<typeof parseSynthArgs>;
  try {
    all = splitArgs(argv);
    options = parseSynthArgs(all.rest);
  } catch (err) {
    const help = (err as { help?: boolean }).help === true;
    (help ? console.log : console.error)(`${(err as Error).message}${help ? '\n  --tf-out          Terraform output dir (default: cdktf.out)\n  --skip-lint       do not run helm lint' : ''}`);
    return help ? 0 : 2;
  }

  // 0. Images: every reference pinned by digest, or nothing is written at all.
  const imageFiles: ImagesFile[] = [];
  try {
    for (const name of options.envs ?? ENV_NAMES) {
      imageFiles.push(imagesFileOf(loadEnvironment(name, { builtImageFile: options.builtImageFile }), deps.extraImages?.[name] ?? []));
    }
  } catch (err) {
    if (!(err instanceof TagOnlyImageError)) throw err;
    console.error(`synth FAILED: ${err.message}\n  fix: pin each by digest (repo:tag@sha256:<64 hex>) at the source named; nothing was written`);
    return 1;
  }

  // 1. Manifests: synthesized, validated and policy-checked, written atomically.
  const k8s = runSynth(options);
  if (!k8s.ok) {
    console.error(k8s.report);
    return 1;
  }

  // 2. Helm charts from the same construct tree, linted strictly.
  const outRoot = path.resolve(options.outRoot ?? 'dist');
  const charts: Record<string, EmittedHelmCharts> = {};
  const chartLines = new Map<string, string[]>();
  let failed = false;
  for (const r of k8s.envs) {
    const name = r.synth.env;
    const started = process.hrtime.bigint();
    const env = loadEnvironment(name, { builtImageFile: options.builtImageFile });
    const emitted = emitHelmCharts(env, path.join(outRoot, name));
    charts[name] = emitted;
    const emitMs = ms(started);
    const lines = [`  helm: ${path.relative(process.cwd(), emitted.chartDir)} (${emitted.objects.length} objects, ${emitted.written.length} files, values: ${emitted.placed.length}) in ${emitMs.toFixed(0)} ms`];
    if (!all.skipLint) {
      const lint = lintChart(emitted.chartDir);
      if (lint.status === 0) lines.push(`  helm lint --strict: passed in ${lint.millis.toFixed(0)} ms`);
      else {
        failed = true;
        lines.push(`  helm lint --strict: FAILED\n${(lint.stdout + lint.stderr).trim().replace(/^/gm, '    ')}`);
      }
    }
    chartLines.set(name, lines);
  }

  // 3. Terraform, reusing the charts just emitted; scanned for plain-text secrets.
  let tfLine = '';
  if (!failed) {
    const tf = synthTerraform(all.tfOut, { emittedCharts: charts, distDir: outRoot, environments: k8s.envs.map((r) => loadEnvironment(r.synth.env, { builtImageFile: options.builtImageFile })) });
    tfLine = `terraform: ${Object.keys(tf.stackFiles).length} stack(s) in ${tf.elapsedMs.toFixed(0)} ms -> ${path.relative(process.cwd(), path.resolve(all.tfOut))}/stacks/<env>/cdk.tf.json`;
    for (const [stack, file] of Object.entries(tf.stackFiles)) {
      const leaks = scanStackForSecrets(JSON.parse(fs.readFileSync(file, 'utf8')));
      const lines = chartLines.get(stack) ?? [];
      lines.push(`  terraform: ${path.relative(process.cwd(), file)}; secret scan: ${leaks.length === 0 ? 'clean' : `${leaks.length} FINDING(S)`}`);
      for (const leak of leaks) lines.push(`    ${leak.path}: ${leak.reason}`);
      if (leaks.length > 0) failed = true;
    }
  }

  // 4. images.json, once everything else succeeded.
  const imageLines = new Map<string, string>();
  if (!failed) {
    for (const file of imageFiles) {
      const written = writeImagesFile(outRoot, file);
      imageLines.set(file.env, `  images: ${path.relative(process.cwd(), written)}: ${file.images.length} pinned by digest, 0 tag-only; ${file.unpinnedChartDefaults.length} chart default(s) not yet pinned (listed with their values key)`);
    }
  }

  console.log(`runtime image from ${k8s.imageSource}`);
  for (const r of k8s.envs) {
    console.log(formatEnvSummary(r.synth, r.checks, path.relative(process.cwd(), r.outDir)));
    console.log([...(chartLines.get(r.synth.env) ?? []), ...(imageLines.has(r.synth.env) ? [imageLines.get(r.synth.env)!] : [])].join('\n'));
  }
  if (tfLine) console.log(tfLine);
  console.log(failed ? `\nsynth FAILED (${ms(wall).toFixed(0)} ms)` : `\nsynth all ok: manifests, charts and Terraform for ${k8s.envs.map((r) => r.synth.env).join(', ')} in ${ms(wall).toFixed(0)} ms (in-process)`);
  return failed ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
