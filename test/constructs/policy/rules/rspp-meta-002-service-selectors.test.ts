import { find, goldenApp, runtimePod } from '../fixtures/golden-app';
import { findingsOf, line } from '../policy-test-kit';

const SERVICE = 'Service/rspp/rspp-runtime';

describe('RSPP-META-002 Service selectors and target ports', () => {
  it('fires on a selector that matches no workload', () => {
    const app = goldenApp();
    find(app, 'Service', 'rspp-runtime').spec.selector = { 'app.kubernetes.io/name': 'typo' };
    expect(findingsOf(app, 'RSPP-META-002')).toEqual([line('RSPP-META-002', SERVICE, 'spec.selector', 'selector matches no workload')]);
  });
  it('fires on a selector that matches two workloads', () => {
    const app = goldenApp();
    const copy = JSON.parse(JSON.stringify(runtimePod(app).deployment));
    copy.metadata.name = 'rspp-runtime-canary';
    app.push(copy);
    expect(findingsOf(app, 'RSPP-META-002')).toEqual([
      line('RSPP-META-002', SERVICE, 'spec.selector', 'selector matches 2 workloads (Deployment/rspp-runtime, Deployment/rspp-runtime-canary)'),
    ]);
  });
  it('fires on named and numbered target ports the pods do not expose', () => {
    const app = goldenApp();
    const ports = find(app, 'Service', 'rspp-runtime').spec.ports;
    ports[0].targetPort = 'session';
    ports[1].targetPort = 9999;
    expect(findingsOf(app, 'RSPP-META-002')).toEqual([
      line('RSPP-META-002', SERVICE, 'spec.ports[0].targetPort', 'target port "session" is not a container port of Deployment/rspp-runtime'),
      line('RSPP-META-002', SERVICE, 'spec.ports[1].targetPort', 'target port 9999 is not a container port of Deployment/rspp-runtime'),
    ]);
  });
  it('stays quiet on the golden app, a numeric target port that exists and a selector-less Service', () => {
    const app = goldenApp();
    find(app, 'Service', 'rspp-runtime').spec.ports[0].targetPort = 8080;
    app.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'external', namespace: 'rspp' }, spec: { ports: [{ port: 443 }] } });
    expect(findingsOf(app, 'RSPP-META-002')).toEqual([]);
  });
});
