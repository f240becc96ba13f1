import { checkPolicy, formatPolicyReport } from '../../../constructs/policy';
import { goldenApp } from './fixtures/golden-app';

describe('golden app', () => {
  it.each(['dev', 'stage', 'prod'] as const)('passes every rule in %s', (env) => {
    const report = checkPolicy(goldenApp(), { env });
    expect(report.findings.map((f) => f.text)).toEqual([]);
    expect(report.exemptionErrors).toEqual([]);
    expect(report.passed).toBe(true);
    const expectedApplicable = env === 'dev' ? 24 : 27;
    expect(report.rules.filter((r) => r.status === 'passed')).toHaveLength(expectedApplicable);
    expect(formatPolicyReport(report)).toContain(`policy (${env}): PASSED`);
  });
});
