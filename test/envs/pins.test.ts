import * as fs from 'fs';
import * as path from 'path';
import {
  CHART_VERSIONS,
  CONTROL_PLANE_IMAGE,
  ETCD_IMAGE,
  parsePinnedImage,
  PLATFORM_VERSION,
  RUNTIME_IMAGE,
  RUNTIME_IMAGE_PLATFORMS,
  SHA256_DIGEST,
  SIMPLE_V1_BUNDLE_DIGEST,
} from '../../envs';
import { loadEnvironment } from '../../envs/load-environment';
import { BundleCatalog } from '../../runtime/control-plane/bundle-catalog';
import { MVP_PROFILE } from '../../runtime/contracts/runtime-interface';

describe('envs/pins.ts', () => {
  test('every image is pinned by digest', () => {
    for (const image of [RUNTIME_IMAGE, CONTROL_PLANE_IMAGE, ETCD_IMAGE]) expect(parsePinnedImage(image)).toBeDefined();
  });

  test('the runtime image pin is an index over linux/amd64 and linux/arm64, each platform digest recorded', () => {
    expect(RUNTIME_IMAGE_PLATFORMS.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    for (const p of RUNTIME_IMAGE_PLATFORMS) expect(p.digest).toMatch(SHA256_DIGEST);
    const digests = [parsePinnedImage(RUNTIME_IMAGE)!.digest, ...RUNTIME_IMAGE_PLATFORMS.map((p) => p.digest)];
    expect(new Set(digests).size).toBe(3); // the index is not one of its platform manifests
  });

  test('the control plane runs the runtime image', () => {
    expect(CONTROL_PLANE_IMAGE).toBe(RUNTIME_IMAGE);
  });

  test('etcd is a 3.5 release from the etcd project registry', () => {
    expect(parsePinnedImage(ETCD_IMAGE)).toMatchObject({ repository: 'quay.io/coreos/etcd', tag: expect.stringMatching(/^v3\.5\.\d+$/) });
  });

  test('the bundle is an immutable digest and chart versions are exact', () => {
    expect(SIMPLE_V1_BUNDLE_DIGEST).toMatch(SHA256_DIGEST);
    for (const v of Object.values(CHART_VERSIONS)) expect(v).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('the bundle digest names the simple_v1 bundle the control plane serves (else it refuses to start)', () => {
    // What runtime/control-plane/main.ts does with RSPP_BUNDLE_DIGEST at start.
    const catalog = BundleCatalog.load();
    expect(catalog.digests()).toContain(SIMPLE_V1_BUNDLE_DIGEST);
    const bundle = catalog.resolve(SIMPLE_V1_BUNDLE_DIGEST, 'RSPP_BUNDLE_DIGEST');
    expect(bundle.bundle.name).toBe('simple_v1');
    expect(bundle.bundle.pipeline_version).toBe(MVP_PROFILE);
    for (const name of ['dev', 'stage', 'prod'] as const) {
      expect(catalog.digests()).toContain(loadEnvironment(name, { builtImageFile: false }).pipeline.bundleDigest);
    }
  });

  test('PLATFORM_VERSION equals package.json "version"', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    expect(PLATFORM_VERSION).toBe(pkg.version);
  });
});
