/**
 * The `cluster` block of the env schema (issue #12), kept in its own file so the schema-library
 * migration (issue #17) can port it as one piece. Messages follow `<path>: <problem>; <fix>`.
 */
import type { EnvName } from './environment-config';
import { CLUSTER_FLAVOUR_NAMES, CLUSTER_FLAVOURS } from './cluster-flavour';
import { parseCidr } from './cidr';
import type { Spec } from './schema-language';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Envs whose volumes must name a StorageClass (a fresh EKS ≥ 1.30 cluster has no default one). */
const STORAGE_CLASS_REQUIRED: readonly EnvName[] = ['stage', 'prod'];

/** Why `ip` is not a single IPv4/IPv6 resolver address; `undefined` when it is. */
export function resolverAddressProblem(ip: string): string | undefined {
  if (ip.includes('/')) return `${JSON.stringify(ip)} is a CIDR; list single resolver IP addresses (e.g. "169.254.20.10")`;
  const parsed = parseCidr(`${ip}/${ip.includes(':') ? 128 : 32}`);
  return parsed.cidr === undefined ? `${JSON.stringify(ip)} is not an IPv4/IPv6 address in canonical form (e.g. "169.254.20.10")` : undefined;
}

export const CLUSTER_FLAVOUR_SPEC: Spec = {
  kind: 'object',
  fields: {
    flavour: { kind: 'enum', values: CLUSTER_FLAVOUR_NAMES, hint: `use one of ${CLUSTER_FLAVOUR_NAMES.map((n) => `"${n}"`).join(', ')} (the kind of cluster: DNS egress, default StorageClass, metrics-server and scrape jobs follow from it)` },
    storageClassName: {
      kind: 'string',
      optional: true,
      describe: 'a StorageClass name (DNS subdomain, e.g. "gp3")',
      test: (v) => (DNS_SUBDOMAIN.test(v) || DNS_LABEL.test(v) ? undefined : `${JSON.stringify(v)} is not a StorageClass name; use lowercase letters, digits, "-" and "." (e.g. "gp3")`),
    },
    dnsResolverAddresses: {
      kind: 'array',
      optional: true,
      minItems: 1,
      maxItems: 8,
      unique: true,
      hint: 'list the node-local/metadata resolver addresses pods query, or remove the field',
      items: { kind: 'string', describe: 'a resolver IP address (e.g. "169.254.20.10")', test: resolverAddressProblem },
    },
  },
};

/** stage/prod must name a StorageClass (the claims of a cluster without a default one stay Pending). */
export function clusterPostureProblems(env: EnvName, cfg: Record<string, unknown>): string[] {
  const cluster = typeof cfg.cluster === 'object' && cfg.cluster !== null ? (cfg.cluster as Record<string, unknown>) : undefined;
  if (cluster === undefined || !STORAGE_CLASS_REQUIRED.includes(env) || cluster.storageClassName !== undefined) return [];
  const flavour = CLUSTER_FLAVOURS[cluster.flavour as keyof typeof CLUSTER_FLAVOURS];
  const example = flavour?.defaultStorageClass ?? 'gp3';
  return [
    `cluster.storageClassName: required in ${env}; volume claims without a class stay Pending on clusters with no default StorageClass (EKS ≥ 1.30) and the release rolls back: ` +
      `set cluster.storageClassName to an existing StorageClass (e.g. "${example}")`,
  ];
}
