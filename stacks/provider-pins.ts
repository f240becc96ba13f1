/**
 * Exact versions of the Terraform providers. They are read from the prebuilt bindings' own metadata
 * (`@cdktf/provider-*` package.json, `cdktf.provider.version`), so the pin is the provider version
 * the TypeScript classes were generated from, never a range, and a bindings bump moves both at once.
 */
import kubernetesBindings from '@cdktf/provider-kubernetes/package.json';
import helmBindings from '@cdktf/provider-helm/package.json';

export interface ProviderPin {
  /** Local name in `required_providers`. */
  readonly name: string;
  /** Registry source address. */
  readonly source: string;
  /** Exact version. */
  readonly version: string;
}

function pinOf(name: string, bindings: { cdktf?: { provider?: { name?: string; version?: string } } }): ProviderPin {
  const provider = bindings.cdktf?.provider;
  const match = /^registry\.terraform\.io\/(.+)$/.exec(provider?.name ?? '');
  if (!match || !provider?.version || !/^\d+\.\d+\.\d+$/.test(provider.version)) {
    throw new Error(`stacks/provider-pins.ts: @cdktf/provider-${name}/package.json has no exact cdktf.provider name/version; cannot pin the ${name} provider`);
  }
  return { name, source: match[1], version: provider.version };
}

/** hashicorp/kubernetes, as generated into @cdktf/provider-kubernetes 12.1.1. */
export const KUBERNETES_PROVIDER = pinOf('kubernetes', kubernetesBindings);
/** hashicorp/helm, as generated into @cdktf/provider-helm 12.1.2. */
export const HELM_PROVIDER = pinOf('helm', helmBindings);

/**
 * Oldest Terraform that can apply the stacks: ephemeral input variables (1.10), write-only arguments
 * (`data_wo`, `set_wo`: 1.11) and the S3 backend's `use_lockfile` (1.10). An older binary would fail
 * mid-plan with an unknown-argument error instead of a clear version message.
 */
export const TERRAFORM_REQUIRED_VERSION = '>= 1.11.0';
