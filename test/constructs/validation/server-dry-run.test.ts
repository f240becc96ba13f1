import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  CommandRunner,
  CommandSpec,
  defaultKubectl,
  parseServerDryRun,
  runServerDryRun,
  serverDryRunCommand,
  validateObjects,
} from '../../../constructs/validation';
import { goldenApp } from '../policy/fixtures/golden-app';

const STRICT_ERROR =
  'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicass"';
const INVALID_ERROR =
  'Error from server (Invalid): error when creating "STDIN": Service "rspp-runtime" is invalid: spec.ports[0].targetPort: Invalid value: "sessionz"';

/** A runner that records calls and answers the probe and the apply from a script. */
function scriptedRunner(apply: { status: number; stdout: string; stderr: string }, probeStatus = 0) {
  const calls: { spec: CommandSpec; input: string }[] = [];
  const runner: CommandRunner = (spec, input) => {
    calls.push({ spec, input });
    if (spec.args[0] === 'version') return { status: probeStatus, stdout: '{}', stderr: probeStatus === 0 ? '' : 'The connection to the server 10.0.0.1:6443 was refused' };
    return apply;
  };
  return { runner, calls };
}

describe('server-side dry-run', () => {
  it('builds kubectl apply --dry-run=server --validate=strict -f - with the given KUBECONFIG', () => {
    const spec = serverDryRunCommand('/home/ci/.kube/config', { kubectl: '/opt/kubectl', timeoutSeconds: 30 });
    expect(spec.command).toBe('/opt/kubectl');
    expect(spec.args).toEqual(['apply', '--dry-run=server', '--validate=strict', '--output=name', '--request-timeout=30s', '-f', '-']);
    expect(spec.env.KUBECONFIG).toBe('/home/ci/.kube/config');
  });

  it("uses the repository's .tools/bin/kubectl by default", () => {
    expect(defaultKubectl()).toBe(path.resolve(__dirname, '../../../.tools/bin/kubectl'));
  });

  it('is skipped with a note when KUBECONFIG is not set, without running kubectl', () => {
    const saved = process.env.KUBECONFIG;
    delete process.env.KUBECONFIG;
    try {
      const runner: CommandRunner = () => {
        throw new Error('kubectl must not run');
      };
      const issues = validateObjects(goldenApp(), { server: { runner } });
      expect(issues).toEqual([
        {
          severity: 'note',
          source: 'server',
          path: '',
          message: 'server-side dry-run skipped: KUBECONFIG is not set (offline schema validation only)',
          text: '(server) server-side dry-run skipped: KUBECONFIG is not set (offline schema validation only)',
        },
      ]);
    } finally {
      if (saved !== undefined) process.env.KUBECONFIG = saved;
    }
  });

  it('is skipped with a note when there is nothing to apply', () => {
    const { runner, calls } = scriptedRunner({ status: 0, stdout: '', stderr: '' });
    expect(runServerDryRun([], { kubeconfig: '/k', runner }).map((i) => i.text)).toEqual(['(server) server-side dry-run skipped: no objects to apply']);
    expect(calls).toEqual([]);
  });

  it('is skipped with a note when the cluster does not answer the probe', () => {
    const { runner, calls } = scriptedRunner({ status: 0, stdout: '', stderr: '' }, 1);
    expect(runServerDryRun(goldenApp(), { kubeconfig: '/k', runner }).map((i) => [i.severity, i.text])).toEqual([
      ['note', '(server) server-side dry-run skipped: the cluster of KUBECONFIG=/k is not reachable: The connection to the server 10.0.0.1:6443 was refused'],
    ]);
    expect(calls.map((c) => c.spec.args[0])).toEqual(['version']);
  });

  it('feeds every object to kubectl as multi-document YAML and reports its errors on their objects', () => {
    const app = goldenApp();
    const accepted = app
      .filter((o) => !(o.kind === 'Deployment' || o.kind === 'Service'))
      .map((o) => `${o.kind.toLowerCase()}/${o.metadata.name}`)
      .join('\n');
    const { runner, calls } = scriptedRunner({ status: 1, stdout: accepted, stderr: `${STRICT_ERROR}\n${INVALID_ERROR}\n` });
    const issues = runServerDryRun(app, { kubeconfig: '/k', runner });
    expect(issues.map((i) => i.text)).toEqual([
      `Deployment/rspp/rspp-runtime (object): server dry-run: ${STRICT_ERROR}`,
      `Service/rspp/rspp-runtime (object): server dry-run: ${INVALID_ERROR}`,
    ]);
    const apply = calls[1];
    expect(apply.spec.args).toContain('--dry-run=server');
    expect(parseAllDocuments(apply.input).map((d) => d.toJS())).toEqual(app);
  });

  it('reports an error no object claims, and a failure without error lines, on the batch', () => {
    const objects = goldenApp();
    expect(parseServerDryRun(objects, { status: 1, stdout: '', stderr: 'Error from server (NotFound): namespaces "rspp" not found\n' }).map((i) => i.text)).toEqual([
      '(server) server dry-run: Error from server (NotFound): namespaces "rspp" not found',
    ]);
    expect(parseServerDryRun(objects, { status: 2, stdout: '', stderr: 'segfault' }).map((i) => i.text)).toEqual([
      '(server) kubectl apply --dry-run=server exited 2: segfault',
    ]);
    expect(parseServerDryRun(objects, { status: 0, stdout: '', stderr: '' })).toEqual([]);
  });

  describe('with real processes', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'rspp-dry-run-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('runs a kubectl binary through spawn, passing KUBECONFIG and the manifests on stdin', () => {
      const fake = path.join(dir, 'kubectl');
      const seen = path.join(dir, 'seen');
      writeFileSync(
        fake,
        [
          '#!/usr/bin/env bash',
          `if [ "$1" = version ]; then echo '{}'; exit 0; fi`,
          `{ echo "KUBECONFIG=$KUBECONFIG"; echo "ARGS=$*"; cat; } > '${seen}'`,
          `echo '${STRICT_ERROR}' >&2`,
          'exit 1',
        ].join('\n'),
      );
      chmodSync(fake, 0o755);
      const issues = runServerDryRun(goldenApp(), { kubeconfig: '/tmp/kc', kubectl: fake, timeoutSeconds: 5 });
      expect(issues.map((i) => i.text)).toEqual([`Deployment/rspp/rspp-runtime (object): server dry-run: ${STRICT_ERROR}`]);
      const recorded = readFileSync(seen, 'utf8');
      expect(recorded).toContain('KUBECONFIG=/tmp/kc\nARGS=apply --dry-run=server --validate=strict --output=name --request-timeout=5s -f -\n');
      expect(recorded).toContain('kind: Deployment');
    });

    it('the real kubectl against a closed port: skipped with a note', () => {
      const kubeconfig = path.join(dir, 'kubeconfig.yaml');
      writeFileSync(
        kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters: [{name: closed, cluster: {server: "https://127.0.0.1:1"}}]',
          'contexts: [{name: closed, context: {cluster: closed}}]',
          'current-context: closed',
        ].join('\n'),
      );
      const [issue] = runServerDryRun(goldenApp(), { kubeconfig });
      expect(issue.severity).toBe('note');
      expect(issue.message).toContain(`server-side dry-run skipped: the cluster of KUBECONFIG=${kubeconfig} is not reachable`);
    });
  });
});
