/** cdktf stacks (the only folder importing cdktf): one `RsppStack` per env, synth and validation helpers. */
export { RsppStack, PROTECTED_ENVS, releaseRecordsNamespace, type PlatformChart, type RsppStackProps } from './rspp-stack';
export { buildTerraformApp, stageTerraform, synthTerraform, type StagedTerraform, type SynthesizedTerraform, type TerraformAppOptions } from './terraform-app';
export { synthAll, type SynthAllOptions, type SynthAllResult } from './synth-all';
export { validateTerraformStack, validateTerraformStacks, type StackValidation } from './terraform-validate';
export { scanStackForSecrets, type SecretFinding } from './secret-scan';
export { HELM_PROVIDER, KUBERNETES_PROVIDER } from './provider-pins';
export { CERT_MANAGER_CHART } from './chart-pins';
export { LIVEKIT_VALKEY_SECRET, valkeyNamespaceOf, valkeyObjects } from './livekit-transport';
