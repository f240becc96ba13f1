/**
 * `livekit.nodeCidrs` (opt-in egress to LiveKit's host-network nodes): the env schema and the one
 * CIDR parser behind it (`envs/cidr.ts`).
 */
import { cidrContains, dev, EnvironmentConfig, environmentProblems, LIVEKIT_NODE_CIDRS_MAX, parseCidr, prod, stage } from '../../envs';

const withNodeCidrs = (base: EnvironmentConfig, nodeCidrs: unknown): unknown => ({ ...base, livekit: { ...base.livekit, nodeCidrs } });

describe('env schema: livekit.nodeCidrs', () => {
  test.each([['dev', dev], ['stage', stage], ['prod', prod]] as const)('%s ships without it (default output stays exemption-free)', (_n, env) => {
    expect(env.livekit.nodeCidrs).toBeUndefined();
    expect(environmentProblems(env)).toEqual([]);
  });

  test('valid IPv4 and IPv6 node CIDRs are accepted', () => {
    expect(environmentProblems(withNodeCidrs(prod, ['10.0.0.0/16', '192.168.10.0/24', 'fd00:10::/64', '2001:db8::1/128']))).toEqual([]);
  });

  test('a malformed CIDR is refused with the field path and the fix', () => {
    expect(environmentProblems(withNodeCidrs(prod, ['10.0.0.0/16', 'not-a-cidr', '10.0.0.0', '10.0.300.0/24', '10.0.0.0/33', '10.0.0.1/16', 'FD00::/64', 7]))).toEqual([
      'prod: livekit.nodeCidrs[1]: "not-a-cidr" has no prefix length; write a CIDR such as "10.0.0.0/16" or "fd00::/64"',
      'prod: livekit.nodeCidrs[2]: "10.0.0.0" has no prefix length; write a CIDR such as "10.0.0.0/16" or "fd00::/64"',
      'prod: livekit.nodeCidrs[3]: "10.0.300.0/24" is not an IPv4 or IPv6 CIDR (no leading zeros, zone ids or IPv4-mapped IPv6); write e.g. "10.0.0.0/16" or "fd00::/64"',
      'prod: livekit.nodeCidrs[4]: "10.0.0.0/33": prefix length "33" is not an integer in 0..32',
      'prod: livekit.nodeCidrs[5]: "10.0.0.1/16" has host bits set; write the network address "10.0.0.0/16"',
      'prod: livekit.nodeCidrs[6]: "FD00::/64" is not in canonical form; write "fd00::/64"',
      'prod: livekit.nodeCidrs[7]: expected a node CIDR (e.g. "10.0.0.0/16" or "fd00::/64"), got 7 (number)',
    ]);
  });

  test.each(['0.0.0.0/0', '::/0'])('the catch-all %s is refused (it would open the LiveKit ports to the internet)', (cidr) => {
    expect(environmentProblems(withNodeCidrs(stage, ['10.0.0.0/16', cidr]))).toEqual([
      `stage: livekit.nodeCidrs[1]: "${cidr}" is every address (egress to the internet on the LiveKit ports); list only the CIDRs of the nodes LiveKit runs on, e.g. "10.0.0.0/16"`,
    ]);
  });

  test(`more than ${LIVEKIT_NODE_CIDRS_MAX} entries, an empty list, duplicates and a non-list are refused`, () => {
    const many = Array.from({ length: LIVEKIT_NODE_CIDRS_MAX + 1 }, (_v, i) => `10.${i}.0.0/16`);
    expect(environmentProblems(withNodeCidrs(dev, many))).toEqual([
      `dev: livekit.nodeCidrs: has ${LIVEKIT_NODE_CIDRS_MAX + 1} items; expected at most ${LIVEKIT_NODE_CIDRS_MAX}; list the node CIDRs LiveKit runs on (1..${LIVEKIT_NODE_CIDRS_MAX}, e.g. the node subnet "10.0.0.0/16"), or remove livekit.nodeCidrs`,
    ]);
    expect(environmentProblems(withNodeCidrs(dev, many.slice(0, LIVEKIT_NODE_CIDRS_MAX)))).toEqual([]);
    expect(environmentProblems(withNodeCidrs(dev, []))).toEqual([
      `dev: livekit.nodeCidrs: has 0 item(s); expected at least 1; list the node CIDRs LiveKit runs on (1..${LIVEKIT_NODE_CIDRS_MAX}, e.g. the node subnet "10.0.0.0/16"), or remove livekit.nodeCidrs`,
    ]);
    expect(environmentProblems(withNodeCidrs(dev, ['10.0.0.0/16', 'fd00::/64', '10.0.0.0/16']))).toEqual([
      'dev: livekit.nodeCidrs[2]: "10.0.0.0/16" repeats livekit.nodeCidrs[0]; list each item once',
    ]);
    expect(environmentProblems(withNodeCidrs(dev, '10.0.0.0/16'))).toEqual([
      `dev: livekit.nodeCidrs: expected a list of a node CIDR (e.g. "10.0.0.0/16" or "fd00::/64") (at least 1) (at most ${LIVEKIT_NODE_CIDRS_MAX}), got "10.0.0.0/16" (string)`,
    ]);
  });
});

describe('parseCidr / cidrContains', () => {
  test.each([
    ['10.0.0.0/8', 4, 8],
    ['192.168.1.128/25', 4, 25],
    ['1.2.3.4/32', 4, 32],
    ['fd00::/8', 6, 8],
    ['2001:db8:0:1::/64', 6, 64],
    ['0:0:1::/48', 6, 48],
  ] as const)('%s is canonical (IPv%i, /%i)', (text, family, prefix) => {
    expect(parseCidr(text).cidr).toMatchObject({ family, prefixLength: prefix, canonical: text });
  });

  test.each([
    ['010.0.0.0/8', /not an IPv4 or IPv6 CIDR/],
    ['::ffff:10.0.0.0/104', /IPv4-mapped/],
    ['fe80::%eth0/64', /not an IPv4 or IPv6 CIDR/],
    ['2001:db8:0:0:1:0:0:0/128', /write "2001:db8:0:0:1::\/128"/],
    ['fd00:0::/64', /write "fd00::\/64"/],
    ['fd00::1/64', /host bits set; write the network address "fd00::\/64"/],
    ['10.0.0.0/08', /prefix length "08"/],
  ])('%s is refused with the fix', (text, message) => {
    expect(parseCidr(text).problem).toMatch(message);
  });

  test('containment: inside, outside, other family', () => {
    expect(cidrContains('10.20.0.0/16', '10.20.255.254')).toBe(true);
    expect(cidrContains('10.20.0.0/16', '10.21.0.0')).toBe(false);
    expect(cidrContains('fd00:20::/64', 'fd00:20::ffff')).toBe(true);
    expect(cidrContains('fd00:20::/64', 'fd00:21::1')).toBe(false);
    expect(cidrContains('fd00:20::/64', '10.20.0.1')).toBe(false);
    expect(() => cidrContains('10.0.0.1/8', '10.0.0.1')).toThrow(/host bits set/);
  });
});
