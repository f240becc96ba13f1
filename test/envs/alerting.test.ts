/** The `alerting` block of EnvironmentConfig (issue #12 item 7): receivers, never credentials. */
import { dev, prod, stage } from '../../envs';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { environmentProblems } from '../../envs/schema';

const withReceivers = (env: EnvironmentConfig, receivers: unknown): unknown => ({ ...env, alerting: { receivers } });

describe('alert receivers in the env schema', () => {
  it('the shipped envs are valid; stage and prod alert someone', () => {
    for (const env of [dev, stage, prod]) expect(environmentProblems(env, env.name)).toEqual([]);
    expect(stage.alerting.receivers.length).toBeGreaterThan(0);
    expect(prod.alerting.receivers.length).toBeGreaterThan(0);
  });

  it.each([['stage', stage], ['prod', prod]] as const)('%s with no receiver is refused, with the fix', (name, env) => {
    expect(environmentProblems(withReceivers(env, []), name)).toEqual([
      `${name}: alerting.receivers: empty in ${name}; alerts would go to the "null" receiver and reach no one: add a receiver, e.g. { name: "oncall", kind: "pagerduty" }`,
    ]);
  });

  it('dev may have none', () => {
    expect(environmentProblems(withReceivers(dev, []), 'dev')).toEqual([]);
  });

  it('refuses a credential in the config, naming the fix', () => {
    const problems = environmentProblems(withReceivers(prod, [{ name: 'oncall', kind: 'slack', url: 'https://hooks.slack.com/services/T000/B000/XXXX' }]), 'prod');
    expect(problems).toEqual([expect.stringMatching(/^prod: alerting\.receivers\[0\]\.url: .*credentials never go in the config: put it in a Secret and set existingSecret \{ name, key \}/)]);
    expect(problems.join('\n')).not.toContain('hooks.slack.com');
  });

  it('refuses bad names, kinds, channels, duplicate names and a channel on a non-Slack receiver', () => {
    const problems = environmentProblems(withReceivers(prod, [
      { name: 'Oncall!', kind: 'email' },
      { name: 'team', kind: 'slack', channel: 'alerts' },
      { name: 'team', kind: 'webhook', channel: '#x' },
      { name: 'hooks', kind: 'webhook', existingSecret: { name: 'Bad Name', key: 'url' } },
    ]), 'prod');
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^prod: alerting\.receivers\[0\]\.name: "Oncall!" is not a receiver name/),
      expect.stringMatching(/^prod: alerting\.receivers\[0\]\.kind: "email"/),
      expect.stringMatching(/^prod: alerting\.receivers\[1\]\.channel: "alerts" is not a Slack channel/),
      'prod: alerting.receivers[2].name: "team" is used twice; give each receiver its own name',
      'prod: alerting.receivers[2].channel: only used by kind "slack"; remove it or set kind to "slack"',
      expect.stringMatching(/^prod: alerting\.receivers\[3\]\.existingSecret\.name: "Bad Name" is not a Secret name/),
    ]));
  });
});
