/**
 * The `rspp` bin's command table: every command answers --help, unknown commands and `diff` (not in
 * this build) fail with a clear message, and `gates --help` lists its prerequisites.
 */
import { COMMANDS, main, UNAVAILABLE_EXIT_CODE, usage } from '../../stacks/cli/rspp';

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

  test('diff is not available in this build: exit 3 and a message saying so', async () => {
    expect(await main(['diff', 'dist-a', 'dist-b'])).toBe(UNAVAILABLE_EXIT_CODE);
    expect(printed(err)).toBe('rspp diff: not available in this build of @rspp/platform (the diff module ships in a later release); compare two synth outputs with `diff -r` meanwhile');
  });

  test('an unknown command (even an Object.prototype name) exits 2 with the usage', async () => {
    for (const name of ['deploy', 'constructor', 'toString']) {
      expect(await main([name])).toBe(2);
    }
    expect(printed(err)).toContain('rspp: unknown command "deploy"\nusage: rspp <command>');
  });
});
