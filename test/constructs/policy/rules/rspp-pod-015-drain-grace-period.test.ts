import { DRAIN_SECONDS_ANNOTATION } from '../../../../constructs/policy';
import { gracePeriodFor } from '../../../../runtime/contracts/runtime-interface';
import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, POD, RUNTIME, findingsOf, line } from '../policy-test-kit';

describe('RSPP-POD-015 grace period covers the declared drain', () => {
  it('fires when terminationGracePeriodSeconds is below gracePeriodFor(drain)', () => {
    const app = goldenApp();
    const { deployment, pod, container } = runtimePod(app);
    deployment.spec.template.metadata.annotations[DRAIN_SECONDS_ANNOTATION] = '60';
    container.env[0].value = '60';
    pod.terminationGracePeriodSeconds = 45;
    expect(findingsOf(app, 'RSPP-POD-015')).toEqual([
      line('RSPP-POD-015', RUNTIME, `${POD}.terminationGracePeriodSeconds`, `45s does not cover drain 60s: gracePeriodFor(60) = ${gracePeriodFor(60)}s`),
    ]);
  });
  it('uses the Kubernetes default of 30s when the grace period is unset', () => {
    const app = goldenApp();
    delete runtimePod(app).pod.terminationGracePeriodSeconds;
    expect(findingsOf(app, 'RSPP-POD-015')).toEqual([
      line('RSPP-POD-015', RUNTIME, `${POD}.terminationGracePeriodSeconds`, `30s (Kubernetes default) does not cover drain 30s: gracePeriodFor(30) = ${gracePeriodFor(30)}s`),
    ]);
  });
  it('fires on a malformed declaration and on an env drain that disagrees with it', () => {
    const app = goldenApp();
    const { deployment, container } = runtimePod(app);
    container.env[0].value = '20';
    expect(findingsOf(app, 'RSPP-POD-015')).toEqual([
      line('RSPP-POD-015', RUNTIME, `${C0}.env[0].value`, `container "runtime" RSPP_DRAIN_SECONDS="20" disagrees with ${DRAIN_SECONDS_ANNOTATION}=30`),
    ]);
    deployment.spec.template.metadata.annotations[DRAIN_SECONDS_ANNOTATION] = '30s';
    expect(findingsOf(app, 'RSPP-POD-015')).toEqual([
      line('RSPP-POD-015', RUNTIME, `spec.template.metadata.annotations["${DRAIN_SECONDS_ANNOTATION}"]`, 'drain seconds "30s" is not a non-negative integer'),
    ]);
  });
  it('fires when the runtime is told a drain time the pod template does not declare', () => {
    const app = goldenApp();
    delete runtimePod(app).deployment.spec.template.metadata.annotations[DRAIN_SECONDS_ANNOTATION];
    expect(findingsOf(app, 'RSPP-POD-015')).toEqual([
      line('RSPP-POD-015', RUNTIME, `spec.template.metadata.annotations["${DRAIN_SECONDS_ANNOTATION}"]`, `container "runtime" sets RSPP_DRAIN_SECONDS but the pod template does not declare ${DRAIN_SECONDS_ANNOTATION}`),
    ]);
  });
  it('stays quiet when the grace period is exactly gracePeriodFor(drain) (golden app)', () => {
    expect(findingsOf(goldenApp(), 'RSPP-POD-015')).toEqual([]);
  });
});
