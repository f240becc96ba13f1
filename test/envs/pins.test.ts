import * as fs from 'fs';
import * as path from 'path';
import {
  CHART_VERSIONS,
  CONTROL_PLANE_IMAGE,
  ETCD_IMAGE,
  parsePinnedImage,
  PLATFORM_VERSION,
  RUNTIME_IMAGE,
  SHA256_DIGEST,
  SIMPLE_V1_BUNDLE_DIGEST,
} from '../../envs';

describe('envs/pins.ts', () => {
  test('every image is pinned by digest', () => {
    for (const image of [RUNTIME_IMAGE, CONTROL_PLANE_IMAGE, ETCD_IMAGE]) expect(parsePinnedImage(image)).toBeDefined();
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

  test('PLATFORM_VERSION equals package.json "version"', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    expect(PLATFORM_VERSION).toBe(pkg.version);
  });
});
