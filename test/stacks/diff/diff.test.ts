/**
 * Issue #13 item 8: `npm run diff`. The classification rules on hand-made object pairs, the live
 * comparison on a canned live object (server-set and defaulted fields ignored), the CLI exit codes,
 * and a real run against a git ref synthesized in a temporary worktree.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compareUnits, exitCodeFor, formatChanges, objectUnit } from '../../../stacks/diff/compare';
import { kubectlGetArgs, main, parseDiffArgs, stripServerFields } from '../../../stacks/diff/main';

const REPO = path.resolve(__dirname, '..', '..', '..');

const statefulSet = (replicas: number, image = 'etcd@sha256:1', storage = '10Gi') => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet',
  metadata: { name: 'rspp-etcd', namespace: 'rspp-prod', labels: { 'app.kubernetes.io/component': 'lease-store' } },
  spec: { replicas, selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'etcd', image }] } },
    volumeClaimTemplates: [{ spec: { resources: { requests: { storage } } } }] },
});
const one = (before: object, after: object) => {
  const changes = compareUnits([objectUnit(before as any)], [objectUnit(after as any)]);
  expect(changes).toHaveLength(1);
  return changes[0];
};

describe('classification', () => {
  test('an image change is a rolling restart; a member count change is disruptive; a volume template change is a recreate', () => {
    const image = one(statefulSet(3), statefulSet(3, 'etcd@sha256:2'));
    expect(image).toMatchObject({ class: 'rolling restart', group: 'lease-store', action: 'change' });
    expect(image.fields).toEqual([{ path: 'spec.template.spec.containers[0].image', before: 'etcd@sha256:1', after: 'etcd@sha256:2' }]);
    expect(one(statefulSet(3), statefulSet(5))).toMatchObject({ class: 'disruptive', why: expect.stringMatching(/etcd membership/) });
    expect(one(statefulSet(3), statefulSet(3, undefined, '20Gi'))).toMatchObject({ class: 'recreate', why: expect.stringMatching(/immutable StatefulSet field/) });
    // the worst field decides
    expect(one(statefulSet(3), statefulSet(5, 'etcd@sha256:2', '20Gi')).class).toBe('disruptive');
  });

  test('a Service port change drops sessions; deleting a Deployment is disruptive; a new object is created in place', () => {
    const svc = (port: number) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'rspp-runtime', namespace: 'n' }, spec: { ports: [{ port }] } });
    expect(one(svc(8443), svc(9443)).class).toBe('disruptive');
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'rspp-runtime', namespace: 'n' }, spec: {} };
    const removed = compareUnits([objectUnit(deployment)], []);
    expect(removed).toEqual([expect.objectContaining({ action: 'remove', class: 'disruptive' })]);
    expect(compareUnits([], [objectUnit(deployment)])).toEqual([expect.objectContaining({ action: 'add', class: 'in place', why: 'created' })]);
  });

  test('exit codes: 0 no change, 1 changes, 2 disruptive; the report names class and why', () => {
    expect(exitCodeFor([])).toBe(0);
    expect(exitCodeFor(compareUnits([objectUnit(statefulSet(3))], [objectUnit(statefulSet(3, 'x'))]))).toBe(1);
    const disruptive = compareUnits([objectUnit(statefulSet(3))], [objectUnit(statefulSet(5))]);
    expect(exitCodeFor(disruptive)).toBe(2);
    expect(formatChanges(disruptive, 't')).toMatch(/== lease-store\n~ apps\/v1 StatefulSet rspp-prod\/rspp-etcd {2}\[disruptive: changes etcd membership[^\n]*\]\n {4}spec.replicas: 3 → 5\n\n1 change\(s\): 0 in place, 0 rolling restart, 0 recreate, 1 disruptive/);
  });
});

describe('--live', () => {
  test('server-set and defaulted fields are ignored; a field synth sets that differs is reported', () => {
    const desired = statefulSet(3);
    const live = {
      ...statefulSet(3),
      metadata: { ...desired.metadata, uid: 'u', resourceVersion: '9', generation: 4, creationTimestamp: 'x', managedFields: [{}], annotations: { 'meta.helm.sh/release-name': 'rspp-prod' } },
      spec: { ...desired.spec, revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate' } }, // server defaults
      status: { replicas: 3 },
    };
    const stripped = stripServerFields(live);
    expect(stripped.status).toBeUndefined();
    expect(stripped.metadata.uid).toBeUndefined();
    expect(compareUnits([objectUnit(stripped)], [objectUnit(desired)], { live: true })).toEqual([]);
    const drifted = { ...stripped, spec: { ...stripped.spec, replicas: 2 } };
    expect(compareUnits([objectUnit(drifted)], [objectUnit(desired)], { live: true })).toEqual([
      expect.objectContaining({ class: 'disruptive', fields: [{ path: 'spec.replicas', before: 2, after: 3 }] }),
    ]);
    // an object missing from the cluster is reported as created
    expect(compareUnits([], [objectUnit(desired)], { live: true })).toEqual([expect.objectContaining({ action: 'add' })]);
    expect(kubectlGetArgs('/d', { kubeconfig: '/k', context: 'c' })).toEqual(['get', '-f', '/d', '-o', 'json', '--ignore-not-found', '--kubeconfig', '/k', '--context', 'c']);
  });
});

describe('CLI', () => {
  let err: jest.SpyInstance;
  let log: jest.SpyInstance;
  beforeEach(() => {
    err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    err.mockRestore();
    log.mockRestore();
  });

  test('bad arguments exit 3 with the usage', async () => {
    expect(await main([])).toBe(3);
    expect(await main(['--env', 'qa'])).toBe(3);
    expect(await main(['--env', 'dev', '--live', '--against', 'HEAD'])).toBe(3);
    expect(err.mock.calls.join('\n')).toMatch(/--env is required[\s\S]*unknown environment "qa"[\s\S]*--live and --against exclude each other/);
    expect(parseDiffArgs(['--env', 'prod'])).toEqual({ env: 'prod', against: 'HEAD', live: false, kubeconfig: undefined, context: undefined });
  });

  test('--live with an unreachable cluster exits 5 naming kubectl', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-kubeconfig-'));
    const kubeconfig = path.join(dir, 'config');
    fs.writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: none',
      'clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]',
      'contexts: [{name: none, context: {cluster: none, user: none}}]',
      'users: [{name: none, user: {token: not-a-secret}}]',
    ].join('\n'));
    try {
      expect(await main(['--env', 'dev', '--live', '--kubeconfig', kubeconfig])).toBe(5);
      expect(err.mock.calls.join('\n')).toMatch(/kubectl get failed/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test('against a git ref: synthesizes it in a temporary worktree, compares, and removes the worktree', async () => {
    const git = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: REPO, encoding: 'utf8' });
    if (git.stdout.trim() !== 'true') throw new Error('the diff test needs the repository as a git checkout');
    const before = spawnSync('git', ['worktree', 'list'], { cwd: REPO, encoding: 'utf8' }).stdout;
    const code = await main(['--env', 'dev', '--against', 'HEAD']);
    const printed = log.mock.calls.join('\n');
    expect(err.mock.calls).toEqual([]);
    expect(printed).toMatch(/^diff dev: HEAD \([0-9a-f]{10}\) → working tree/);
    // a clean checkout (CI) has nothing to show; a dirty one reports and classifies what changed
    const dirty = spawnSync('git', ['status', '--porcelain', '--', 'constructs', 'envs', 'stacks'], { cwd: REPO, encoding: 'utf8' }).stdout.trim() !== '';
    if (!dirty) {
      expect(code).toBe(0);
      expect(printed).toMatch(/no changes$/);
    } else {
      expect([0, 1, 2]).toContain(code);
    }
    // The temporary worktree is gone (compared by path: other checkouts of a shared repository may come and go).
    const diffWorktrees = (list: string) => list.split('\n').filter((l) => l.includes('rspp-diff-')).map((l) => l.split(/\s+/)[0]);
    const left = diffWorktrees(spawnSync('git', ['worktree', 'list'], { cwd: REPO, encoding: 'utf8' }).stdout).filter((w) => !diffWorktrees(before).includes(w));
    expect(left).toEqual([]);
  }, 300_000);
});
