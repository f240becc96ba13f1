import { goldenApp, runtimePod } from '../fixtures/golden-app';
import { C0, RUNTIME, findingsOf, line } from '../policy-test-kit';
import { secretLikeReason } from '../../../../constructs/policy/rules/rspp-pod-014-secret-env-values';

const PEM = ['-----BEGIN', 'PRIVATE KEY-----', 'MIIB', '-----END PRIVATE KEY-----'].join(' ');
const JWT = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJyc3BwIn0', 'c2lnbmF0dXJlLXZhbHVl'].join('.');

describe('RSPP-POD-014 secret values in env', () => {
  it('fires on secret-like names with literal values and on key/JWT/PEM-shaped values, never echoing them', () => {
    const app = goldenApp();
    runtimePod(app).container.env.push(
      { name: 'DB_PASSWORD', value: 'hunter2hunter2' },
      { name: 'LIVEKIT_API_SECRET', value: 'abc' },
      { name: 'OPAQUE', value: JWT },
      { name: 'TLS', value: PEM },
    );
    const findings = findingsOf(app, 'RSPP-POD-014');
    expect(findings).toEqual([
      line('RSPP-POD-014', RUNTIME, `${C0}.env[2].value`, 'container "runtime" env DB_PASSWORD: name "DB_PASSWORD" says it holds a secret but its value is a literal'),
      line('RSPP-POD-014', RUNTIME, `${C0}.env[3].value`, 'container "runtime" env LIVEKIT_API_SECRET: name "LIVEKIT_API_SECRET" says it holds a secret but its value is a literal'),
      line('RSPP-POD-014', RUNTIME, `${C0}.env[4].value`, 'container "runtime" env OPAQUE: value looks like a JWT'),
      line('RSPP-POD-014', RUNTIME, `${C0}.env[5].value`, 'container "runtime" env TLS: value looks like a PEM block'),
    ]);
    for (const secret of ['hunter2hunter2', JWT, 'MIIB']) expect(findings.join('\n')).not.toContain(secret);
  });
  it('recognises other credential shapes', () => {
    expect(secretLikeReason('X', 'AKIAIOSFODNN7EXAMPLE')).toBe('value looks like an AWS access key id');
    expect(secretLikeReason('X', `ghp_${'a'.repeat(36)}`)).toBe('value looks like a GitHub token');
    expect(secretLikeReason('DATABASE_URL', 'postgres://rspp:s3cret@db:5432/rspp')).toBe('value looks like a URL with an embedded password');
    expect(secretLikeReason('API_KEY', 'k')).toContain('says it holds a secret');
  });
  it('stays quiet on secretKeyRef, file paths, digests and empty values', () => {
    const app = goldenApp();
    runtimePod(app).container.env.push(
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'TLS_KEY_FILE', value: '/etc/tls/tls.key' },
      { name: 'RSPP_BUNDLE_DIGEST', value: `sha256:${'c'.repeat(64)}` },
      { name: 'TOKEN', value: '' },
    );
    expect(findingsOf(app, 'RSPP-POD-014')).toEqual([]);
  });
});
