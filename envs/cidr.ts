/**
 * The one CIDR parser (IPv4 and IPv6) for env config and constructs: strict, canonical forms only,
 * so what the env says is exactly what the NetworkPolicy `ipBlock.cidr` says (Kubernetes' strict
 * IP validation refuses leading zeros, IPv4-mapped IPv6 and host bits set; so do we, naming the fix).
 */
import { isIPv6 } from 'node:net';

export interface ParsedCidr {
  readonly family: 4 | 6;
  /** Network address as an unsigned integer (32 or 128 bits). */
  readonly network: bigint;
  readonly prefixLength: number;
  /** Canonical text (`10.0.0.0/16`, `fd00:10::/64`). */
  readonly canonical: string;
}

const IPV4 = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;
const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

function ipv4Value(text: string): bigint | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
}

function ipv6Value(text: string): bigint | undefined {
  if (!isIPv6(text) || text.includes('%') || text.includes('.')) return undefined;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined) => (s === undefined || s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (all.length !== 8) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (≥2) of zero groups as `::`. */
function formatIpv6(value: bigint): string {
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((value >> shift) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (best.length < 2) return hex(groups);
  return `${hex(groups.slice(0, best.start))}::${hex(groups.slice(best.start + best.length))}`;
}

/** `{ cidr }` when `text` is a canonical CIDR, else `{ problem }` saying what is wrong and the fix. */
export function parseCidr(text: string): { readonly cidr: ParsedCidr; readonly problem?: undefined } | { readonly cidr?: undefined; readonly problem: string } {
  const shown = JSON.stringify(text);
  const slash = text.indexOf('/');
  if (slash < 0) return { problem: `${shown} has no prefix length; write a CIDR such as "10.0.0.0/16" or "fd00::/64"` };
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const v4 = ipv4Value(address);
  const v6 = v4 === undefined ? ipv6Value(address) : undefined;
  if (v4 === undefined && v6 === undefined) {
    return { problem: `${shown} is not an IPv4 or IPv6 CIDR (no leading zeros, zone ids or IPv4-mapped IPv6); write e.g. "10.0.0.0/16" or "fd00::/64"` };
  }
  const family: 4 | 6 = v4 !== undefined ? 4 : 6;
  const bits = family === 4 ? 32 : 128;
  if (!PREFIX.test(prefixText) || Number(prefixText) > bits) {
    return { problem: `${shown}: prefix length "${prefixText}" is not an integer in 0..${bits}` };
  }
  const prefixLength = Number(prefixText);
  const value = (v4 ?? v6)!;
  const hostMask = (1n << BigInt(bits - prefixLength)) - 1n;
  const network = value & ~hostMask & ((1n << BigInt(bits)) - 1n);
  const canonical = `${family === 4 ? formatIpv4(network) : formatIpv6(network)}/${prefixLength}`;
  if (network !== value) return { problem: `${shown} has host bits set; write the network address "${canonical}"` };
  if (canonical !== text) return { problem: `${shown} is not in canonical form; write "${canonical}"` };
  return { cidr: { family, network, prefixLength, canonical } };
}

/** True when `ip` (an IPv4 or IPv6 address) lies inside `cidr`. Throws on malformed input. */
export function cidrContains(cidr: string, ip: string): boolean {
  const parsed = parseCidr(cidr);
  if (parsed.cidr === undefined) throw new Error(`cidrContains: ${parsed.problem}`);
  const value = parsed.cidr.family === 4 ? ipv4Value(ip) : ipv6Value(ip);
  if (value === undefined) return false;
  const bits = parsed.cidr.family === 4 ? 32 : 128;
  return value >> BigInt(bits - parsed.cidr.prefixLength) === parsed.cidr.network >> BigInt(bits - parsed.cidr.prefixLength);
}
