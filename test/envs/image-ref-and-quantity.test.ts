import { bytesOf, cpuMillis, parsePinnedImage, parseQuantity, pinnedImageProblem, resourceSpecProblems } from '../../envs';

const D = 'a'.repeat(64);

describe('parsePinnedImage', () => {
  test.each([
    [`ghcr.io/rspp/runtime@sha256:${D}`, { repository: 'ghcr.io/rspp/runtime', digest: `sha256:${D}` }],
    [`quay.io/coreos/etcd:v3.5.17@sha256:${D}`, { repository: 'quay.io/coreos/etcd', tag: 'v3.5.17', digest: `sha256:${D}` }],
    [`localhost:5000/rspp/runtime@sha256:${D}`, { repository: 'localhost:5000/rspp/runtime', digest: `sha256:${D}` }],
  ])('accepts %s', (ref, parsed) => expect(parsePinnedImage(ref)).toEqual(parsed));

  test.each([
    'ghcr.io/rspp/runtime',
    'ghcr.io/rspp/runtime:latest',
    `ghcr.io/rspp/runtime@sha256:${D.toUpperCase()}`,
    `ghcr.io/rspp/runtime@sha256:${D.slice(1)}`,
    `ghcr.io/rspp/runtime@md5:${D}`,
    `Ghcr.io/rspp/runtime@sha256:${D}`,
    '',
  ])('refuses %s', (ref) => {
    expect(parsePinnedImage(ref)).toBeUndefined();
    expect(pinnedImageProblem(ref)).toBeDefined();
  });
});

describe('quantities', () => {
  test.each([
    ['250m', 0.25],
    ['1', 1],
    ['1.5', 1.5],
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['1e3', 1000],
  ])('%s = %d', (q, v) => expect(parseQuantity(q)).toBeCloseTo(v));

  test.each(['', 'abc', '1 Gi', '1gi', '-', ' 1'])('%j is malformed', (q) => expect(parseQuantity(q)).toBeUndefined());

  test('cpu in millicores and memory in bytes', () => {
    expect(cpuMillis('250m')).toBe(250);
    expect(cpuMillis('2')).toBe(2000);
    expect(bytesOf('256Mi')).toBe(268435456);
  });

  test('resourceSpecProblems names every bad field and the request/limit order', () => {
    expect(resourceSpecProblems({ cpuRequest: 'x', memoryRequest: '0', memoryLimit: '1Gi' }, 'r')).toEqual([
      'r.cpuRequest: "x" is not a positive Kubernetes quantity; use e.g. "250m" or "1"',
      'r.memoryRequest: "0" is not a positive Kubernetes quantity; use e.g. "256Mi" or "1Gi"',
    ]);
    expect(resourceSpecProblems({ cpuRequest: '2', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '1Gi' }, 'r')).toEqual([
      'r.cpuRequest: 2 exceeds cpuLimit 1; set cpuRequest <= cpuLimit',
    ]);
  });
});
