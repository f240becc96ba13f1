/**
 * Fields a deployed env cannot change by a plain apply (issue #13): the etcd member count (the static
 * `--initial-cluster`) and the volume claim template of its StatefulSet (size, StorageClass; immutable
 * in the API). An apply would fail half-way, after other objects changed.
 *
 * How synth knows the deployed value: a committed per-env record, `envs/deployed/<env>.json`, written
 * by the first `npm run synth` of the env (so commit it with the first deploy) and rewritten only with
 * `--accept-lease-store-change` once the manual procedure printed here is done. A change against the
 * record is refused at synth, before anything is written. The previous synth output was rejected as
 * the source: `dist/` is not committed and a CI checkout starts without it.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { EnvironmentConfig } from '../../envs/environment-config';

/** Default folder of the records (relative to the project root). */
export const DEPLOYED_RECORDS_DIR = path.join('envs', 'deployed');

/** The recorded, deploy-time-immutable fields, as data: path in the env, and the manual procedure. */
export const IMMUTABLE_LEASE_STORE_FIELDS = [
  {
    field: 'members',
    why: 'etcd members join a static --initial-cluster; the StatefulSet would start members no cluster knows',
    procedure: (env: EnvironmentConfig, from: unknown, to: unknown): string =>
      `change the membership one member at a time: back up (etcdctl snapshot save), then for each step ` +
      `${Number(to) > Number(from) ? '"etcdctl member add rspp-etcd-<n> --peer-urls=https://rspp-etcd-<n>.rspp-etcd-peers.' + env.namespace + '.svc:2380", then scale the StatefulSet up by one' : 'scale the StatefulSet down by one, then "etcdctl member remove <id>" of the removed member'}; ` +
      `keep an odd count (${String(from)} → ${String(to)})`,
  },
  {
    field: 'storageSize',
    why: 'volumeClaimTemplates of a StatefulSet are immutable',
    procedure: (env: EnvironmentConfig, _from: unknown, to: unknown): string =>
      `expand each claim in place (kubectl -n ${env.namespace} patch pvc data-rspp-etcd-<n> -p '{"spec":{"resources":{"requests":{"storage":"${String(to)}"}}}}', ` +
      `needs allowVolumeExpansion on the StorageClass), then kubectl -n ${env.namespace} delete statefulset rspp-etcd --cascade=orphan so the next deploy recreates it with the new template (the pods keep running)`,
  },
  {
    field: 'storageClassName',
    why: 'volumeClaimTemplates of a StatefulSet are immutable, and a claim cannot move to another StorageClass',
    procedure: (env: EnvironmentConfig): string =>
      `migrate the data: etcdctl snapshot save, uninstall the lease store, delete its claims in ${env.namespace}, deploy, etcdctl snapshot restore`,
  },
] as const;

type Recorded = Partial<Record<(typeof IMMUTABLE_LEASE_STORE_FIELDS)[number]['field'], unknown>>;

export interface DeployedRecord {
  readonly env: string;
  readonly leaseStore: Recorded;
}

/** The record of what synth would deploy now (managed lease store only; undefined otherwise). */
export function recordOf(env: EnvironmentConfig): DeployedRecord | undefined {
  const ls = env.leaseStore;
  if (ls.mode !== 'managed') return undefined;
  const leaseStore: Recorded = {};
  for (const { field } of IMMUTABLE_LEASE_STORE_FIELDS) if (ls[field] !== undefined) leaseStore[field] = ls[field];
  return { env: env.name, leaseStore };
}

export interface DeployedRecordCheck {
  /** One message per refused change: field, recorded → new value, why, and the manual procedure. */
  readonly problems: readonly string[];
  /** Writes the record (first synth, or an accepted change); call only when the synth succeeded. */
  readonly commit: () => void;
}

/** Compares the env with its record in `dir`; `accept` takes the new values (after the manual procedure). */
export function checkDeployedRecord(env: EnvironmentConfig, dir: string, accept = false): DeployedRecordCheck {
  const now = recordOf(env);
  const file = path.join(dir, `${env.name}.json`);
  const write = (): void => {
    if (!now) return;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(now, null, 2) + '\n');
  };
  if (!now) return { problems: [], commit: () => undefined };
  if (!fs.existsSync(file)) return { problems: [], commit: write };
  let recorded: DeployedRecord;
  try {
    recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as DeployedRecord;
  } catch (err) {
    return { problems: [`${file}: not valid JSON (${(err as Error).message}); restore it from git`], commit: () => undefined };
  }
  const problems: string[] = [];
  for (const { field, why, procedure } of IMMUTABLE_LEASE_STORE_FIELDS) {
    const from = recorded.leaseStore?.[field];
    const to = now.leaseStore[field];
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    problems.push(
      `envs/${env.name}: leaseStore.${field} changes from ${JSON.stringify(from)} (deployed, ${file}) to ${JSON.stringify(to)}: refused, ${why}. ` +
        `Manual procedure: ${procedure(env, from, to)}. Then run synth with --accept-lease-store-change to record the new value.`,
    );
  }
  const changed = problems.length > 0;
  return { problems: accept ? [] : problems, commit: changed && !accept ? () => undefined : write };
}
