/**
 * Canonical JSON: object keys sorted by UTF-16 code unit order at every depth, no whitespace,
 * `undefined` members omitted (in arrays they become `null`, as in JSON.stringify), arrays kept in
 * order. Two equal values always encode to the same bytes, which is what plan hashes, evidence
 * digests and replay comparisons rely on. Values JSON cannot carry (NaN, Infinity, functions,
 * bigint, symbols) are refused with the path of the offending member.
 */

class NotJson extends Error {}

/**
 * Encodings of deep-frozen objects (frozen, and every object inside frozen too) cannot change, so
 * they are memoized: profile parts shared by every plan are encoded once, not once per turn.
 */
const frozenEncodings = new WeakMap<object, string>();
/** Set by `encode` for the value it just encoded: true when that value is immutable. */
let lastImmutable = true;

export function encodeCanonical(value: unknown): string {
  try {
    return encode(value);
  } catch (e) {
    if (!(e instanceof NotJson)) throw e;
    // Slow path, only on failure: find where the non-JSON value is.
    throw new TypeError(`encodeCanonical: ${locate(value, '$') ?? '$'} ${e.message}`);
  }
}

function encode(value: unknown): string {
  if (value === null) {
    lastImmutable = true;
    return 'null';
  }
  switch (typeof value) {
    case 'string':
      lastImmutable = true;
      return JSON.stringify(value);
    case 'boolean':
      lastImmutable = true;
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new NotJson(`is ${value}; JSON has no encoding for it`);
      lastImmutable = true;
      return String(value);
    case 'object': {
      const cached = frozenEncodings.get(value);
      if (cached !== undefined) {
        lastImmutable = true;
        return cached;
      }
      let immutable = Object.isFrozen(value);
      let out: string;
      if (Array.isArray(value)) {
        out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item = value[i];
          out += item === undefined ? 'null' : encode(item);
          immutable = immutable && (item === undefined || lastImmutable);
        }
        out += ']';
      } else {
        const record = value as Record<string, unknown>;
        const keys = Object.keys(record).sort();
        out = '{';
        let first = true;
        for (let i = 0; i < keys.length; i++) {
          const member = record[keys[i]];
          if (member === undefined) continue;
          if (!first) out += ',';
          first = false;
          out += JSON.stringify(keys[i]) + ':' + encode(member);
          immutable = immutable && lastImmutable;
        }
        out += '}';
      }
      if (immutable) frozenEncodings.set(value, out);
      lastImmutable = immutable;
      return out;
    }
    default:
      throw new NotJson(`is a ${typeof value}, which is not JSON`);
  }
}

function locate(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (typeof value === 'function' || typeof value === 'bigint' || typeof value === 'symbol') return path;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = locate(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  for (const key of Object.keys(value).sort()) {
    const p = locate((value as Record<string, unknown>)[key], `${path}.${key}`);
    if (p) return p;
  }
  return undefined;
}
