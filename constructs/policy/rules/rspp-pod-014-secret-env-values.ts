import { asArray, asRecord, asString } from '../manifest-object';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

/** Names that say "I hold a secret". */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE)/i;
/** Suffixes that say "I name where a secret is", not the secret itself (e.g. `TLS_KEY_FILE=/tls/tls.key`). */
const REFERENCE_SUFFIX = /_(FILE|PATH|DIR|NAME|REF|SECONDS|TTL)$/i;

/** Value shapes that are credentials whatever the variable is called. Never echoed in messages. */
const SECRET_VALUE_SHAPES: readonly (readonly [string, RegExp])[] = [
  ['a PEM block', /-----BEGIN [A-Z0-9 ]+-----/],
  ['a JWT', /^eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*$/],
  ['an AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ['a Slack token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/],
  ['a private API key (sk-...)', /\bsk-[A-Za-z0-9_-]{20,}/],
  ['a URL with an embedded password', /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i],
];

/** Why a literal env value looks secret, or undefined. */
export function secretLikeReason(name: string, value: string): string | undefined {
  for (const [shape, pattern] of SECRET_VALUE_SHAPES) {
    if (pattern.test(value)) return `value looks like ${shape}`;
  }
  if (value !== '' && SECRET_NAME.test(name) && !REFERENCE_SUFFIX.test(name)) {
    return `name "${name}" says it holds a secret but its value is a literal`;
  }
  return undefined;
}

export const RSPP_POD_014: PolicyRule = {
  id: 'RSPP-POD-014',
  title: 'no secret values in env[].value; secrets come from secretKeyRef or mounted volumes',
  why: 'A literal in the manifest lands in git, Helm values, Terraform state and `kubectl get -o yaml` for anyone who can read the object.',
  fix: 'put the value in a Secret and use env[].valueFrom.secretKeyRef (or mount it as a file)',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      for (const c of w.containers) {
        asArray(c.container.env).forEach((raw, i) => {
          const env = asRecord(raw);
          const name = asString(env.name) ?? '';
          const value = asString(env.value);
          if (value === undefined) return;
          const reason = secretLikeReason(name, value);
          if (reason !== undefined) {
            out.push(violation(w.object, [...c.path, 'env', i, 'value'], `container "${c.name}" env ${name}: ${reason}`));
          }
        });
      }
    }
    return out;
  },
};
