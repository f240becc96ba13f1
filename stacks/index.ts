/** cdktf stacks (the only folder importing cdktf): one `RsppStack` per env, synth and validation helpers. */
export { RsppStack, RELEASE_RECORDS_NAMESPACE, type PlatformChart, type RsppStackProps } from './rspp-stack';
export { buildTerraformApp, stageTerraform, synthTerraform, type StagedTerraform, type SynthesizedTerraform, type TerraformAppOptions } from './terraform-app';
export { synthAll, type SynthAllOptions, type SynthAllResult } from './synth-all';
export { validateTerraformStack, validateTerraformStacks, type StackValidation } from './terraform-validate';
export { scanStackForSecrets, type SecretFinding } from './secret-scan';
export { HELM_PROVIDER, KUBERNETES_PROVIDER } from './provider-pins';
export { CERT_MANAGER_CHART, REDIS_CHART } from './chart-pins';
