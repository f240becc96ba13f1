/** prod: HA on, runtime 3–20, control plane 3, etcd 3, remote Terraform state, CA issuer (external root configurable). */
import type { EnvironmentConfig } from './environment-config';
import { COMMON_ENV } from './defaults';

export const prod: EnvironmentConfig = {
  ...COMMON_ENV,
  name: 'prod',
  // Names derive from the env, so envs can share a cluster (issue #13): rspp-<env>, livekit-<env>.
  namespace: 'rspp-prod',
  highAvailability: true,
  authority: { mode: 'single-region', region: 'eu-west-1' },
  runtime: { ...COMMON_ENV.runtime, minReplicas: 3, maxReplicas: 20 },
  controlPlane: { ...COMMON_ENV.controlPlane, replicas: 3 },
  leaseStore: { ...COMMON_ENV.leaseStore, members: 3, storageSize: '20Gi' },
  tls: { ...COMMON_ENV.tls, issuer: 'ca-issuer' },
  livekit: { ...COMMON_ENV.livekit, namespace: 'livekit-prod', domain: 'livekit.rspp.example.com', replicas: 2 },
  terraform: { backend: 's3', backendConfig: { bucket: 'rspp-terraform-state', key: 'prod/terraform.tfstate', region: 'eu-west-1' } },
  cluster: { flavour: 'eks', storageClassName: 'gp3' },
  alerting: { receivers: [{ name: 'oncall', kind: 'pagerduty' }, { name: 'platform-team', kind: 'slack', channel: '#rspp-prod-alerts' }] },
};
