/**
 * `npm run synth`: every output for every env, from the one construct tree.
 *
 *   1. Kubernetes manifests -> dist/<env>/k8s/ (strict schema validation + manifest policy; atomic)
 *   2. Helm charts          -> dist/<env>/charts/rspp-platform/ (+ rspp-runtime subchart), `helm lint --strict`
 *   3. Terraform (cdktf)    -> cdktf.out/stacks/<env>/cdk.tf.json (same layout as `npx cdktf synth`; atomic)
 *   4. Images               -> dist/<env>/images.json (every image the env pulls; checked FIRST: a
 *                              reference by tag alone fails the synth before anything is written)
 *
 * Every output is staged and moved into place only when all stages pass; prints one summary table per
 * env and the wall time; exits 1 when any stage fails (nothing is written), 2 on bad arguments. Lives in `stacks/` because it is the only folder allowed
 * to import both the constructs and cdktf (architecture §9).
 *
 *   npx tsx stacks/synth-all.ts [--env dev,stage] [--out dist] [--tf-out cdktf.out] [--built-image <file> | --no-built-image] [--skip-lint]
 */
import * as fs from 'fs';
import * as path from 'path';
import { emitHelmCharts, EmittedHelmCharts } from '../constructs/helm/emit-helm-charts';
import { HelmRun, lintChart } from '../constructs/helm/helm-cli';
import { StagingArea } from '../constructs/synth/atomic-output';
import { parseSynthArgs } from '../constructs/synth/cli';
import { runSynth, SynthOptions } from '../constructs/synth/synth-run';
import { formatEnvSummary } from '../constructs/synth/synth-summary';
import { loadEnvironment } from '../envs/load-environment';
import { StagedTerraform, stageTerraform } from './terraform-app';
import { scanStackForSecrets } from './secret-scan';
import { imagesFileOf, ImagesFile, PassedImage, TagOnlyImageError, writeImagesFile } from './release-images';

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

export interface SynthAllOptions extends SynthOptions {
  /** Terraform output dir. @default 'cdktf.out' */
  readonly tfOut?: string;
  /** Skip `helm lint --strict`. @default false */
  readonly skipLint?: boolean;
  /** Lints one chart dir. @default `helm lint --strict` (`lintChart`) */
  readonly lint?: (chartDir: string) => HelmRun;
  /** Test seam: extra image references per env (e.g. a tag-only value introduced on purpose). */
  readonly extraImages?: Readonly<Partial<Record<string, readonly PassedImage[]>>>;
}

export interface SynthAllResult {
  readonly ok: boolean;
  /** Everything printed on success, or the failure report (what failed and that nothing was written). */
  readonly report: string;
}

/**
 * Every output of every chosen env, staged: images.json, manifests, charts and Terraform are written
 * into staging folders and moved into place only when every stage passed (image pins, validation,
 * policy, `helm lint`, the Terraform secret scan). A failure writes nothing; only files synth writes
 * are ever replaced.
 */
