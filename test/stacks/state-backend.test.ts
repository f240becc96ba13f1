/**
 * Backend settings from `env.terraform`: what each backend needs, and what is refused (credentials,
 * unknown keys, settings on a local backend), with errors naming the env and the key.
 */
import { App, TerraformStack, Testing } from 'cdktf';
import type { EnvironmentConfig, TerraformEnvConfig } from '../../envs/environment-config';
import { loadEnvironment } from '../../envs/load-environment';
import { backendSettings, configureStateBackend } from '../../stacks/state-backend';

const withTerraform = (terraform: TerraformEnvConfig): EnvironmentConfig => ({ ...loadEnvironment('stage', { builtImageFile: false }), terraform });

function synthBackend(terraform: TerraformEnvConfig): Record<string, any> {
  const stack = new TerraformStack(new App({ outdir: Testing.app().outdir }), 'stage');
  configureStateBackend(stack, withTerraform(terraform));
  return JSON.parse(Testing.synth(stack)).terraform.backend;
}

test('s3: bucket and key required; encrypted, with S3-native locking', () => {
  expect(synthBackend({ backend: 's3', backendConfig: { bucket: 'b', key: 'k', region: 'eu-west-1' } }))
    .toEqual({ s3: { bucket: 'b', key: 'k', region: 'eu-west-1', encrypt: true, use_lockfile: true } });
});

test('gcs, azurerm and remote backends are configurable; snake_case keys are accepted', () => {
  expect(synthBackend({ backend: 'gcs', backendConfig: { bucket: 'b', prefix: 'stage' } })).toEqual({ gcs: { bucket: 'b', prefix: 'stage' } });
  expect(synthBackend({ backend: 'azurerm', backendConfig: { storage_account_name: 'sa', container_name: 'c', key: 'k' } }))
    .toEqual({ azurerm: { storage_account_name: 'sa', container_name: 'c', key: 'k' } });
  expect(synthBackend({ backend: 'remote', backendConfig: { organization: 'rspp', workspace: 'rspp-stage' } }))
    .toEqual({ remote: { organization: 'rspp', workspaces: { name: 'rspp-stage' } } });
});

test('every problem is reported at once, naming the env and the key', () => {
  expect(() => backendSettings(withTerraform({ backend: 's3', backendConfig: { secret_key: 'x', bucketz: 'b' } }))).toThrow(
    /envs\/stage: invalid Terraform backend:\n {2}- terraform.backendConfig.secretKey looks like a credential.*\n {2}- terraform.backendConfig.bucketz is not a s3 backend setting.*\n {2}- terraform.backendConfig.bucket is required.*\n {2}- terraform.backendConfig.key is required/s,
  );
});

test('a local backend takes no settings', () => {
  expect(() => backendSettings(withTerraform({ backend: 'local', backendConfig: { path: 'x' } }))).toThrow(/terraform.backendConfig is set but terraform.backend is "local"/);
});
