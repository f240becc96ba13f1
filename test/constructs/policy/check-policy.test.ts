import { Testing, ApiObject } from 'cdk8s';
import {
  EXEMPTION_ANNOTATION_PREFIX,
  POLICY_RULE_IDS,
  PolicyCheckError,
  RSPP_POLICY_RULES,
  assertPolicy,
  checkPolicy,
  exemptFromPolicy,
  formatPolicyReport,
} from '../../../constructs/policy';
import { find, goldenApp, runtimePod } from './fixtures/golden-app';

const REASON = 'LiveKit needs host networking for UDP media';

describe('policy runner', () => {
  it('has one rule per id of the policy table, each with a why and a fix', () => {
    expect(RSPP_POLICY_RULES.map((r) => r.id)).toEqual([...POLICY_RULE_IDS]);
    for (const rule of RSPP_POLICY_RULES) {
      expect(rule.why.length).toBeGreaterThan(20);
      expect(rule.fix.length).toBeGreaterThan(10);
    }
  });

  it('formats findings exactly as RULE Kind/namespace/name field.path: message (fix: ...)', () => {
    const app = goldenApp();
    runtimePod(app).pod.hostPID = true;
    const report = checkPolicy(app, { env: 'dev' });
    expect(report.findings.map((f) => f.text)).toEqual([
      "RSPP-POD-001 Deployment/rspp/rspp-runtime spec.template.spec.hostPID: hostPID is true; the pod shares the node's namespace (fix: remove hostNetwork/hostPID/hostIPC (or set them to false))",
    ]);
    expect(report.findings[0]).toMatchObject({ ruleId: 'RSPP-POD-001', path: 'spec.template.spec.hostPID', object: { kind: 'Deployment', namespace: 'rspp', name: 'rspp-runtime' } });
    expect(report.passed).toBe(false);
    expect(report.rules.find((r) => r.id === 'RSPP-POD-001')).toMatchObject({ status: 'failed', findings: 1, exempted: 0 });
  });

  it('marks stage/prod-only rules not applicable in dev', () => {
    const report = checkPolicy(goldenApp(), { env: 'dev' });
    expect(report.rules.filter((r) => r.status === 'not-applicable').map((r) => r.id)).toEqual(['RSPP-HA-001', 'RSPP-HA-002', 'RSPP-HA-003']);
  });

  it('covers every workload kind at its own pod template path', () => {
    const { pod } = runtimePod(goldenApp());
    const bad = { ...pod, hostNetwork: true };
    const ns = 'rspp';
    const objects = [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'ss', namespace: ns }, spec: { template: { spec: bad } } },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: ns }, spec: { template: { spec: bad } } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job', namespace: ns }, spec: { template: { spec: bad } } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj', namespace: ns }, spec: { jobTemplate: { spec: { template: { spec: bad } } } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', namespace: ns }, spec: bad },
    ];
    const found = checkPolicy(objects, { env: 'dev' }).findings.filter((f) => f.ruleId === 'RSPP-POD-001').map((f) => `${f.object.kind} ${f.path}`);
    expect(found).toEqual([
      'StatefulSet spec.template.spec.hostNetwork',
      'DaemonSet spec.template.spec.hostNetwork',
      'Job spec.template.spec.hostNetwork',
      'CronJob spec.jobTemplate.spec.template.spec.hostNetwork',
      'Pod spec.hostNetwork',
    ]);
  });

  it('tolerates malformed objects (the offline validation reports them)', () => {
    const report = checkPolicy([null, 42, { kind: 'Deployment', spec: { template: { spec: { containers: 'nope' } } } }], { env: 'prod' });
    expect(report.objectCount).toBe(1);
    expect(report.passed).toBe(false);
  });

  it('rejects an unknown env', () => {
    expect(() => checkPolicy([], { env: 'qa' as never })).toThrow('checkPolicy: env "qa" is not one of dev, stage, prod');
  });

  it('assertPolicy throws listing every finding and returns the report when clean', () => {
    const app = goldenApp();
    const { pod, container } = runtimePod(app);
    pod.hostIPC = true;
    container.image = 'runtime:latest';
    let error: unknown;
    try {
      assertPolicy(app, { env: 'prod' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyCheckError);
    const message = (error as Error).message;
    expect(message).toContain('manifest policy failed for prod: 2 findings');
    expect(message).toContain('RSPP-POD-001 Deployment/rspp/rspp-runtime spec.template.spec.hostIPC');
    expect(message).toContain('RSPP-POD-011 Deployment/rspp/rspp-runtime spec.template.spec.containers[0].image');
    expect(assertPolicy(goldenApp(), { env: 'prod' }).passed).toBe(true);
  });
});

