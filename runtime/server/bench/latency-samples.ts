/** A growable array of latency samples without per-sample allocation. */
export class LatencySamples {
  private data = new Float64Array(1024);
  private size = 0;

  push(value: number): void {
    if (this.size === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.size++] = value;
  }

  get length(): number {
    return this.size;
  }

  toArray(): Float64Array {
    return this.data.slice(0, this.size);
  }
}

/** Nearest-rank percentile (turn-engine.md §11): sort ascending, index ⌈p·n⌉ − 1. */
export function nearestRank(sorted: Float64Array, p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

export function summarize(samples: Float64Array): LatencySummary {
  const sorted = samples.slice().sort();
  const round = (v: number | undefined) => (v === undefined ? null : Math.round(v * 1000) / 1000);
  return {
    count: sorted.length,
    p50Ms: round(nearestRank(sorted, 0.5)),
    p95Ms: round(nearestRank(sorted, 0.95)),
    p99Ms: round(nearestRank(sorted, 0.99)),
    maxMs: round(sorted.length ? sorted[sorted.length - 1] : undefined),
  };
}

export function concatSamples(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
