/**
 * How a stack reaches its cluster: the kubeconfig path and context are Terraform input variables,
 * so one synthesized stack deploys to whichever cluster the operator points it at
 * (`npx cdktf deploy prod --var kubeconfig_context=prod-eu`), and no credential is in the JSON.
 */
import { TerraformStack, TerraformVariable } from 'cdktf';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { HELM_PROVIDER, KUBERNETES_PROVIDER, TERRAFORM_REQUIRED_VERSION } from './provider-pins';

export interface ClusterAccess {
  readonly kubeconfigPath: TerraformVariable;
  readonly kubeconfigContext: TerraformVariable;
  readonly kubernetes: KubernetesProvider;
  readonly helm: HelmProvider;
}

/** Declares the variables and configures both providers from them, pinned to exact versions. */
export function configureClusterAccess(stack: TerraformStack, envName: string): ClusterAccess {
  const scope = new Construct(stack, 'cluster-access');
  const kubeconfigPath = new TerraformVariable(scope, 'kubeconfig_path', {
    type: 'string',
    default: '~/.kube/config',
    description: 'Path of the kubeconfig file used by the kubernetes and helm providers.',
  });
  kubeconfigPath.overrideLogicalId('kubeconfig_path');
  const kubeconfigContext = new TerraformVariable(scope, 'kubeconfig_context', {
    type: 'string',
    description: `kubeconfig context of the ${envName} cluster (required: a stack never guesses its cluster).`,
  });
  kubeconfigContext.overrideLogicalId('kubeconfig_context');

  const kubernetes = new KubernetesProvider(scope, 'kubernetes', {
    configPath: kubeconfigPath.stringValue,
    configContext: kubeconfigContext.stringValue,
  });
  const helm = new HelmProvider(scope, 'helm', {
    kubernetes: { configPath: kubeconfigPath.stringValue, configContext: kubeconfigContext.stringValue },
  });
  for (const pin of [KUBERNETES_PROVIDER, HELM_PROVIDER]) {
    stack.addOverride(`terraform.required_providers.${pin.name}`, { source: pin.source, version: pin.version });
  }
  stack.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
  return { kubeconfigPath, kubeconfigContext, kubernetes, helm };
}
