import { ApiObject, Testing } from 'cdk8s';
import { EXTERNAL_REFS_ANNOTATION, declareExternalRefs, parseExternalRefs } from '../../../constructs/policy';

describe('external references', () => {
  it('parses Kind/name lists and rejects other forms', () => {
    expect(parseExternalRefs(' Secret/a, ConfigMap/b ,')).toEqual([
      { kind: 'Secret', name: 'a' },
      { kind: 'ConfigMap', name: 'b' },
    ]);
    expect(() => parseExternalRefs('Secret')).toThrow('"Secret" is not Kind/name');
    expect(() => parseExternalRefs('Deployment/x')).toThrow('"Deployment/x" is not Kind/name');
  });
  it('declareExternalRefs merges into one annotation on the object', () => {
    const chart = Testing.chart();
    const deployment = new ApiObject(chart, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } });
    declareExternalRefs(deployment, [{ kind: 'Secret', name: 'etcd-client-tls' }]);
    declareExternalRefs(deployment, [{ kind: 'Secret', name: 'etcd-client-tls' }, { kind: 'ConfigMap', name: 'ca' }]);
    expect(Testing.synth(chart)[0].metadata.annotations[EXTERNAL_REFS_ANNOTATION]).toBe('Secret/etcd-client-tls, ConfigMap/ca');
    expect(() => declareExternalRefs(deployment, [{ kind: 'Secret', name: 'a/b' }])).toThrow('must be a plain object name');
  });
});
