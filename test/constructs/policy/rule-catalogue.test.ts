import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { POLICY_RULE_IDS, RSPP_POLICY_RULES } from '../../../constructs/policy';

const POLICY_DIR = path.resolve(__dirname, '../../../constructs/policy');
// `../shared` beside the repository root (as laid out for developers and CI).
const DESIGN = path.resolve(process.env.RSPP_DESIGN_DIR ?? path.resolve(__dirname, '..', '..', '..', '..', 'shared'), 'design', 'manifest-policy.md');

describe('rule catalogue', () => {
  it('keeps one file per rule, named after its id', () => {
    const files = readdirSync(path.join(POLICY_DIR, 'rules')).filter((f) => f !== 'index.ts');
    expect(files).toHaveLength(POLICY_RULE_IDS.length);
    for (const id of POLICY_RULE_IDS) {
      const matching = files.filter((f) => f.startsWith(`${id.toLowerCase()}-`));
      expect(matching).toHaveLength(1);
      expect(readFileSync(path.join(POLICY_DIR, 'rules', matching[0]), 'utf8')).toContain(`id: '${id}'`);
    }
  });

  it('documents every rule in the README table with its exact why and fix', () => {
    const readme = readFileSync(path.join(POLICY_DIR, 'README.md'), 'utf8');
    const esc = (s: string): string => s.replace(/\|/g, '\\|');
    for (const rule of RSPP_POLICY_RULES) {
      const envs = rule.envs ? ` (${rule.envs.join('/')} only)` : '';
      expect(readme).toContain(`| ${rule.id} | ${esc(rule.title)}${envs} | ${esc(rule.why)} | ${esc(rule.fix)} |`);
    }
  });

  // The design folder sits outside the package: the check runs where it exists, and shows as skipped elsewhere.
  (existsSync(DESIGN) ? it : it.skip)('mirrors the ids of manifest-policy.md', () => {
    const ids = [...readFileSync(DESIGN, 'utf8').matchAll(/^\| (RSPP-[A-Z]+-\d{3}) \|/gm)].map((m) => m[1]);
    expect(ids).toEqual([...POLICY_RULE_IDS]);
  });
});
