/**
 * The loader the control plane uses: bundles by digest only, resolved with their parts, and a
 * content digest that ignores formatting, comments and key order but nothing else.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { bundleDigest, loadArtifacts, loadBundle, PipelineArtifactsError } from '../../../pipelines';
import { pipelinesCopy, removeDir, replaceOnce, SHIPPED_PIPELINES } from '../pipelines-fixture';

const bundleFile = path.join(SHIPPED_PIPELINES, 'bundles', 'simple_v1.yaml');

describe('artifact loader', () => {
  const set = loadArtifacts();
  const simple = set.bundles.find((b) => b.artifact.name === 'simple_v1')!;

  test('bundleDigest is the recorded digest of the simple_v1 bundle, and excludes the digest field', () => {
    const parsed = parse(fs.readFileSync(bundleFile, 'utf8')) as Record<string, unknown>;
    expect(bundleDigest(parsed)).toBe(parsed.digest);
    const { digest: _ignored, ...withoutDigest } = parsed;
    expect(_ignored).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(bundleDigest(withoutDigest)).toBe(parsed.digest);
    expect(simple.digest).toBe(parsed.digest);
  });

  test('the digest ignores key order and comments but not values', () => {
    const parsed = parse(fs.readFileSync(bundleFile, 'utf8')) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(parsed).reverse());
    expect(bundleDigest(reordered)).toBe(bundleDigest(parsed));
    expect(bundleDigest({ ...parsed, provider_bindings: { stt: 'x', llm: 'y', tts: 'z' } })).not.toBe(bundleDigest(parsed));
  });

  test('loadBundle resolves spec, profile and policy of the bundle', () => {
    const resolved = loadBundle(simple.digest);
    expect(resolved.bundle.name).toBe('simple_v1');
    expect(resolved.spec.name).toBe('simple_v1');
    expect(resolved.profile.execution_profile).toBe('simple/v1');
    expect(resolved.policy.name).toBe('default_voice_policy_v1');
    expect(resolved.digest).toBe(simple.digest);
  });

  test('loadBundle refuses names, tags and unknown digests', () => {
    expect(() => loadBundle('simple_v1')).toThrow(/not a content digest.*mutable/);
    expect(() => loadBundle('latest', set)).toThrow(/mutable references/);
    expect(() => loadBundle(`sha256:${'f'.repeat(64)}`, set)).toThrow(/no bundle with digest/);
  });

  test('loadArtifacts refuses a directory with problems, listing them', () => {
    const dir = pipelinesCopy({ 'bundles/simple_v1.yaml': replaceOnce('  tts: cartesia/sonic-2\n', '  tts: cartesia/sonic-3\n') });
    try {
      expect(() => loadArtifacts(dir)).toThrow(PipelineArtifactsError);
      expect(() => loadArtifacts(dir)).toThrow(/bundles\/simple_v1.yaml:\d+ digest: recorded digest/);
    } finally {
      removeDir(dir);
    }
  });
});
