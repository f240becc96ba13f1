/**
 * The secret scanner finds what it is for: each planted leak in an otherwise clean stack is reported
 * with its path, and the clean stack passes.
 */
import { looksLikeSecretLiteral, scanStackForSecrets } from '../../stacks/secret-scan';

const clean = () => ({
  variable: {
    api_key: { type: 'string', sensitive: true, ephemeral: true },
    revision: { type: 'number', default: 1 },
  },
  resource: {
    kubernetes_secret_v1: { keys: { metadata: { name: 'keys' }, data_wo: { 'keys.yaml': '${var.api_key}' }, data_wo_revision: '${var.revision}' } },
    helm_release: {
      app: {
        name: 'app',
        values: ['image: ghcr.io/x/y@sha256:' + 'a'.repeat(64) + '\nexistingSecret: keys\nauth:\n  existingSecretPasswordKey: redis-password\n'],
        set_wo: [{ name: 'auth.password', value: '${var.api_key}' }],
      },
    },
  },
});

test('a clean stack has no findings', () => {
  expect(scanStackForSecrets(clean())).toEqual([]);
});

test('a Secret with data (stored in state) is reported', () => {
  const stack: any = clean();
  stack.resource.kubernetes_secret_v1.keys.data = { 'keys.yaml': '${var.api_key}' };
  expect(scanStackForSecrets(stack).map((f) => f.path)).toContain('resource.kubernetes_secret_v1.keys.data');
});

test('a literal password in Helm values YAML is reported', () => {
  const stack: any = clean();
  stack.resource.helm_release.app.values = ['auth:\n  password: hunter2\n'];
  expect(scanStackForSecrets(stack)).toEqual([expect.objectContaining({ path: 'resource.helm_release.app.values[0]<yaml>.auth.password' })]);
});

test('a literal in a set_wo entry and a non-ephemeral variable feeding a write-only argument are reported', () => {
  const stack: any = clean();
  stack.resource.helm_release.app.set_wo = [{ name: 'auth.password', value: 'literal-pass' }];
  stack.variable.api_key = { type: 'string', sensitive: true };
  const reasons = scanStackForSecrets(stack).map((f) => f.reason).join('\n');
  expect(reasons).toContain('secret-named field "password" holds a literal value');
  expect(reasons).toContain('uses variable "api_key", which is not sensitive and ephemeral');
});

test('a pasted high-entropy token anywhere is reported; digests and names are not', () => {
  const stack: any = clean();
  stack.output = { leaked: { value: 'AKIAx9f3Kq2LmN8vB7cD1eF5gH6jK0pQ' } };
  expect(scanStackForSecrets(stack).map((f) => f.path)).toEqual(['output.leaked.value']);
  expect(looksLikeSecretLiteral('sha256:' + 'ab12'.repeat(16))).toBe(false);
  expect(looksLikeSecretLiteral('kube-prometheus-stack')).toBe(false);
});

test('a sensitive variable with a default is reported', () => {
  const stack: any = clean();
  stack.variable.api_key = { type: 'string', sensitive: true, ephemeral: true, default: 'x' };
  expect(scanStackForSecrets(stack).map((f) => f.reason).join('\n')).toContain('sensitive variable "api_key" has a default value');
});
