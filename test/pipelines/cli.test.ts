/**
 * The npm scripts: `pipelines:validate` exits non-zero and prints file:line path + fix for each
 * problem; `gates` prints each verdict and exits non-zero at the first failing gate.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { pipelinesCopy, removeDir, replaceOnce } from './pipelines-fixture';
import { gateRoot, loadResults } from './gates/gate-fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function tsx(script: string, args: string[], cwd = ROOT) {
  return spawnSync(TSX, [path.join(ROOT, script), ...args], { cwd, encoding: 'utf8', timeout: 30000 });
}

describe('CLIs', () => {
  test('pipelines:validate: exit 0 on the shipped artifacts, 1 with every problem on broken ones', () => {
    expect(tsx('pipelines/validator/validate-cli.ts', []).status).toBe(0);
    const dir = pipelinesCopy({
      'rollouts/canary_10pct_v1.yaml': replaceOnce(/^rollback_bundle: .*$/m, 'rollback_bundle: main'),
      'extensions/sentiment_scorer_v1.yaml': replaceOnce(/^image: .*$/m, 'image: scorer:latest'),
    });
    try {
      const result = tsx('pipelines/validator/validate-cli.ts', [dir]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/rollouts\/canary_10pct_v1\.yaml:\d+ rollback_bundle: 'main' is not a content digest.*\[ref\.mutable\]\n\s+fix: /);
      expect(result.stderr).toMatch(/extensions\/sentiment_scorer_v1\.yaml:\d+ image: .*\[ref\.mutable_image\]/);
      // rollback ref, image ref, and the external node digest that no longer matches its content
      expect(result.stderr).toMatch(/, 3 problem\(s\)\n$/);
    } finally {
      removeDir(dir);
    }
  });

  test('gates: prints verdicts and exits 1 at the failing gate', () => {
    const root = gateRoot({ load: loadResults({ firstOutputP95: 1501 }) });
    try {
      const result = tsx('pipelines/gates/gates-cli.ts', ['--name', 'cli-check'], root.root);
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(/PASS contract[\s\S]*PASS replay[\s\S]*PASS baseline[\s\S]*FAIL slo/);
      expect(result.stderr).toMatch(/stopped, slo gate failed: .*first_output: clientSide\.firstOutput\.p95Ms = 1501 ms exceeds the maximum 1500/);
    } finally {
      removeDir(root.root);
    }
  });
});
