/**
 * `npm run pipelines:validate [-- <dir>] [--digests]`: prints every problem (file:line path: message,
 * then the fix) and exits 1 if there is any. `--digests` also prints each content-addressed
 * artifact's computed digest (what references and `digest:` fields must say).
 */
import * as path from 'path';
import { readArtifactFiles } from '../artifacts/artifact-files';
import { defaultPipelinesDir } from '../artifacts/artifact-loader';
import { formatProblem } from './problem';
import { validateArtifactFiles } from './validate-pipelines';

function main(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('usage: pipelines:validate [<dir>] [--digests]\n  validates every pipeline artifact under <dir> (default: the package pipelines/); --digests prints each content-addressed digest\n');
    return 0;
  }
  const showDigests = argv.includes('--digests');
  const dir = path.resolve(argv.find((a) => !a.startsWith('--')) ?? defaultPipelinesDir());
  let files;
  try {
    files = readArtifactFiles(dir);
  } catch (e) {
    process.stderr.write(`pipelines:validate: ${(e as Error).message}\n`);
    return 2;
  }
  const { problems, artifacts } = validateArtifactFiles(files);
  if (showDigests) {
    for (const a of artifacts) if (a.kind.contentAddressed && a.file.digest) process.stdout.write(`${a.file.digest}  ${a.file.file}\n`);
  }
  for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
  const summary = `pipelines:validate: ${files.length} artifact file(s) under ${path.relative(process.cwd(), dir) || '.'}, ${problems.length} problem(s)`;
  (problems.length > 0 ? process.stderr : process.stdout).write(`${summary}\n`);
  return problems.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
