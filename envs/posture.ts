/**
 * The MVP single-region posture per environment (architecture §3). `schema.ts` enforces the floors and
 * the fixed choices; `dev.ts`, `stage.ts` and `prod.ts` start from the starting points.
 */
import type { EnvName, TerraformEnvConfig, TlsEnvConfig } from './environment-config';

export interface EnvPosture {
  /** Fewest runtime replicas (HPA min) the env may run. */
  readonly runtimeMinReplicasFloor: number;
  /** Fewest control-plane replicas. */
  readonly controlPlaneReplicasFloor: number;
  /** Fewest managed etcd members (always odd). */
  readonly etcdMembersFloor: number;
  /** PDBs, anti-affinity and topology spread are mandatory. */
  readonly requiresHighAvailability: boolean;
  /** Terraform backends the env may use. */
  readonly terraformBackends: readonly TerraformEnvConfig['backend'][];
  /** Certificate issuers the env may use. */
  readonly issuers: readonly TlsEnvConfig['issuer'][];
}

const REMOTE_BACKENDS: readonly TerraformEnvConfig['backend'][] = ['s3', 'gcs', 'azurerm', 'remote'];

export const MVP_POSTURE: Readonly<Record<EnvName, EnvPosture>> = {
  dev: {
    runtimeMinReplicasFloor: 1,
    controlPlaneReplicasFloor: 1,
    etcdMembersFloor: 1,
    requiresHighAvailability: false,
    terraformBackends: ['local', ...REMOTE_BACKENDS],
    issuers: ['self-signed-ca', 'ca-issuer'],
  },
  stage: {
    runtimeMinReplicasFloor: 2,
    controlPlaneReplicasFloor: 2,
    etcdMembersFloor: 3,
    requiresHighAvailability: true,
    terraformBackends: REMOTE_BACKENDS,
    issuers: ['ca-issuer'],
  },
  prod: {
    runtimeMinReplicasFloor: 3,
    controlPlaneReplicasFloor: 3,
    etcdMembersFloor: 3,
    requiresHighAvailability: true,
    terraformBackends: REMOTE_BACKENDS,
    issuers: ['ca-issuer'],
  },
};

export const ENV_NAMES: readonly EnvName[] = ['dev', 'stage', 'prod'];

/** Largest etcd cluster we allow: beyond 7 members write latency grows with no availability gain. */
export const ETCD_MEMBERS_MAX = 7;
/** Fewest replicas a workload needs for a PodDisruptionBudget (minAvailable = replicas - 1 ≥ 1). */
export const HA_MIN_REPLICAS = 2;
