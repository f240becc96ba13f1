/**
 * `npm run validate -- --env <dev|stage|prod> <file-or-dir>...`: the offline dry-run and the
 * manifest policy over already-synthesized YAML/JSON (e.g. `dist/prod/k8s`). Prints every issue,
 * every exemption and the summary; exits 1 when anything fails, 2 on bad usage.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { EnvName } from '../../envs/environment-config';
import { checkPolicy, formatPolicyReport } from '../policy';
import { validateObjects } from './validate-objects';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const ENVS: readonly EnvName[] = ['dev', 'stage', 'prod'];

/** A problem with the input files themselves: one line naming the file (and line) and the fix. */
export class ManifestInputError extends Error {}

/** Manifest files under the given paths, sorted for a stable order. */
export function manifestFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (p: string): void => {
    if (!existsSync(p)) throw new ManifestInputError(`${p}: no such file or directory; pass a synthesized manifest file or folder (e.g. dist/prod/k8s after \`npm run synth\`)`);
    if (statSync(p).isDirectory()) {
      for (const entry of readdirSync(p).sort()) visit(path.join(p, entry));
    } else if (MANIFEST_EXTENSIONS.has(path.extname(p))) {
      files.push(p);
    }
  };
  paths.forEach(visit);
  return files;
}

/** Every document of every file; YAML syntax errors name the file and line. Empty documents are skipped. */
export function loadManifests(files: readonly string[]): unknown[] {
  const objects: unknown[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const [error] = doc.errors;
      if (error !== undefined) {
        // The parser's message carries a multi-line source excerpt after "at line N, column M:"; keep its first sentence.
        const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        const at = error.linePos?.[0];
        throw new ManifestInputError(`${file}${at ? `:${at.line}:${at.col}` : ''}: ${reason}; fix the YAML there (or re-run synth to regenerate the file)`);
      }
      const value: unknown = doc.toJS();
      if (value !== null && value !== undefined) objects.push(value);
    }
  }
  return objects;
}

export const VALIDATE_USAGE = `usage: validate --env <${ENVS.join('|')}> <file-or-dir>...
  Strict schema validation (types, required and unknown fields, unknown kinds) and the RSPP manifest
  policy for that env over synthesized YAML/JSON; with KUBECONFIG set, also kubectl apply --dry-run=server.
  Exit codes: 0 passed, 1 findings, 2 bad usage or unreadable input.`;

export function parseArgs(argv: readonly string[]): { env: EnvName; paths: string[] } {
  const paths: string[] = [];
  let env: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') throw Object.assign(new Error(VALIDATE_USAGE), { help: true });
    if (argv[i] === '--env') env = argv[++i];
    else if (argv[i].startsWith('--env=')) env = argv[i].slice('--env='.length);
    else paths.push(argv[i]);
  }
  if (env === undefined || !(ENVS as readonly string[]).includes(env) || paths.length === 0) {
    throw new Error(VALIDATE_USAGE);
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
    return (error as { help?: boolean }).help === true ? 0 : 2;
  }
  let files: string[];
  let objects: unknown[];
  try {
    files = manifestFiles(args.paths);
    objects = loadManifests(files);
  } catch (error) {
    if (!(error instanceof ManifestInputError)) throw error;
    write(`validate: ${error.message}`);
    return 2;
  }
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
