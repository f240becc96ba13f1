import { FieldPath, ManifestObject, asArray, asRecord } from '../manifest-object';
import { isEmptyLabelSelector } from '../label-selector';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

const DIRECTIONS = [
  ['ingress', 'from', 'source'],
  ['egress', 'to', 'destination'],
] as const;

const SINGLE_HOST = /^(\d{1,3}(\.\d{1,3}){3}\/32|[0-9a-fA-F:]+\/128)$/;

/**
 * A DNS resolver rule: ports 53 only, and every IP-block peer one host with no `except`. Node-local
 * caches (169.254.20.10) and metadata resolvers answer from addresses no pod selector can match; a
 * single host on port 53 is the narrowest way to name them (issue #12, cluster flavours).
 */
function isDnsResolverRule(rule: Readonly<Record<string, unknown>>, peer: Readonly<Record<string, unknown>>): boolean {
  const block = asRecord(peer.ipBlock);
  const ports = asArray(rule.ports).map(asRecord);
  return typeof block.cidr === 'string' && SINGLE_HOST.test(block.cidr) && block.except === undefined &&
    ports.length > 0 && ports.every((p) => p.port === 53 && p.endPort === undefined);
}

function checkPeer(policy: ManifestObject, peer: Readonly<Record<string, unknown>>, path: FieldPath, role: string, rule: Readonly<Record<string, unknown>>): PolicyViolation[] {
  if (peer.ipBlock !== undefined) {
    if (role === 'destination' && isDnsResolverRule(rule, peer)) return [];
    return [violation(policy, [...path, 'ipBlock'], `${role} is an IP block, not pods named by labels`)];
  }
  const pods = peer.podSelector;
  const namespaces = peer.namespaceSelector;
  const podsNamed = pods !== undefined && !isEmptyLabelSelector(pods);
  const namespacesNamed = namespaces !== undefined && !isEmptyLabelSelector(namespaces);
  if (!podsNamed && !namespacesNamed) {
    return [violation(policy, path, `${role} selects every pod${namespaces !== undefined ? ' in every namespace' : ' in the namespace'}`)];
  }
  return [];
}

export const RSPP_NET_002: PolicyRule = {
  id: 'RSPP-NET-002',
  title: 'each allowed flow is a NetworkPolicy naming its peer by labels and its port',
  why: 'A rule without a named peer or port re-opens what the default deny closed, and nobody can say which flow it serves.',
  fix: 'give every ingress/egress rule peers with a non-empty podSelector/namespaceSelector and explicit ports',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const policy of ctx.objectsOfKind('NetworkPolicy')) {
      const spec = asRecord(policy.spec);
      for (const [direction, peersField, role] of DIRECTIONS) {
        asArray(spec[direction]).forEach((raw, i) => {
          const rule = asRecord(raw);
          const rulePath: FieldPath = ['spec', direction, i];
          const peers = asArray(rule[peersField]);
          if (peers.length === 0) {
            out.push(violation(policy, [...rulePath, peersField], `${direction} rule allows any ${role}`));
          }
          peers.forEach((peer, j) => out.push(...checkPeer(policy, asRecord(peer), [...rulePath, peersField, j], role, rule)));
          const ports = asArray(rule.ports);
          if (ports.length === 0) {
            out.push(violation(policy, [...rulePath, 'ports'], `${direction} rule allows every port`));
          }
          ports.forEach((port, j) => {
            if (asRecord(port).port === undefined) {
              out.push(violation(policy, [...rulePath, 'ports', j, 'port'], `${direction} rule port has no port number`));
            }
          });
        });
      }
    }
    return out;
  },
};
