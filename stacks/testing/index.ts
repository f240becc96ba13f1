/**
 * `@rspp/platform/testing` — helpers for a platform team's own tests:
 *
 *   - `synthObjects(chartOrApp)`, `synthHelmChart(env, options)`, `synthStack(stack)`: synthesize a
 *     cdk8s chart/app, the generated Helm chart or a cdktf stack to plain objects, in memory;
 *   - `rsppMatchers` for `expect.extend`: `toPassRsppPolicy({ env })` and `toBeValidKubernetes()`;
 *   - `rsppSnapshotSerializer` for `expect.addSnapshotSerializer`: manifests as YAML, every sha256
 *     digest or checksum replaced by a numbered placeholder, so snapshots survive a re-pin and still
 *     show which fields share a digest.
 *
 * Lives in `stacks/` because `synthStack` touches cdktf (architecture §9).
 */
import { App, Chart } from 'cdk8s';
import { Testing, TerraformStack } from 'cdktf';
import { stringify } from 'yaml';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { EmitHelmChartsOptions } from '../../constructs/helm/emit-helm-charts';
import { generateHelmCharts, GeneratedHelmCharts } from '../../constructs/helm/helm-chart-generator';
import { buildEnvChart } from '../../constructs/env-chart';
import { RsppRuntime } from '../../constructs/rspp-runtime';
import { checkPolicy, CheckPolicyOptions, formatPolicyReport } from '../../constructs/policy/check-policy';
import { validateObjects, ValidateObjectsOptions } from '../../constructs/validation/validate-objects';

/** A synthesized Kubernetes object as plain JSON. */
export type ManifestJson = { readonly apiVersion: string; readonly kind: string; readonly metadata: { readonly name?: string; readonly [field: string]: unknown }; readonly [field: string]: unknown };

/** Every object of a chart, or of every chart of an app (in chart order), as plain JSON. Nothing is written. */
export function synthObjects(scope: Chart | App): ManifestJson[] {
  const charts = scope instanceof Chart ? [scope] : scope.charts;
  return charts.flatMap((chart) => chart.toJson() as ManifestJson[]);
}

export interface SynthHelmChartOptions extends EmitHelmChartsOptions {}

/** The env's `rspp-platform` chart (+ `rspp-runtime` subchart) in memory: files, default values and rendered objects. */
export function synthHelmChart(env: EnvironmentConfig, options: SynthHelmChartOptions = {}): GeneratedHelmCharts {
  return generateHelmCharts(env, options.build ?? buildEnvChart, options.isRuntimeScope ?? ((construct) => construct instanceof RsppRuntime));
}

/** A cdktf stack's Terraform JSON (what `cdk.tf.json` holds), parsed. Nothing is written. */
export function synthStack(stack: TerraformStack): Record<string, unknown> {
  return JSON.parse(Testing.synth(stack)) as Record<string, unknown>;
}

/** Accepts objects, a chart or an app. */
export type ManifestSource = readonly unknown[] | Chart | App;

function objectsOf(received: unknown): readonly unknown[] {
  if (received instanceof Chart || received instanceof App) return synthObjects(received);
  if (Array.isArray(received)) return received;
  throw new TypeError(`expected an array of Kubernetes objects, a cdk8s Chart or App; got ${received === null ? 'null' : typeof received}`);
}

interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

/** Jest matchers: `expect.extend(rsppMatchers)`. */
export const rsppMatchers = {
  /** Every RSPP manifest policy rule passes for `options.env` (exemptions must carry a reason). */
  toPassRsppPolicy(received: ManifestSource, options: CheckPolicyOptions): MatcherResult {
    if (options === undefined || typeof options.env !== 'string') {
      throw new TypeError('toPassRsppPolicy({ env }) needs the env the manifests are for: dev, stage or prod');
    }
    const report = checkPolicy(objectsOf(received), options);
    return {
      pass: report.passed,
      message: () => (report.passed ? `expected an RSPP policy finding, but every rule passed:\n${formatPolicyReport(report)}` : formatPolicyReport(report)),
    };
  },
  /** Strict Kubernetes schema validation (types, required and unknown fields, unknown kinds) finds no error. */
  toBeValidKubernetes(received: ManifestSource, options: ValidateObjectsOptions = {}): MatcherResult {
    const objects = objectsOf(received);
    const errors = validateObjects(objects, options).filter((i) => i.severity === 'error');
    return {
      pass: errors.length === 0,
      message: () =>
        errors.length === 0
          ? `expected a Kubernetes schema error, but all ${objects.length} objects are valid`
          : `${errors.length} Kubernetes schema error(s) in ${objects.length} objects:\n${errors.map((e) => `  ${e.text}`).join('\n')}`,
    };
  },
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** Every RSPP manifest policy rule passes for `options.env`. */
      toPassRsppPolicy(options: CheckPolicyOptions): R;
      /** Strict Kubernetes schema validation finds no error. */
      toBeValidKubernetes(options?: ValidateObjectsOptions): R;
    }
  }
}

const DIGEST = /\b(sha256:)?([0-9a-f]{64})\b/g;

/**
 * Replaces each distinct sha256 digest or checksum (`sha256:<64 hex>` or a bare 64-hex checksum) by
 * `<sha256 #N>`, numbered in order of first appearance: the same digest keeps the same number.
 */
export function maskDigests(text: string): string {
  const seen = new Map<string, number>();
  return text.replace(DIGEST, (_match, _prefix: string | undefined, hex: string) => {
    let n = seen.get(hex);
    if (n === undefined) {
      n = seen.size + 1;
      seen.set(hex, n);
    }
    return `<sha256 #${n}>`;
  });
}

function isManifest(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { apiVersion?: unknown }).apiVersion === 'string' && typeof (value as { kind?: unknown }).kind === 'string';
}

/**
 * Snapshot serializer (`expect.addSnapshotSerializer(rsppSnapshotSerializer)`): a Kubernetes object
 * or an array of them is printed as YAML documents with digests masked (`maskDigests`).
 */
export const rsppSnapshotSerializer = {
  test(value: unknown): boolean {
    return isManifest(value) || (Array.isArray(value) && value.length > 0 && value.every(isManifest));
  },
  serialize(value: unknown): string {
    const docs = Array.isArray(value) ? value : [value];
    return maskDigests(docs.map((doc) => stringify(doc, { sortMapEntries: false, lineWidth: 0 }).trimEnd()).join('\n---\n'));
  },
};
