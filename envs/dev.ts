/** dev: one of everything, no HA, local Terraform state, self-signed CA. */
import type { EnvironmentConfig } from './environment-config';
import { COMMON_ENV } from './defaults';

export const dev: EnvironmentConfig = {
  ...COMMON_ENV,
  name: 'dev',
  // Names derive from the env, so envs can share a cluster (issue #13): rspp-<env>, livekit-<env>.
  namespace: 'rspp-dev',
  highAvailability: false,
  authority: { mode: 'single-region', region: 'local' },
  runtime: { ...COMMON_ENV.runtime, minReplicas: 1, maxReplicas: 1 },
  controlPlane: { ...COMMON_ENV.controlPlane, replicas: 1 },
  leaseStore: { ...COMMON_ENV.leaseStore, members: 1, storageSize: '1Gi' },
  tls: { ...COMMON_ENV.tls, issuer: 'self-signed-ca' },
  livekit: { ...COMMON_ENV.livekit, namespace: 'livekit-dev', domain: 'livekit.dev.rspp.example.com', replicas: 1 },
  terraform: { backend: 'local' },
  cluster: { flavour: 'kind' },
  alerting: { receivers: [] },
};