describe('exemptions', () => {
  function livekitApp(): ReturnType<typeof goldenApp> {
    const app = goldenApp();
    const { deployment, pod } = runtimePod(app);
    pod.hostNetwork = true;
    deployment.metadata.annotations = { [`${EXEMPTION_ANNOTATION_PREFIX}RSPP-POD-001`]: REASON };
    return app;
  }

  it('suppress the named rule on the annotated object only, and are listed with their reason', () => {
    const report = checkPolicy(livekitApp(), { env: 'prod' });
    expect(report.passed).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.exempted.map((f) => [f.ruleId, f.path, f.reason])).toEqual([['RSPP-POD-001', 'spec.template.spec.hostNetwork', REASON]]);
    expect(report.exemptions).toEqual([
      expect.objectContaining({ ruleId: 'RSPP-POD-001', reason: REASON, suppressed: 1, object: expect.objectContaining({ kind: 'Deployment', name: 'rspp-runtime' }) }),
    ]);
    expect(report.rules.find((r) => r.id === 'RSPP-POD-001')).toMatchObject({ status: 'passed', findings: 0, exempted: 1 });
    const summary = formatPolicyReport(report);
    expect(summary).toContain(`exempt RSPP-POD-001 Deployment/rspp/rspp-runtime: "${REASON}" (suppresses 1 finding)`);
  });

  it('do not cover other rules on the same object nor the same rule on other objects', () => {
    const app = livekitApp();
    runtimePod(app).container.securityContext.privileged = true;
    const other = JSON.parse(JSON.stringify(runtimePod(goldenApp()).deployment));
    other.metadata.name = 'other';
    delete other.metadata.annotations;
    other.spec.template.spec.hostNetwork = true;
    app.push(other);
    const failing = checkPolicy(app, { env: 'dev' }).findings.map((f) => `${f.ruleId} ${f.object.name}`);
    expect(failing).toContain('RSPP-POD-002 rspp-runtime');
    expect(failing).toContain('RSPP-POD-001 other');
    expect(failing).not.toContain('RSPP-POD-001 rspp-runtime');
  });

  it('are errors without a reason or naming an unknown rule', () => {
    const app = goldenApp();
    find(app, 'Service', 'rspp-runtime').metadata.annotations = {
      [`${EXEMPTION_ANNOTATION_PREFIX}RSPP-POD-999`]: 'some reason here',
      [`${EXEMPTION_ANNOTATION_PREFIX}RSPP-META-002`]: ' ',
    };
    const report = checkPolicy(app, { env: 'prod' });
    expect(report.passed).toBe(false);
    expect(report.exemptionErrors.map((f) => f.text)).toEqual([
      `RSPP-EXEMPTION Service/rspp/rspp-runtime metadata.annotations["policy.rspp.io/exempt.RSPP-POD-999"]: exemption names unknown rule "RSPP-POD-999" (fix: use one of ${POLICY_RULE_IDS.join(', ')})`,
      'RSPP-EXEMPTION Service/rspp/rspp-runtime metadata.annotations["policy.rspp.io/exempt.RSPP-META-002"]: exemption from RSPP-META-002 has no reason (fix: write why this object needs the exemption as the annotation value)',
    ]);
    expect(() => assertPolicy(app, { env: 'prod' })).toThrow('RSPP-EXEMPTION Service/rspp/rspp-runtime');
  });

  it('that suppress nothing are still reported', () => {
    const app = goldenApp();
    runtimePod(app).deployment.metadata.annotations = { [`${EXEMPTION_ANNOTATION_PREFIX}RSPP-HA-001`]: 'singleton by design: leader-elected' };
    const report = checkPolicy(app, { env: 'dev' });
    expect(report.passed).toBe(true);
    expect(formatPolicyReport(report)).toContain('exempt RSPP-HA-001 Deployment/rspp/rspp-runtime: "singleton by design: leader-elected" (suppresses nothing in dev)');
  });

  it('exemptFromPolicy writes the annotation on a cdk8s ApiObject, and refuses bad input', () => {
    const chart = Testing.chart();
    const pod = new ApiObject(chart, 'livekit', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'livekit' } });
    exemptFromPolicy(pod, 'RSPP-POD-001', `  ${REASON} `);
    expect(Testing.synth(chart)[0].metadata.annotations).toEqual({ 'policy.rspp.io/exempt.RSPP-POD-001': REASON });
    expect(() => exemptFromPolicy(pod, 'RSPP-POD-000', REASON)).toThrow('exemptFromPolicy: unknown rule "RSPP-POD-000"');
    expect(() => exemptFromPolicy(pod, 'RSPP-POD-002', '')).toThrow('exemptFromPolicy: exemption from RSPP-POD-002 on');
    expect(() => exemptFromPolicy(pod, 'RSPP-POD-002', 'because')).toThrow('too short');
  });
});
