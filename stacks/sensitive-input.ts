/**
 * Secret inputs of a stack: Terraform variables that are `sensitive` (redacted from plan and
 * output) and `ephemeral` (Terraform 1.10+: never written to the plan or state). They are only
 * consumed by write-only arguments (`data_wo` of a Secret, `set_wo` of a release), so the values
 * exist in the cluster and nowhere in `cdk.tf.json` or the state.
 */
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';

/** Declares a sensitive, ephemeral string variable with the exact logical id `name`. */
export function sensitiveInput(scope: Construct, name: string, description: string): TerraformVariable {
  const variable = new TerraformVariable(scope, name, { type: 'string', sensitive: true, nullable: false, description });
  variable.overrideLogicalId(name);
  // cdktf 0.21 has no `ephemeral` prop; the override writes the Terraform 1.10 attribute.
  variable.addOverride('ephemeral', true);
  return variable;
}

/**
 * The revision of write-only values: Terraform cannot diff what it never stores, so a rotation is
 * announced by bumping this number (`--var secrets_revision=2`).
 */
export function secretsRevision(scope: Construct): TerraformVariable {
  const variable = new TerraformVariable(scope, 'secrets_revision', {
    type: 'number',
    default: 1,
    description: 'Bump to push new values of the ephemeral secret variables (write-only arguments are not diffed).',
  });
  variable.overrideLogicalId('secrets_revision');
  return variable;
}
