/**
 * In-process synthesis of one environment: its chart(s) written as one YAML file per chart into a
 * directory, and the written files read back, so the checks run on exactly what was written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, YamlOutputType } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import type { EnvironmentConfig, EnvName } from '../../envs/environment-config';
import { assertNoDuplicateObjects } from '../common/duplicate-objects';
import { buildEnvChart } from '../env-chart';

export interface SynthesizedFile {
  /** File name inside the env's `k8s/` directory, e.g. `rspp-prod.k8s.yaml`. */
  readonly file: string;
  readonly objects: readonly Record<string, unknown>[];
}

export interface SynthesizedEnv {
  readonly env: EnvName;
  /** Directory the YAML files were written to. */
  readonly dir: string;
  readonly files: readonly SynthesizedFile[];
  /** Every object of every file, in file order. */
  readonly objects: readonly Record<string, unknown>[];
  /** Wall time of construct + synth + read-back, milliseconds. */
  readonly millis: number;
}

/** Builds the env's app into `dir` (created; must not exist yet) and reads the output back. */
export function synthesizeEnv(env: EnvironmentConfig, dir: string): SynthesizedEnv {
  const started = process.hrtime.bigint();
  fs.mkdirSync(dir, { recursive: true });
  const app = new App({ outdir: dir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
  buildEnvChart(app, env);
  assertNoDuplicateObjects(app);
  app.synth();
  const files: SynthesizedFile[] = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const docs = parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'));
      const objects = docs.map((d, i) => {
        if (d.errors.length > 0) throw new Error(`${path.join(dir, file)}: document ${i}: ${d.errors[0].message}`);
        return d.toJS() as Record<string, unknown>;
      });
      return { file, objects: objects.filter((o) => o !== null) };
    });
  return {
    env: env.name,
    dir,
    files,
    objects: files.flatMap((f) => f.objects),
    millis: Number(process.hrtime.bigint() - started) / 1e6,
  };
}

/** `{ Deployment: 1, Service: 1, ... }`, kinds sorted. */
export function countByKind(objects: readonly Record<string, unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of objects) {
    const kind = typeof o.kind === 'string' ? o.kind : '<no kind>';
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
