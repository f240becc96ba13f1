/**
 * The Terraform state backend of a stack, from `env.terraform`: local for dev (state file beside the
 * stack), a remote backend for stage/prod configured by `env.terraform.backendConfig`.
 *
 * The config carries locations only (bucket, key, organisation...): credential-like keys are refused,
 * credentials come from the environment of whoever runs `cdktf deploy` (AWS_PROFILE, GOOGLE_*, ARM_*,
 * TF_TOKEN_*), never from the synthesized JSON.
 */
import { AzurermBackend, GcsBackend, LocalBackend, RemoteBackend, S3Backend, TerraformStack } from 'cdktf';
import type { EnvironmentConfig, TerraformEnvConfig } from '../envs/environment-config';

type BackendKind = TerraformEnvConfig['backend'];

interface BackendRule {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

/** Keys each backend accepts from `backendConfig` (camelCase as cdktf spells them; snake_case is accepted too). */
const BACKEND_RULES: Readonly<Record<Exclude<BackendKind, 'local'>, BackendRule>> = {
  s3: { required: ['bucket', 'key'], optional: ['region', 'dynamodbTable', 'kmsKeyId', 'workspaceKeyPrefix', 'profile', 'roleArn'] },
  gcs: { required: ['bucket'], optional: ['prefix', 'impersonateServiceAccount', 'kmsEncryptionKey'] },
  azurerm: { required: ['storageAccountName', 'containerName', 'key'], optional: ['resourceGroupName', 'subscriptionId', 'tenantId', 'useAzureadAuth'] },
  remote: { required: ['organization', 'workspace'], optional: ['hostname'] },
};

const CREDENTIAL_KEY = /(secret|password|token|accesskey|sas|credential|privatekey|clientcertificate)/i;

const camel = (key: string): string => key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Validated, camelCased backend settings; every problem in one error naming `envs/<env>` and the key. */
export function backendSettings(env: EnvironmentConfig): Record<string, string> {
  const { backend, backendConfig = {} } = env.terraform;
  if (backend === 'local') {
    if (Object.keys(backendConfig).length > 0) {
      throw new Error(`envs/${env.name}: terraform.backendConfig is set but terraform.backend is "local"; remove backendConfig or choose a remote backend`);
    }
    return {};
  }
  const rule = BACKEND_RULES[backend];
  const settings = Object.fromEntries(Object.entries(backendConfig).map(([k, v]) => [camel(k), v]));
  const problems: string[] = [];
  for (const key of Object.keys(settings)) {
    if (CREDENTIAL_KEY.test(key)) {
      problems.push(`terraform.backendConfig.${key} looks like a credential; credentials come from the environment of the deploying user, never from the config`);
    } else if (!rule.required.includes(key) && !rule.optional.includes(key)) {
      problems.push(`terraform.backendConfig.${key} is not a ${backend} backend setting (allowed: ${[...rule.required, ...rule.optional].join(', ')})`);
    }
  }
  for (const key of rule.required) {
    if (!settings[key]) problems.push(`terraform.backendConfig.${key} is required for the ${backend} backend`);
  }
  if (problems.length > 0) throw new Error(`envs/${env.name}: invalid Terraform backend:\n  - ${problems.join('\n  - ')}`);
  return settings;
}

/** Default folder of local state files, relative to the project root; git-ignored, never under a synth output. */
export const LOCAL_STATE_DIR = '.terraform-state';

/**
 * Configures the stack's backend. A local backend keeps its state file `terraform.<env>.tfstate` in
 * `localStatePath` (relative to the stack's folder, Terraform's working directory): by default
 * `<project>/.terraform-state/`, outside `cdktf.out/`, so no synth (ours or `cdktf synth`) can delete it.
 */
export function configureStateBackend(stack: TerraformStack, env: EnvironmentConfig, localStatePath = `terraform.${env.name}.tfstate`): void {
  const s = backendSettings(env);
  switch (env.terraform.backend) {
    case 'local':
      new LocalBackend(stack, { path: localStatePath });
      return;
    case 's3':
      new S3Backend(stack, {
        bucket: s.bucket, key: s.key, region: s.region, dynamodbTable: s.dynamodbTable, kmsKeyId: s.kmsKeyId,
        workspaceKeyPrefix: s.workspaceKeyPrefix, profile: s.profile, roleArn: s.roleArn,
        encrypt: true, // state holds no secret values, but is encrypted at rest regardless
      });
      stack.addOverride('terraform.backend.s3.use_lockfile', true);
      return;
    case 'gcs':
      new GcsBackend(stack, { bucket: s.bucket, prefix: s.prefix, impersonateServiceAccount: s.impersonateServiceAccount, kmsEncryptionKey: s.kmsEncryptionKey });
      return;
    case 'azurerm':
      new AzurermBackend(stack, {
        storageAccountName: s.storageAccountName, containerName: s.containerName, key: s.key,
        resourceGroupName: s.resourceGroupName, subscriptionId: s.subscriptionId, tenantId: s.tenantId,
        useAzureadAuth: s.useAzureadAuth === undefined ? undefined : s.useAzureadAuth === 'true',
      });
      return;
    case 'remote':
      new RemoteBackend(stack, { organization: s.organization, hostname: s.hostname, workspaces: { name: s.workspace } });
      return;
  }
}
