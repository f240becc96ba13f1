import { FieldPath, ManifestObject, asArray, asRecord } from '../manifest-object';
import { isEmptyLabelSelector } from '../label-selector';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

const DIRECTIONS = [
  ['ingress', 'from', 'source'],
  ['egress', 'to', 'destination'],
] as const;

function checkPeer(policy: ManifestObject, peer: Readonly<Record<string, unknown>>, path: FieldPath, role: string): PolicyViolation[] {
  if (peer.ipBlock !== undefined) {
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
          peers.forEach((peer, j) => out.push(...checkPeer(policy, asRecord(peer), [...rulePath, peersField, j], role)));
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
