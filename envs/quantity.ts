/**
 * Kubernetes resource quantities (`250m`, `1.5`, `512Mi`, `10Gi`, `1e3`), parsed to plain numbers so
 * requests can be compared with limits. This is the one parser: `envs/schema.ts` uses it to check
 * configs and `constructs/common/quantities.ts` re-exports it for the constructs.
 */

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const SUFFIX_FACTORS: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The value of a quantity in base units (cores for CPU, bytes for memory), or `undefined` when malformed. */
export function parseQuantity(quantity: string): number | undefined {
  if (typeof quantity !== 'string') return undefined;
  const match = QUANTITY.exec(quantity.trim() === quantity ? quantity : '');
  if (!match) return undefined;
  const mantissa = Number(match[1]);
  const suffix = match[2] ?? '';
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX_FACTORS[suffix];
  if (factor === undefined || !Number.isFinite(mantissa)) return undefined;
  return mantissa * factor;
}

/** True when `quantity` is a well-formed, strictly positive Kubernetes quantity. */
export function isPositiveQuantity(quantity: string): boolean {
  const value = parseQuantity(quantity);
  return value !== undefined && value > 0;
}

/** CPU quantity in millicores (`250m` → 250, `1.5` → 1500), or `undefined` when malformed. */
export function cpuMillis(quantity: string): number | undefined {
  const cores = parseQuantity(quantity);
  return cores === undefined ? undefined : Math.round(cores * 1000 * 1e6) / 1e6;
}

/** Memory/storage quantity in bytes, or `undefined` when malformed. */
export function bytesOf(quantity: string): number | undefined {
  return parseQuantity(quantity);
}
