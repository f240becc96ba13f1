/** stage: HA on, runtime 2–4, control plane 2, etcd 3, remote Terraform state, CA issuer. */
import type { EnvironmentConfig } from './environment-config';
import { COMMON_ENV } from './defaults';

export const stage: EnvironmentConfig = {
  ...COMMON_ENV,
  name: 'stage',
  // Names derive from the env, so envs can share a cluster (issue #13): rspp-<env>, livekit-<env>.
  namespace: 'rspp-stage',
  highAvailability: true,
  authority: { mode: 'single-region', region: 'eu-west-1' },
  runtime: { ...COMMON_ENV.runtime, minReplicas: 2, maxReplicas: 4 },
  controlPlane: { ...COMMON_ENV.controlPlane, replicas: 2 },
  leaseStore: { ...COMMON_ENV.leaseStore, members: 3 },
  tls: { ...COMMON_ENV.tls, issuer: 'ca-issuer' },
  livekit: { ...COMMON_ENV.livekit, namespace: 'livekit-stage', domain: 'livekit.stage.rspp.example.com', replicas: 1 },
  terraform: { backend: 's3', backendConfig: { bucket: 'rspp-terraform-state', key: 'stage/terraform.tfstate', region: 'eu-west-1' } },
  cluster: { flavour: 'eks', storageClassName: 'gp3' },
  alerting: { receivers: [{ name: 'platform-team', kind: 'slack', channel: '#rspp-stage-alerts' }] },
};
