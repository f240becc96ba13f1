/**
 * Cross-field rules of the chart values, as data (issue #13): what a JSON Schema of one field cannot
 * say. Each rule names two value keys, how they must compare and the fix; the emitter renders the
 * rules a chart can see into `templates/validate-values.yaml`, which renders no object and makes
 * `helm template`/`install`/`upgrade` fail with the message when a rule is broken.
 * (A schema library can take the same table over: keys, relation, message.)
 */
import type { HelmTunable } from './helm-tunables';

export interface ValueRule {
  /** Value that must be smaller (or not larger). */
  readonly lower: string;
  readonly upper: string;
  /** `le`: lower <= upper; `lt`: lower < upper. */
  readonly relation: 'le' | 'lt';
  /** How the values compare: integers, or Go durations (`2160h`, `1h30m`). */
  readonly as: 'integer' | 'duration';
  /** Why and the fix, shown by `helm template`. */
  readonly message: string;
}

export const VALUE_RULES: readonly ValueRule[] = [
  { lower: 'replicas.min', upper: 'replicas.max', relation: 'le', as: 'integer',
    message: 'the API server refuses an HPA whose minReplicas is above maxReplicas: lower replicas.min or raise replicas.max' },
  { lower: 'issuer.renewBefore', upper: 'issuer.certificateDuration', relation: 'lt', as: 'duration',
    message: 'cert-manager refuses a certificate renewed before it is issued: make issuer.renewBefore shorter than issuer.certificateDuration (e.g. 360h for 2160h)' },
];

/** Seconds of a Go duration made of h, m and s parts (the values schema allows nothing else). */
const SECONDS_HELPER = [
  '{{- define "rspp.durationSeconds" -}}',
  '{{- $h := regexFind "[0-9]+h" . | trimSuffix "h" | default "0" | atoi -}}',
  '{{- $m := regexFind "[0-9]+m" . | trimSuffix "m" | default "0" | atoi -}}',
  '{{- $s := regexFind "[0-9]+s" . | trimSuffix "s" | default "0" | atoi -}}',
  '{{- add (mul $h 3600) (mul $m 60) $s -}}',
  '{{- end -}}',
];

/**
 * `templates/validate-values.yaml` for the rules whose keys are both visible to the chart (`reference`
 * returns undefined for a key the chart cannot read); undefined when no rule applies.
 */
export function valueRulesTemplate(tunables: readonly HelmTunable[], reference: (tunable: HelmTunable) => string | undefined): string | undefined {
  const lines: string[] = [];
  for (const rule of VALUE_RULES) {
    const lower = tunables.find((t) => t.key === rule.lower);
    const upper = tunables.find((t) => t.key === rule.upper);
    const a = lower && reference(lower);
    const b = upper && reference(upper);
    if (!a || !b) continue;
    const [x, y] = rule.as === 'integer' ? [`(int ${a})`, `(int ${b})`] : [`(include "rspp.durationSeconds" ${a} | int)`, `(include "rspp.durationSeconds" ${b} | int)`];
    const broken = rule.relation === 'le' ? `gt ${x} ${y}` : `ge ${x} ${y}`;
    const relation = rule.relation === 'le' ? '<=' : '<';
    lines.push(`{{- if ${broken} }}`, `{{- fail (printf "values: ${rule.lower} (%v) must be ${relation} ${rule.upper} (%v): %s" ${a} ${b} ${JSON.stringify(rule.message)}) }}`, '{{- end }}');
  }
  if (lines.length === 0) return undefined;
  return ['{{- /* Cross-field value rules (constructs/helm/value-rules.ts); renders no object. */ -}}', ...(VALUE_RULES.some((r) => r.as === 'duration') ? SECONDS_HELPER : []), ...lines, ''].join('\n');
}

