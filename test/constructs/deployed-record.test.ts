/**
 * Issue #13 item 7: changing the etcd member count or storage after the first deploy is refused at
 * synth, with the manual procedure, before anything is written; the record of the deployed values is
 * `envs/deployed/<env>.json` (committed), written by the first synth, updated only on request.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkDeployedRecord, recordOf } from '../../constructs/synth/deployed-record';
import { runSynth } from '../../constructs/synth/synth-run';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { loadEnvironment } from '../../envs/load-environment';

const REPO = path.resolve(__dirname, '..', '..');
let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-record-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const prod = (): EnvironmentConfig => loadEnvironment('prod', { builtImageFile: false });
const withLeaseStore = (e: EnvironmentConfig, change: Record<string, unknown>): EnvironmentConfig => ({ ...e, leaseStore: { ...e.leaseStore, ...change } as EnvironmentConfig['leaseStore'] });

test('the committed records match the shipped envs (so `npm run synth` passes on a clean checkout)', () => {
  for (const name of ['dev', 'stage', 'prod'] as const) {
    const file = path.join(REPO, 'envs', 'deployed', `${name}.json`);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(recordOf(loadEnvironment(name, { builtImageFile: false })));
  }
});

test('first synth writes the record; an unchanged env passes', () => {
  const first = checkDeployedRecord(prod(), tmp);
  expect(first.problems).toEqual([]);
  first.commit();
  expect(JSON.parse(fs.readFileSync(path.join(tmp, 'prod.json'), 'utf8'))).toEqual({ env: 'prod', leaseStore: { members: 3, storageSize: prod().leaseStore.storageSize } });
  expect(checkDeployedRecord(prod(), tmp).problems).toEqual([]);
});

test('a member count or storage size change is refused with the manual procedure; --accept-lease-store-change records it', () => {
  checkDeployedRecord(prod(), tmp).commit();
  const five = checkDeployedRecord(withLeaseStore(prod(), { members: 5 }), tmp);
  expect(five.problems).toHaveLength(1);
  expect(five.problems[0]).toMatch(/^envs\/prod: leaseStore.members changes from 3 \(deployed, .*prod.json\) to 5: refused, etcd members join a static --initial-cluster/);
  expect(five.problems[0]).toMatch(/etcdctl snapshot save.*etcdctl member add rspp-etcd-<n>.*scale the StatefulSet up by one.*--accept-lease-store-change/);
  five.commit(); // a refused change never rewrites the record
  expect(JSON.parse(fs.readFileSync(path.join(tmp, 'prod.json'), 'utf8')).leaseStore.members).toBe(3);

  const bigger = checkDeployedRecord(withLeaseStore(prod(), { storageSize: '50Gi' }), tmp);
  expect(bigger.problems[0]).toMatch(/leaseStore.storageSize changes from ".*" .* to "50Gi": refused, volumeClaimTemplates of a StatefulSet are immutable.*patch pvc data-rspp-etcd-<n>.*delete statefulset rspp-etcd --cascade=orphan/);

  const accepted = checkDeployedRecord(withLeaseStore(prod(), { members: 5 }), tmp, true);
  expect(accepted.problems).toEqual([]);
  accepted.commit();
  expect(JSON.parse(fs.readFileSync(path.join(tmp, 'prod.json'), 'utf8')).leaseStore.members).toBe(5);
});

test('npm run synth refuses a change against the record and writes nothing', () => {
  const records = path.join(tmp, 'records');
  fs.mkdirSync(records);
  fs.writeFileSync(path.join(records, 'prod.json'), JSON.stringify({ env: 'prod', leaseStore: { members: 5, storageSize: prod().leaseStore.storageSize } }));
  const out = path.join(tmp, 'dist');
  const result = runSynth({ envs: ['prod'], outRoot: out, builtImageFile: false, recordsDir: records });
  expect(result.ok).toBe(false);
  expect(result.report).toMatch(/leaseStore.members changes from 5 .* to 3: refused/);
  expect(fs.existsSync(path.join(out, 'prod'))).toBe(false);
});