export function synthAll(options: SynthAllOptions = {}): SynthAllResult {
  const wall = process.hrtime.bigint();
  const outRoot = path.resolve(options.outRoot ?? 'dist');
  const tfOut = options.tfOut ?? 'cdktf.out';
  const staging = new StagingArea(outRoot);
  let terraform: StagedTerraform | undefined;
  const failedReport = (lines: readonly string[]): SynthAllResult => ({
    ok: false,
    report: [...lines, `\nsynth FAILED (${ms(wall).toFixed(0)} ms): nothing written to ${path.relative(process.cwd(), outRoot) || outRoot} or ${tfOut}`].join('\n'),
  });
  try {
    // 1. Manifests: synthesized, validated and policy-checked into the staging area.
    const k8s = runSynth({ ...options, staging });
    if (!k8s.ok) return failedReport([k8s.report]);

    // The envs just synthesized, loaded once for the stages below.
    const envs = k8s.envs.map((r) => {
      const loaded = loadEnvironment(r.synth.env, { builtImageFile: options.builtImageFile });
      return options.transformEnvironment ? options.transformEnvironment(loaded) : loaded;
    });

    // 2. Images: every reference pinned by digest, or nothing is written at all (after the manifests,
    //    so a bad env config is reported by their synth, naming the field).
    const imageFiles: ImagesFile[] = [];
    try {
      for (const env of envs) imageFiles.push(imagesFileOf(env, options.extraImages?.[env.name] ?? []));
    } catch (err) {
      if (!(err instanceof TagOnlyImageError)) throw err;
      return failedReport([`${err.message}\n  fix: pin each by digest (repo:tag@sha256:<64 hex>) at the source named`]);
    }

    // 3. Helm charts from the same construct tree, staged beside the manifests, linted strictly.
    const charts: Record<string, EmittedHelmCharts> = {};
    const chartLines = new Map<string, string[]>();
    let failed = false;
    for (const env of envs) {
      const started = process.hrtime.bigint();
      const staged = emitHelmCharts(env, path.dirname(staging.stage(path.join(env.name, 'charts'))));
      // Terraform refers to the chart where it will be after the commit.
      charts[env.name] = { ...staged, chartDir: path.join(outRoot, path.relative(staging.dir, staged.chartDir)) };
      const lines = [`  helm: ${path.relative(process.cwd(), charts[env.name].chartDir)} (${staged.objects.length} objects, ${staged.written.length} files, values: ${staged.placed.length}) in ${ms(started).toFixed(0)} ms`];
      if (!options.skipLint) {
        const lint = (options.lint ?? lintChart)(staged.chartDir);
        if (lint.status === 0) lines.push(`  helm lint --strict: passed in ${lint.millis.toFixed(0)} ms`);
        else {
          failed = true;
          lines.push(`  helm lint --strict: FAILED\n${(lint.stdout + lint.stderr).trim().replace(/^/gm, '    ')}`);
        }
      }
      chartLines.set(env.name, lines);
    }

    // 4. Terraform, reusing the charts just emitted, staged; scanned for plain-text secrets.
    let tfLine = '';
    if (!failed) {
      const started = process.hrtime.bigint();
      terraform = stageTerraform(tfOut, { emittedCharts: charts, distDir: outRoot, environments: envs });
      tfLine = `terraform: ${Object.keys(terraform.stackFiles).length} stack(s) in ${ms(started).toFixed(0)} ms -> ${path.relative(process.cwd(), path.resolve(tfOut))}/stacks/<env>/cdk.tf.json`;
      for (const [stack, file] of Object.entries(terraform.stagedStackFiles)) {
        const leaks = scanStackForSecrets(JSON.parse(fs.readFileSync(file, 'utf8')));
        const lines = chartLines.get(stack) ?? [];
        lines.push(`  terraform: ${path.relative(process.cwd(), terraform.stackFiles[stack])}; secret scan: ${leaks.length === 0 ? 'clean' : `${leaks.length} FINDING(S)`}`);
        for (const leak of leaks) lines.push(`    ${leak.path}: ${leak.reason}`);
        if (leaks.length > 0) failed = true;
      }
    }

    const lines = [`runtime image from ${k8s.imageSource}`];
    for (const r of k8s.envs) {
      lines.push(formatEnvSummary(r.synth, r.checks, path.relative(process.cwd(), r.outDir)));
      lines.push((chartLines.get(r.synth.env) ?? []).join('\n'));
    }
    if (tfLine) lines.push(tfLine);
    if (failed) return failedReport(lines);

    // images.json per env, staged like everything else.
    for (const file of imageFiles) {
      staging.stage(path.join(file.env, 'images.json'));
      writeImagesFile(staging.dir, file);
      lines.push(`  images: ${path.relative(process.cwd(), path.join(outRoot, file.env, 'images.json'))}: ${file.images.length} pinned by digest, 0 tag-only; ${file.unpinnedChartDefaults.length} chart default(s) not yet pinned (listed with their values key)`);
    }

    // 5. Every stage passed: move everything into place.
    staging.commit();
    terraform?.commit();
    lines.push(`\nsynth all ok: manifests, charts and Terraform for ${k8s.envs.map((r) => r.synth.env).join(', ')} in ${ms(wall).toFixed(0)} ms (in-process)`);
    return { ok: true, report: lines.join('\n') };
  } finally {
    staging.discard();
    terraform?.discard();
  }
}

/** Test seams of `main`. */
export interface SynthAllDeps {
  readonly extraImages?: SynthAllOptions['extraImages'];
}

export function main(argv: readonly string[], deps: SynthAllDeps = {}): number {
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
  try {
    const result = synthAll({ ...options, tfOut: all.tfOut, skipLint: all.skipLint, extraImages: deps.extraImages });
    (result.ok ? console.log : console.error)(result.report);
    return result.ok ? 0 : 1;
  } catch (err) {
    console.error(`synth failed: ${(err as Error).stack ?? String(err)}\nnothing was written`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
