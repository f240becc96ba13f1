import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { runValidate } from '../../../constructs/validation/validate-manifests-cli';
import { goldenApp, runtimePod } from '../policy/fixtures/golden-app';

describe('validate CLI', () => {
  let dir: string;
  const saved = process.env.KUBECONFIG;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rspp-validate-'));
    delete process.env.KUBECONFIG;
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved !== undefined) process.env.KUBECONFIG = saved;
  });

  function writeApp(name: string, objects: unknown[]): string {
    const out = path.join(dir, name);
    mkdirSync(out);
    writeFileSync(path.join(out, 'app.k8s.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    writeFileSync(path.join(out, 'notes.txt'), 'not a manifest');
    return out;
  }

  it('passes the golden app and prints both summaries', () => {
    const lines: string[] = [];
    expect(runValidate(['--env', 'prod', writeApp('good', goldenApp())], (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toBe('validation (prod): PASSED: 11 objects from 1 files, 0 errors');
    expect(lines).toContain('  note: (server) server-side dry-run skipped: KUBECONFIG is not set (offline schema validation only)');
    expect(lines.some((l) => l.startsWith('policy (prod): PASSED: 27 rules, 27 passed'))).toBe(true);
  });

  it('fails on schema errors and policy findings, listing them', () => {
    const app = goldenApp();
    const { deployment, container } = runtimePod(app);
    deployment.spec.replicass = 2;
    container.image = 'rspp:latest';
    const lines: string[] = [];
    expect(runValidate(['--env=dev', writeApp('bad', app)], (l) => lines.push(l))).toBe(1);
    const out = lines.join('\n');
    expect(out).toContain('Deployment/rspp/rspp-runtime spec.replicass: unknown field "replicass"');
    expect(out).toContain('RSPP-POD-011 Deployment/rspp/rspp-runtime spec.template.spec.containers[0].image');
  });

  it('refuses bad usage', () => {
    const lines: string[] = [];
    expect(runValidate(['--env', 'qa', dir], (l) => lines.push(l))).toBe(2);
    expect(lines[0].split('\n')[0]).toBe('usage: validate --env <dev|stage|prod> <file-or-dir>...');
  });

  it('--help prints the usage and exits 0', () => {
    const lines: string[] = [];
    expect(runValidate(['--help'], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/^usage: validate --env <dev\|stage\|prod> <file-or-dir>\.\.\.\n.*Exit codes: 0 passed, 1 findings, 2 bad usage/s);
  });

  it('malformed YAML: one line naming file, line, column and the fix, no stack trace', () => {
    const out = path.join(dir, 'malformed');
    mkdirSync(out);
    const file = path.join(out, 'app.k8s.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n');
    const lines: string[] = [];
    expect(runValidate(['--env', 'dev', out], (l) => lines.push(l))).toBe(2);
    expect(lines).toEqual([`validate: ${file}:5:3: Map keys must be unique; fix the YAML there (or re-run synth to regenerate the file)`]);
  });

  it('missing path: one line naming it and the fix', () => {
    const missing = path.join(dir, 'no-such-dir');
    const lines: string[] = [];
    expect(runValidate(['--env', 'prod', missing], (l) => lines.push(l))).toBe(2);
    expect(lines).toEqual([`validate: ${missing}: no such file or directory; pass a synthesized manifest file or folder (e.g. dist/prod/k8s after \`npm run synth\`)`]);
  });
});
