/**
 * The server-side half of the dry-run: when `KUBECONFIG` names a reachable cluster,
 * `kubectl apply --dry-run=server --validate=strict -f -` over the objects, so admission webhooks,
 * CRD schemas and field validation of the real API server have their say. Without `KUBECONFIG`
 * it is skipped with a note; nothing is ever persisted (server dry-run).
 */
import { spawnSync } from 'node:child_process';
import { stringify } from 'yaml';
import { ManifestObject, ObjectRef, objectRef } from '../policy/manifest-object';
import { ValidationIssue, batchIssue, objectIssue } from './validation-issue';
import { repoTool } from '../tools/repo-tools';

export interface CommandResult {
  /** Exit status; null when the process could not start or was killed. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Spawn failure (binary missing, timeout). */
  readonly error?: Error;
}

export interface CommandSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Runs a command with `input` on stdin. Injected in tests; the default uses `spawnSync`. */
export type CommandRunner = (spec: CommandSpec, input: string, timeoutMs: number) => CommandResult;

export interface ServerDryRunOptions {
  /**
   * Kubeconfig to use; the server path is skipped when empty.
   * @default process.env.KUBECONFIG
   */
  readonly kubeconfig?: string;
  /**
   * kubectl binary.
   * @default `.tools/bin/kubectl` of the repository when present, else `kubectl` on PATH
   */
  readonly kubectl?: string;
  /** @default 60 */
  readonly timeoutSeconds?: number;
  /** @default spawnSync */
  readonly runner?: CommandRunner;
}

export const spawnRunner: CommandRunner = (spec, input, timeoutMs) => {
  const result = spawnSync(spec.command, [...spec.args], {
    input,
    env: spec.env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', error: result.error };
};

/** `.tools/bin/kubectl` of the repository when present, else `kubectl` on PATH. */
export function defaultKubectl(): string {
  return repoTool('kubectl');
}

function timeoutOf(options: ServerDryRunOptions): number {
  return options.timeoutSeconds ?? 60;
}

/** The reachability probe: `kubectl version` talks to the server and fails fast when it cannot. */
export function reachabilityCommand(kubeconfig: string, options: ServerDryRunOptions = {}): CommandSpec {
  return {
    command: options.kubectl ?? defaultKubectl(),
    args: ['version', '--output=json', '--request-timeout=10s'],
    env: { ...process.env, KUBECONFIG: kubeconfig },
  };
}

/** The dry-run itself. `--output=name` lists the objects the server accepted, one per line. */
export function serverDryRunCommand(kubeconfig: string, options: ServerDryRunOptions = {}): CommandSpec {
  return {
    command: options.kubectl ?? defaultKubectl(),
    args: ['apply', '--dry-run=server', '--validate=strict', '--output=name', `--request-timeout=${timeoutOf(options)}s`, '-f', '-'],
    env: { ...process.env, KUBECONFIG: kubeconfig },
  };
}

/** The objects as the multi-document YAML kubectl reads from stdin. */
export function manifestStream(objects: readonly ManifestObject[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/** `deployment.apps/rspp-runtime` → `deployment/rspp-runtime`. */
function acceptedKey(line: string): string | undefined {
  const match = /^([a-z0-9.-]+)\/(\S+)/.exec(line.trim());
  return match ? `${match[1].split('.')[0]}/${match[2]}` : undefined;
}

function keyOf(ref: ObjectRef): string {
  return `${ref.kind.toLowerCase()}/${ref.name}`;
}

/**
 * Attributes one kubectl error line to the object it is about: by `Kind[.group] "name"` when the
 * line names it, else by kind when exactly one object of that kind was not accepted.
 */
function attribute(line: string, rejected: readonly ObjectRef[]): ObjectRef | undefined {
  const byName = rejected.filter((r) => new RegExp(`\\b${r.kind}(\\.[a-z0-9.-]+)? "${r.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`).test(line));
  if (byName.length === 1) return byName[0];
  const byKind = rejected.filter((r) => new RegExp(`\\b${r.kind} in version\\b|\\bas an? ${r.kind}\\b`).test(line));
  return byKind.length === 1 ? byKind[0] : undefined;
}

/** Turns the dry-run's output into issues: one per error line, on its object when it can be told. */
export function parseServerDryRun(objects: readonly ManifestObject[], result: CommandResult): ValidationIssue[] {
  if (result.error !== undefined) {
    return [batchIssue('error', 'server', `kubectl apply --dry-run=server could not run: ${result.error.message}`)];
  }
  const accepted = new Set(result.stdout.split('\n').map(acceptedKey).filter((k): k is string => k !== undefined));
  const rejected = objects.map(objectRef).filter((r) => !accepted.has(keyOf(r)));
  const errorLines = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(error|Error from server)\b/i.test(l));
  const issues = errorLines.map((line) => {
    const ref = attribute(line, rejected);
    const message = `server dry-run: ${line}`;
    return ref === undefined ? batchIssue('error', 'server', message) : objectIssue('server', ref, '(object)', message);
  });
  if (issues.length === 0 && result.status !== 0) {
    issues.push(batchIssue('error', 'server', `kubectl apply --dry-run=server exited ${result.status}: ${result.stderr.trim() || '(no output)'}`));
  }
  return issues;
}

/** Runs the server-side dry-run when a reachable cluster is configured; otherwise a note says why not. */
export function runServerDryRun(objects: readonly ManifestObject[], options: ServerDryRunOptions = {}): ValidationIssue[] {
  const kubeconfig = options.kubeconfig ?? process.env.KUBECONFIG ?? '';
  if (kubeconfig.trim() === '') {
    return [batchIssue('note', 'server', 'server-side dry-run skipped: KUBECONFIG is not set (offline schema validation only)')];
  }
  if (objects.length === 0) {
    return [batchIssue('note', 'server', 'server-side dry-run skipped: no objects to apply')];
  }
  const runner = options.runner ?? spawnRunner;
  const probe = runner(reachabilityCommand(kubeconfig, options), '', 15_000);
  if (probe.error !== undefined || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.trim().split('\n')[0] ?? `exit ${probe.status}`;
    return [batchIssue('note', 'server', `server-side dry-run skipped: the cluster of KUBECONFIG=${kubeconfig} is not reachable: ${why}`)];
  }
  const result = runner(serverDryRunCommand(kubeconfig, options), manifestStream(objects), (timeoutOf(options) + 10) * 1000);
  return parseServerDryRun(objects, result);
}
