/**
 * The design's motivating case (manifest-policy.md): LiveKit needs host networking and a UDP port
 * range. It lives in its own namespace whose Pod Security level is lowered only as far as it needs,
 * with each exemption and its reason written next to the object that needs it.
 */
import { Testing, ApiObject } from 'cdk8s';
import { checkPolicy, exemptFromPolicy, formatPolicyReport } from '../../../constructs/policy';
import { K8sObject, goldenApp, runtimePod } from './fixtures/golden-app';

function livekitObjects(): K8sObject[] {
  const app = goldenApp();
  const rename = (o: K8sObject): K8sObject => JSON.parse(JSON.stringify(o).replace(/"rspp"/g, '"livekit"'));
  const objects = app.map(rename);
  const namespace = objects.find((o) => o.kind === 'Namespace')!;
  const deployment = runtimePod(objects).deployment;
  const pod = deployment.spec.template.spec;
  pod.hostNetwork = true;
  pod.dnsPolicy = 'ClusterFirstWithHostNet';
  pod.containers[0].ports.push({ name: 'rtc-udp', containerPort: 7882, hostPort: 7882, protocol: 'UDP' });

  // Written through the helper, exactly as a construct would.
  const chart = Testing.chart();
  const nsObject = new ApiObject(chart, 'ns', namespace as never);
  const workload = new ApiObject(chart, 'livekit', deployment as never);
  exemptFromPolicy(nsObject, 'RSPP-NS-001', 'LiveKit pods use host networking, which the restricted level forbids; baseline is the least that admits them');
  exemptFromPolicy(workload, 'RSPP-POD-001', 'LiveKit needs host networking for UDP media');
  exemptFromPolicy(workload, 'RSPP-POD-009', 'LiveKit binds its UDP media port on the host so clients reach it directly');
  const [ns, dep] = Testing.synth(chart);
  ns.metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline';
  return objects.map((o) => (o.kind === 'Namespace' ? ns : o.kind === 'Deployment' ? dep : o));
}

describe('LiveKit exemptions (manifest-policy.md)', () => {
  it('passes with every exemption listed, reason and all', () => {
    const report = checkPolicy(livekitObjects(), { env: 'prod' });
    expect(report.findings).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.exempted.map((f) => `${f.ruleId} ${f.path}`)).toEqual([
      'RSPP-POD-001 spec.template.spec.hostNetwork',
      'RSPP-POD-009 spec.template.spec.containers[0].ports[2].hostPort',
      'RSPP-NS-001 metadata.labels["pod-security.kubernetes.io/enforce"]',
    ]);
    const summary = formatPolicyReport(report);
    expect(summary).toContain('3 exemptions');
    expect(summary).toContain('exempt RSPP-POD-001 Deployment/livekit/rspp-runtime: "LiveKit needs host networking for UDP media" (suppresses 1 finding)');
  });

  it('keeps every other rule in force on the exempted objects', () => {
    const objects = livekitObjects();
    runtimePod(objects).container.securityContext.privileged = true;
    expect(checkPolicy(objects, { env: 'prod' }).findings.map((f) => f.ruleId)).toEqual(['RSPP-POD-002']);
  });
});
