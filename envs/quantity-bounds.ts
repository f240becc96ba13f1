/**
 * Sane bounds for the quantities an env sets (container CPU and memory, etcd volume size), so a unit
 * slip — `'500M'` (500 million cores) for `'500m'`, `'512m'` (half a byte) for `'512Mi'` — fails at
 * config time with the fix instead of reaching a cluster. A block of its own: the schema library of
 * issue #17 takes these bounds over as they are.
 */
import { parseQuantity } from './quantity';

export type QuantityKind = 'cpu' | 'memory' | 'storage';

export interface QuantityBound {
  readonly min: number;
  readonly max: number;
  /** How the bounds read in a message. */
  readonly minText: string;
  readonly maxText: string;
  /** What the quantity is, for the message. */
  readonly what: string;
  readonly example: string;
}

const GI = 2 ** 30;
const MI = 2 ** 20;

export const QUANTITY_BOUNDS: Readonly<Record<QuantityKind, QuantityBound>> = {
  cpu: { min: 0.01, max: 64, minText: '10m', maxText: '64', what: 'a container CPU (cores)', example: '250m' },
  memory: { min: 32 * MI, max: 256 * GI, minText: '32Mi', maxText: '256Gi', what: 'a container memory (bytes)', example: '512Mi' },
  storage: { min: 1 * GI, max: 1024 * GI, minText: '1Gi', maxText: '1Ti', what: 'an etcd data volume (bytes)', example: '10Gi' },
};

/** The fix for a quantity out of bounds: the likely unit slip, else an example. */
function slipHint(value: string, kind: QuantityKind): string {
  const m = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(value);
  const [number, suffix] = m ? [m[1], m[2]] : [value, ''];
  if (kind === 'cpu' && suffix === 'M') return `"M" is mega (×1,000,000); for ${number} millicores write "${number}m"`;
  if (kind === 'cpu' && suffix === 'k') return `"k" is kilo (×1,000); for ${number} millicores write "${number}m"`;
  if (kind !== 'cpu' && suffix === 'm') return `"m" is milli (×1/1,000); for ${number} mebibytes write "${number}Mi"`;
  if (kind !== 'cpu' && suffix === '') return `a bare number is bytes; for ${number} mebibytes write "${number}Mi"`;
  return `use e.g. "${QUANTITY_BOUNDS[kind].example}"`;
}

/**
 * The problem with a well-formed positive quantity outside its kind's bounds, as
 * `<path>: "<value>" is outside <min>..<max> for <what>; <fix>`; `undefined` when within (or malformed:
 * the schema reports that separately).
 */
export function quantityBoundProblem(value: unknown, kind: QuantityKind, path: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseQuantity(value);
  if (parsed === undefined || parsed <= 0) return undefined;
  const bound = QUANTITY_BOUNDS[kind];
  if (parsed >= bound.min && parsed <= bound.max) return undefined;
  return `${path}: ${JSON.stringify(value)} is outside ${bound.minText}..${bound.maxText} for ${bound.what}; ${slipHint(value, kind)}`;
}

/** Bound problems of a `{ cpuRequest, cpuLimit?, memoryRequest, memoryLimit }` at `path`. */
export function resourceBoundProblems(spec: unknown, path: string): string[] {
  if (typeof spec !== 'object' || spec === null) return [];
  const s = spec as Record<string, unknown>;
  return [
    quantityBoundProblem(s.cpuRequest, 'cpu', `${path}.cpuRequest`),
    quantityBoundProblem(s.memoryRequest, 'memory', `${path}.memoryRequest`),
    quantityBoundProblem(s.memoryLimit, 'memory', `${path}.memoryLimit`),
    quantityBoundProblem(s.cpuLimit, 'cpu', `${path}.cpuLimit`),
  ].filter((p): p is string => p !== undefined);
}

/** Bound problems of every quantity an env config sets (runtime, control plane, lease store). */
export function environmentQuantityProblems(cfg: Record<string, unknown>): string[] {
  const part = (key: string): Record<string, unknown> => (typeof cfg[key] === 'object' && cfg[key] !== null ? (cfg[key] as Record<string, unknown>) : {});
  const problems = ['runtime', 'controlPlane', 'leaseStore'].flatMap((key) => resourceBoundProblems(part(key).resources, `${key}.resources`));
  const storage = quantityBoundProblem(part('leaseStore').storageSize, 'storage', 'leaseStore.storageSize');
  return storage === undefined ? problems : [...problems, storage];
}
