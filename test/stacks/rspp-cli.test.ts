/**
 * The `rspp` bin's command table: every command answers --help, unknown commands fail with a clear
 * message, `diff` classifies the changes between two synth outputs, and `gates --help` lists its prerequisites.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { COMMANDS, main, usage } from '../../stacks/cli/rspp';

describe('rspp command line', () => {
  let log: jest.SpyInstance;
  let err: jest.SpyInstance;
  let out: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());
  const printed = (spy: jest.SpyInstance): string => spy.mock.calls.map((c) => String(c[0])).join('\n');

  test('lists synth, validate, diff and gates', async () => {
    expect(Object.keys(COMMANDS)).toEqual(['synth', 'validate', 'diff', 'gates']);
    expect(await main(['--help'])).toBe(0);
    expect(printed(log)).toBe(usage());
    expect(usage()).toMatch(/^usage: rspp <command> \[options\]/);
    expect(await main([])).toBe(2);
  });

  test.each(['synth', 'validate', 'diff', 'gates'])('rspp %s --help exits 0 with its usage', async (command) => {
    expect(await main([command, '--help'])).toBe(0);
    expect(`${printed(log)}${printed(out)}`).toMatch(/usage|not available/);
    expect(err.mock.calls).toEqual([]);
  });

  test('gates --help lists the outputs it needs and the commands that make them', async () => {
    await main(['gates', '--help']);
    const text = printed(out);
    for (const line of ['dist/bench/engine.json    from `npm run bench`', 'dist/bench/load.json      from `npm run bench:load`', 'dist/image/runtime.json   from `npm run image`']) {
      expect(text).toContain(line);
    }
  });

  test('diff compares two synth outputs on disk and classifies each change; bad arguments exit 3 naming them', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-diff-'));
    try {
      const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rspp-runtime
  namespace: rspp-prod
  labels: { app.kubernetes.io/component: runtime }
spec:
  selector: { matchLabels: { app: rspp-runtime } }
  template:
    metadata: { labels: { app: rspp-runtime } }
    spec: { containers: [{ name: runtime, image: ${image} }] }
`;
      for (const [side, image] of [['before', 'ghcr.io/rspp/rspp-runtime@sha256:' + 'a'.repeat(64)], ['after', 'ghcr.io/rspp/rspp-runtime@sha256:' + 'b'.repeat(64)]]) {
        fs.mkdirSync(path.join(root, side, 'dist', 'prod', 'k8s'), { recursive: true });
        fs.writeFileSync(path.join(root, side, 'dist', 'prod', 'k8s', 'runtime.yaml'), deployment(image));
      }
      const args = (before: string, after: string) => ['diff', '--env', 'prod', '--before', path.join(root, before), '--after', path.join(root, after)];
      expect(await main(args('before', 'before'))).toBe(0);
      expect(printed(log)).toMatch(/no changes$/);
      log.mockClear();
      expect(await main(args('before', 'after'))).toBe(1);
      expect(printed(log)).toMatch(/Deployment rspp-prod\/rspp-runtime {2}\[rolling restart/);
      expect(printed(log)).toContain('1 change(s): 0 in place, 1 rolling restart, 0 recreate, 0 disruptive');
      expect(await main(['diff', 'dist-a', 'dist-b'])).toBe(3);
      expect(printed(err).split('\n')[0]).toBe('rspp diff: unknown argument dist-a');
      err.mockClear();
      expect(await main(['diff', '--env', 'prod', '--before', path.join(root, 'nowhere'), '--after', path.join(root, 'after')])).toBe(3);
      expect(printed(err).split('\n')[0]).toMatch(/^rspp diff: --before .*nowhere: no .*dist\/prod\/k8s \(synthesize it with rspp synth --env prod --out .*nowhere\/dist --tf-out .*nowhere\/cdktf.out\)$/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('an unknown command (even an Object.prototype name) exits 2 with the usage', async () => {
    for (const name of ['deploy', 'constructor', 'toString']) {
      expect(await main([name])).toBe(2);
    }
    expect(printed(err)).toContain('rspp: unknown command "deploy"\nusage: rspp <command>');
  });
});
