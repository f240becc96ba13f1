/**
 * `npm run validate -- --env <dev|stage|prod> <file-or-dir>...`: the offline dry-run and the
 * manifest policy over already-synthesized YAML/JSON (e.g. `dist/prod/k8s`). Prints every issue,
 * every exemption and the summary; exits 1 when anything fails, 2 on bad usage.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { EnvName } from '../../envs/environment-config';
import { checkPolicy, formatPolicyReport } from '../policy';
import { validateObjects } from './validate-objects';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const ENVS: readonly EnvName[] = ['dev', 'stage', 'prod'];

/** Manifest files under the given paths, sorted for a stable order. */
export function manifestFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (p: string): void => {
    if (statSync(p).isDirectory()) {
      for (const entry of readdirSync(p).sort()) visit(path.join(p, entry));
    } else if (MANIFEST_EXTENSIONS.has(path.extname(p))) {
      files.push(p);
    }
  };
  paths.forEach(visit);
  return files;
}

/** Every document of every file; YAML syntax errors name the file. Empty documents are skipped. */
export function loadManifests(files: readonly string[]): unknown[] {
  const objects: unknown[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const value: unknown = doc.toJS();
      if (value !== null && value !== undefined) objects.push(value);
    }
  }
  return objects;
}

export function parseArgs(argv: readonly string[]): { env: EnvName; paths: string[] } {
  const paths: string[] = [];
  let env: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--env') env = argv[++i];
    else if (argv[i].startsWith('--env=')) env = argv[i].slice('--env='.length);
    else paths.push(argv[i]);
  }
  if (env === undefined || !(ENVS as readonly string[]).includes(env) || paths.length === 0) {
    throw new Error(`usage: validate --env <${ENVS.join('|')}> <file-or-dir>...`);
  }
  return { env: env as EnvName, paths };
}

/** Runs both checks and returns the exit code; output goes to `write`. */
export function runValidate(argv: readonly string[], write: (line: string) => void): number {
  let args: { env: EnvName; paths: string[] };
  try {
    args = parseArgs(argv);
  } catch (error) {
    write((error as Error).message);
    return 2;
  }
  const files = manifestFiles(args.paths);
  const objects = loadManifests(files);
  const issues = validateObjects(objects);
  const errors = issues.filter((i) => i.severity === 'error');
  write(`validation (${args.env}): ${errors.length === 0 ? 'PASSED' : 'FAILED'}: ${objects.length} objects from ${files.length} files, ${errors.length} errors`);
  for (const issue of issues) write(`  ${issue.severity === 'note' ? 'note: ' : ''}${issue.text}`);
  const report = checkPolicy(objects, { env: args.env });
  write(formatPolicyReport(report));
  return errors.length === 0 && report.passed ? 0 : 1;
}

if (require.main === module) {
  process.exitCode = runValidate(process.argv.slice(2), (line) => console.log(line));
}
