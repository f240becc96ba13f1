/**
 * Gate effect of replay divergences (`turn-engine.md` §12):
 * - PLAN / OUTCOME: fail unless declared expected (class + scope).
 * - ORDERING: fails unless declared expected and `approved: true`.
 * - TIMING: fails when `diff_ms` is missing or exceeds `timing_tolerance_ms` (a declaration does
 *   not widen the tolerance); scopes `invocation_latency_final:*` / `invocation_latency_total:*`
 *   always fail.
 * - AUTHORITY: always fails, declared or not.
 * A declared expected divergence that is not observed also fails (`missing_expected`).
 * `unexplained` holds the observed divergences no declaration matches.
 */
import type { ExpectedDivergence, ReplayDivergence, ReplayEvaluationResult, ReplayFixtureMetadata } from '../contracts/v1';

const matches = (d: ReplayDivergence, e: ExpectedDivergence) => d.class === e.class && d.scope === e.scope;

export function evaluateReplayDivergences(divergences: readonly ReplayDivergence[], fixture: ReplayFixtureMetadata): ReplayEvaluationResult {
  const expected = fixture.expected_divergences ?? [];
  const failing: ReplayDivergence[] = [];
  const unexplained: ReplayDivergence[] = [];
  for (const d of divergences) {
    const declaration = expected.find((e) => matches(d, e));
    if (!declaration) unexplained.push(d);
    const marked: ReplayDivergence = { ...d, expected: declaration !== undefined };
    let fails: boolean;
    switch (d.class) {
      case 'AUTHORITY_DIVERGENCE':
        fails = true;
        break;
      case 'TIMING_DIVERGENCE':
        fails =
          d.scope.startsWith('invocation_latency_final:') ||
          d.scope.startsWith('invocation_latency_total:') ||
          d.diff_ms === undefined ||
          Math.abs(d.diff_ms) > fixture.timing_tolerance_ms;
        break;
      case 'ORDERING_DIVERGENCE':
        fails = !(declaration && declaration.approved === true);
        break;
      default:
        fails = declaration === undefined;
    }
    if (fails) failing.push(marked);
  }
  const missing_expected = expected.filter((e) => !divergences.some((d) => matches(d, e)));
  return { failing, unexplained, missing_expected };
}
