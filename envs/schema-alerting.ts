/**
 * The `alerting` block of the env schema (issue #12), in its own file for the schema-library
 * migration (issue #17). Messages follow `<path>: <problem>; <fix>`.
 */
import type { EnvName } from './environment-config';
import type { Spec } from './schema-language';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** Envs whose alerts must reach someone. */
const RECEIVER_REQUIRED: readonly EnvName[] = ['stage', 'prod'];

const receiverName = (v: string): string | undefined =>
  DNS_LABEL.test(v) && v.length <= 40 && v !== 'null' ? undefined : `${JSON.stringify(v)} is not a receiver name; use a DNS label of at most 40 characters (not "null"), e.g. "oncall"`;

export const ALERTING_SPEC: Spec = {
  kind: 'object',
  fields: {
    receivers: {
      kind: 'array',
      minItems: 0,
      maxItems: 10,
      unique: true,
      items: {
        kind: 'object',
        fields: {
          name: { kind: 'string', describe: 'a receiver name (DNS label)', test: receiverName },
          kind: { kind: 'enum', values: ['webhook', 'slack', 'pagerduty'] },
          channel: { kind: 'string', optional: true, describe: 'a Slack channel ("#name")', test: (v) => (/^#[a-z0-9][a-z0-9._-]{0,79}$/.test(v) ? undefined : `${JSON.stringify(v)} is not a Slack channel; use "#" and a lowercase channel name, e.g. "#alerts"`) },
          existingSecret: {
            kind: 'object',
            optional: true,
            fields: {
              name: { kind: 'string', describe: 'a Secret name (DNS label)', test: (v) => (DNS_LABEL.test(v) ? undefined : `${JSON.stringify(v)} is not a Secret name (lowercase letters, digits, "-")`) },
              key: { kind: 'string', describe: 'a Secret key', test: (v) => (SECRET_KEY.test(v) ? undefined : `${JSON.stringify(v)} is not a Secret key (letters, digits, "-", "_", ".")`) },
            },
            unknownKeyHint: () => 'the credential itself never goes in the config: name the Secret and key that hold it',
          },
        },
        unknownKeyHint: (k) =>
          /url|key|token|secret|password/i.test(k)
            ? `credentials never go in the config: put it in a Secret and set existingSecret { name, key }, or leave existingSecret unset to pass it as the sensitive Terraform variable alert_receiver_<name>`
            : undefined,
      },
    },
  },
};

/** stage/prod need a receiver; names are unique; `channel` is Slack's only. */
export function alertingPostureProblems(env: EnvName, cfg: Record<string, unknown>): string[] {
  const alerting = typeof cfg.alerting === 'object' && cfg.alerting !== null ? (cfg.alerting as Record<string, unknown>) : undefined;
  if (alerting === undefined || !Array.isArray(alerting.receivers)) return [];
  const receivers = alerting.receivers as Array<Record<string, unknown>>;
  const problems: string[] = [];
  if (RECEIVER_REQUIRED.includes(env) && receivers.length === 0) {
    problems.push(`alerting.receivers: empty in ${env}; alerts would go to the "null" receiver and reach no one: add a receiver, e.g. { name: "oncall", kind: "pagerduty" }`);
  }
  const seen = new Set<unknown>();
  receivers.forEach((r, i) => {
    if (typeof r !== 'object' || r === null) return;
    if (seen.has(r.name)) problems.push(`alerting.receivers[${i}].name: "${String(r.name)}" is used twice; give each receiver its own name`);
    seen.add(r.name);
    if (r.channel !== undefined && r.kind !== 'slack') problems.push(`alerting.receivers[${i}].channel: only used by kind "slack"; remove it or set kind to "slack"`);
  });
  return problems;
}
