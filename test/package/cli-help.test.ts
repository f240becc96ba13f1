/**
 * Every command-line entry point of package.json's scripts answers `--help` with its usage and exit
 * code 0, without doing its work (nothing is written under the working directory).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** script name → the TypeScript entry file it runs. */
const ENTRIES: Array<[string, string]> = Object.entries<string>(pkg.scripts).flatMap(([name, command]) => {
  const file = /(\S+\.ts)\b/.exec(command)?.[1];
  return file ? [[name, file] as [string, string]] : [];
});

function help(file: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(ROOT, file), '--help'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('every CLI has --help', () => {
  test('the scripts with a TypeScript entry are found', () => {
    expect(ENTRIES.map(([name]) => name)).toEqual(expect.arrayContaining(['start', 'synth', 'validate', 'gates', 'image', 'pipelines:validate', 'bench', 'bench:load', 'synth:charts', 'synth:tf']));
  });

  test('each prints its usage and exits 0, writing nothing', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-cli-help-'));
    try {
      // Two at a time: each is a TypeScript process start, and the machine's 2 cores are shared.
      const results: Array<{ name: string; code: number | null; stdout: string; stderr: string }> = [];
      for (let i = 0; i < ENTRIES.length; i += 2) {
        results.push(...(await Promise.all(ENTRIES.slice(i, i + 2).map(async ([name, file]) => ({ name, ...(await help(file, cwd)) })))));
      }
      for (const r of results) {
        expect({ script: r.name, code: r.code, usage: /^usage: /m.test(r.stdout), stderr: r.stderr }).toEqual({ script: r.name, code: 0, usage: true, stderr: '' });
      }
      expect(fs.readdirSync(cwd)).toEqual([]);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  }, 480_000);
});
