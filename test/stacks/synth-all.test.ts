/**
 * `npm run synth` end to end (in process): manifests, charts and Terraform for every env, in temp dirs.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../stacks/synth-all';

describe('npm run synth (stacks/synth-all)', () => {
  let tmp: string;
  let log: jest.SpyInstance;
  let err: jest.SpyInstance;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-synth-all-'));
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    log.mockRestore();
    err.mockRestore();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('writes manifests, linted charts and Terraform for all three envs', () => {
    const out = path.join(tmp, 'dist');
    const tfOut = path.join(tmp, 'cdktf.out');
    const code = main(['--out', out, '--tf-out', tfOut, '--no-built-image']);
    const printed = log.mock.calls.map((c) => c.join(' ')).join('\n');
    expect(err.mock.calls).toEqual([]);
    expect(code).toBe(0);
    for (const env of ['dev', 'stage', 'prod']) {
      expect(fs.readdirSync(path.join(out, env, 'k8s')).filter((f) => f.endsWith('.yaml')).length).toBeGreaterThan(0);
      expect(fs.existsSync(path.join(out, env, 'charts', 'rspp-platform', 'Chart.yaml'))).toBe(true);
      expect(fs.existsSync(path.join(out, env, 'charts', 'rspp-platform', 'values.schema.json'))).toBe(true);
      const tf = JSON.parse(fs.readFileSync(path.join(tfOut, 'stacks', env, 'cdk.tf.json'), 'utf8'));
      expect(Object.keys(tf.resource.helm_release)).toEqual(expect.arrayContaining([expect.stringMatching(/platform/)]));
      expect(printed).toMatch(new RegExp(`${env}: ok`));
    }
    expect(printed).toMatch(/helm lint --strict: passed/);
    expect(printed).not.toMatch(/FAILED|FINDING/);
    expect(printed).toMatch(/exemptions: none/);
    expect(printed).toMatch(/synth all ok/);
  });

  test('a bad argument exits 2 and writes nothing', () => {
    const out = path.join(tmp, 'dist');
    expect(main(['--env', 'qa', '--out', out])).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
    expect(err.mock.calls.join('\n')).toMatch(/unknown environment\(s\) qa/);
  });
});
