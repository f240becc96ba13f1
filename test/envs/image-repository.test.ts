/**
 * The env's image setting (#12 item 3): `images.repository` moves the platform's image to the
 * registry it was pushed to, by the same digest, and `images.pullSecrets` reach the runtime's and
 * the control plane's pod specs (declared external, so the reference check passes); bad values are
 * refused naming the field and the fix.
 */
import { checkPolicy } from '../../constructs/policy';
import { RsppControlPlane } from '../../constructs/rspp-control-plane';
import { dev, ETCD_IMAGE, parsePinnedImage, prod, RUNTIME_IMAGE, withRuntimeImage } from '../../envs';
import type { EnvironmentConfig } from '../../envs/environment-config';
import { validateEnvironment } from '../../envs/schema';
import { byKind, named, synthPlatform } from '../constructs/platform-invariants.support';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/rspp-runtime';
const PINNED_DIGEST = parsePinnedImage(RUNTIME_IMAGE)!.digest;

const withImages = (env: EnvironmentConfig, images: unknown): EnvironmentConfig => ({ ...env, images } as EnvironmentConfig);

describe('env images: repository and pull secrets', () => {
  test('the repository retargets the runtime and control-plane image by the same digest; etcd is untouched', () => {
    const env = validateEnvironment(withRuntimeImage(withImages(prod, { repository: REPO, pullSecrets: ['ecr-pull'] }), RUNTIME_IMAGE), 'prod');
    expect(env.runtime.image).toBe(`${REPO}@${PINNED_DIGEST}`);
    expect(env.controlPlane.image).toBe(`${REPO}@${PINNED_DIGEST}`);
    expect(env.leaseStore.image).toBe(ETCD_IMAGE);
    const built = `ghcr.io/rspp/rspp-runtime@sha256:${'b'.repeat(64)}`;
    expect(withRuntimeImage(withImages(prod, { repository: REPO }), built).runtime.image).toBe(`${REPO}@sha256:${'b'.repeat(64)}`);
  });

  test('pull secrets reach both pod specs, are declared external, and the policy passes', () => {
    const env = validateEnvironment(withRuntimeImage(withImages(prod, { repository: REPO, pullSecrets: ['ecr-pull', 'mirror-pull'] }), RUNTIME_IMAGE), 'prod');
    const { objects } = synthPlatform(env);
    for (const name of ['rspp-runtime', 'rspp-control-plane']) {
      const deployment = named(objects, 'Deployment', name);
      expect(deployment.spec.template.spec.imagePullSecrets).toEqual([{ name: 'ecr-pull' }, { name: 'mirror-pull' }]);
      expect(deployment.spec.template.spec.containers[0].image).toBe(`${REPO}@${PINNED_DIGEST}`);
      const annotations = Object.values(deployment.metadata.annotations ?? {}).join(' ');
      expect(annotations).toContain('Secret/ecr-pull');
      expect(annotations).toContain('Secret/mirror-pull');
    }
    expect(byKind(objects, 'StatefulSet')[0].spec.template.spec.imagePullSecrets).toBeUndefined(); // etcd comes from its public registry
    const report = checkPolicy(objects, { env: 'prod' });
    expect(report.findings.map((f) => f.text)).toEqual([]);
    expect(report.exemptions).toEqual([]);
  });

  test('without the setting nothing changes (no imagePullSecrets field, the pinned repository)', () => {
    const { objects } = synthPlatform(dev);
    const runtime = named(objects, 'Deployment', 'rspp-runtime');
    expect(runtime.spec.template.spec.imagePullSecrets).toBeUndefined();
    expect(runtime.spec.template.spec.containers[0].image).toBe(RUNTIME_IMAGE);
  });

  test.each([
    [{ repository: 'ghcr.io/acme/rspp:1.0' }, /images\.repository.*is not an image repository; use <registry>\/<path> without tag or digest/],
    [{ repository: `ghcr.io/acme/rspp@${PINNED_DIGEST}` }, /images\.repository.*is not an image repository/],
    [{ repository: 'rspp-runtime' }, /images\.repository.*is not an image repository/],
    [{ pullSecrets: ['Bad_Name'] }, /images\.pullSecrets\[0\].*is not a Secret name/],
    [{ pullSecrets: [] }, /images\.pullSecrets/],
  ])('bad setting %j is refused naming the field', (images, message) => {
    expect(() => validateEnvironment(withImages(prod, images), 'prod')).toThrow(message);
  });

  test('the constructs refuse a bad or repeated pull secret name', () => {
    const { platform } = synthPlatform(dev);
    const make = (imagePullSecrets: string[]) => () =>
      new RsppControlPlane(platform, `cp-${imagePullSecrets.join('-')}`, { tls: platform.tls, leases: platform.leases, name: 'other-cp', imagePullSecrets });
    expect(make(['Bad'])).toThrow(/props.imagePullSecrets\[0\] "Bad" is not a Secret name/);
    expect(make(['a', 'a'])).toThrow(/props.imagePullSecrets\[1\] "a" is listed twice/);
  });
});
