/**
 * Writes one synthesized object as a Helm template: YAML whose tunable leaves are Go template
 * expressions and whose other content renders back to itself byte-for-byte after YAML parsing.
 *
 * Every expression ends in `toJson`: a JSON scalar is a valid YAML flow scalar, so strings stay
 * strings (quoted, escaped), numbers stay numbers, and a value can never break the YAML around it.
 * Literal strings that contain `{{` (PrometheusRule annotations, Grafana legends) are emitted as
 * Go string literals through the same `toJson`, so Helm prints them instead of evaluating them.
 */
import { stringify } from 'yaml';
import type { HelmTunable } from './helm-tunables';
import { formatJsonPath, JsonPath, TemplateSegment } from './tunable-locator';

/** Renders the Go template reference of a tunable's value (e.g. `.Values.replicas.min`). */
export type ValueReference = (tunable: HelmTunable) => string;

/** A leaf that is (or embeds) values. */
export interface ValueLeaf {
  readonly path: JsonPath;
  readonly segments: readonly TemplateSegment[];
}

/**
 * A leaf computed from values by the constructs (a config checksum) that the chart cannot recompute.
 * It renders as generated while the chart's values are the defaults. With other values, an annotation
 * (a rollout trigger) gets a hash of the values appended, so pods still roll; any other field fails
 * the render with a message naming it, instead of silently going stale.
 */
export interface DerivedValueLeaf {
  readonly path: JsonPath;
  readonly derived: {
    readonly baseline: string | number | boolean;
    /** The chart's value tunables, with their defaults, that guard the generated result. */
    readonly guard: readonly { readonly tunable: HelmTunable; readonly envValue: string | number }[];
  };
}

export type LeafTemplate = ValueLeaf | DerivedValueLeaf;

const TOKEN = (n: number): string => `RSPPHELMTEMPLATETOKEN${String(n).padStart(6, '0')}X`;
const TOKEN_PATTERN = /(["']?)RSPPHELMTEMPLATETOKEN(\d{6})X\1/g;

/** A Go template string literal (JSON escapes are a subset of Go's). */
function goStringLiteral(text: string): string {
  return JSON.stringify(text);
}

/** `.Values.a.b` as Go template syntax; `index` for keys that are not identifiers. */
export function valuesReference(root: string, dottedKey: string): string {
  const segments = dottedKey.split('.');
  if (segments.every((s) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s))) return `${root}.${dottedKey}`;
  return `(index ${root} ${segments.map(goStringLiteral).join(' ')})`;
}

export function expressionFor(segments: readonly TemplateSegment[], reference: ValueReference): string {
  if (segments.length === 1 && 'tunable' in segments[0]) {
    const { tunable, offset } = segments[0];
    // `add` yields an int64; a numeric value is declared `integer` in the schema.
    return offset ? `{{ add ${reference(tunable)} ${offset} | toJson }}` : `{{ ${reference(tunable)} | toJson }}`;
  }
  const operands = segments.map((s) => ('literal' in s ? goStringLiteral(s.literal) : reference(s.tunable)));
  // `print` inserts no separator between string operands; every operand here is a string.
  return `{{ print ${operands.join(' ')} | toJson }}`;
}

function derivedExpression(leaf: DerivedValueLeaf, reference: ValueReference, where: string): string {
  const { baseline, guard } = leaf.derived;
  const refs = guard.map((g) => reference(g.tunable)).join(' ');
  const valuesJson = `(toJson (list ${refs}))`;
  const defaults = goStringLiteral(JSON.stringify(guard.map((g) => g.envValue)));
  const generated = typeof baseline === 'string' ? `{{ ${goStringLiteral(baseline)} | toJson }}` : JSON.stringify(baseline);
  const isAnnotation = leaf.path.includes('annotations') && typeof baseline === 'string';
  const otherwise = isAnnotation
    ? `{{ print ${goStringLiteral(baseline)} "-values-" (${valuesJson} | sha256sum | trunc 16) | toJson }}`
    : `{{ fail ${goStringLiteral(
        `${where} ${formatJsonPath(leaf.path)} is computed from this chart's values at generation time and cannot follow an override; ` +
          'change envs/ and regenerate the chart (npm run synth:charts) instead',
      )} }}`;
  return `{{ if eq ${valuesJson} ${defaults} }}${generated}{{ else }}${otherwise}{{ end }}`;
}

function setAt(target: unknown, path: JsonPath, value: unknown): void {
  let cursor = target as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) cursor = cursor[segment] as Record<string | number, unknown>;
  cursor[path[path.length - 1]] = value;
}

/** Replaces every string containing a template delimiter with a token that prints it literally. */
function escapeDelimiters(value: unknown, path: JsonPath, out: ValueLeaf[], where: string): void {
  if (typeof value === 'string') {
    if (value.includes('{{') || value.includes('}}')) out.push({ path, segments: [{ literal: value }] });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => escapeDelimiters(item, [...path, i], out, where));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('{{') || key.includes('}}')) {
        throw new Error(`helm emitter: ${where} has a map key containing a Go template delimiter at ${formatJsonPath([...path, key])}; keys cannot be escaped, rename it`);
      }
      escapeDelimiters(item, [...path, key], out, where);
    }
  }
}

/**
 * YAML for `manifest` with `leaves` replaced by expressions. `where` names the object in errors.
 */
export function renderHelmTemplate(manifest: unknown, leaves: readonly LeafTemplate[], reference: ValueReference, where: string): string {
  const copy = structuredClone(manifest);
  const templatedPaths = new Set(leaves.map((l) => formatJsonPath(l.path)));
  const literalLeaves: ValueLeaf[] = [];
  escapeDelimiters(copy, [], literalLeaves, where);
  const all: LeafTemplate[] = [...leaves, ...literalLeaves.filter((l) => !templatedPaths.has(formatJsonPath(l.path)))];

  const expressions: string[] = [];
  for (const leaf of all) {
    const expression = 'derived' in leaf
      ? derivedExpression(leaf, reference, where)
      : leaf.segments.length === 1 && 'literal' in leaf.segments[0]
        ? `{{ ${goStringLiteral(leaf.segments[0].literal)} | toJson }}`
        : expressionFor(leaf.segments, reference);
    setAt(copy, leaf.path, TOKEN(expressions.length));
    expressions.push(expression);
  }
  // YAML 1.1 like cdk8s: Helm parses manifests as YAML 1.1, where a bare `yes` or `on` is a boolean.
  const yaml = stringify(copy, { version: '1.1', lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
  return yaml.replace(TOKEN_PATTERN, (_match, _quote, n: string) => expressions[Number(n)]);
}
