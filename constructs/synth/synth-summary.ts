/** The per-env summary `npm run synth` prints: objects by kind, rules passed, exemptions, time. */
import type { OfflineCheckResult } from './offline-checks';
import { countByKind, SynthesizedEnv } from './synthesize-env';

export function formatEnvSummary(synth: SynthesizedEnv, checks: OfflineCheckResult, outDir: string): string {
  const kinds = Object.entries(countByKind(synth.objects)).map(([k, n]) => `${k} ${n}`).join(', ');
  const rules = checks.policy.rules;
  const applicable = rules.filter((r) => r.status !== 'not-applicable');
  const passed = applicable.filter((r) => r.status === 'passed').length;
  const exemptions = checks.policy.exemptions;
  const validation = checks.validation.errors.length === 0 ? 'passed' : `${checks.validation.errors.length} error(s)`;
  const lines = [
    `${synth.env}: ${checks.passed ? 'ok' : 'FAILED'} — ${synth.objects.length} objects in ${synth.files.length} file(s) -> ${outDir}`,
    `  kinds: ${kinds}`,
    `  policy: ${passed}/${applicable.length} applicable rules passed (${rules.length - applicable.length} not applicable in ${synth.env}); schema validation: ${validation}`,
    ...checks.validation.notes.map((n) => `  note: ${n}`),
    `  exemptions: ${exemptions.length === 0 ? 'none' : exemptions.length}`,
    ...exemptions.map((e) => `    ${e.ruleId} ${e.object.kind}/${e.object.namespace ?? '-'}/${e.object.name}: "${e.reason}"`),
    `  time: synth ${synth.millis.toFixed(0)} ms, checks ${checks.millis.toFixed(0)} ms`,
  ];
  return lines.join('\n');
}
