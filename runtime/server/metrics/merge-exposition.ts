/**
 * Merges the Prometheus text expositions of a pod's worker processes into the one `/metrics` the
 * pod serves (`cluster/worker-pool.ts`): every sample with the same name and labels is summed
 * (counters, histogram buckets/sums/counts, gauges such as sessions or leases held), except the
 * gauges named in `maxOf` (the lease epoch, draining), which take the largest worker value.
 * Families keep the order and the `# HELP` / `# TYPE` lines of their first appearance; a series
 * only some workers have is kept. Input is `MetricsRegistry.render()` output: one sample per line,
 * `name{labels} value`, no timestamps.
 */
import { formatValue } from './metrics-registry';

interface MergedFamily {
  readonly header: string[];
  readonly samples: Map<string, number>;
  readonly max: boolean;
}

function sampleValue(value: string): number {
  if (value === '+Inf') return Infinity;
  if (value === '-Inf') return -Infinity;
  return Number(value);
}

export function mergeExpositions(texts: readonly string[], maxOf: ReadonlySet<string> = new Set()): string {
  const families = new Map<string, MergedFamily>();
  for (const text of texts) {
    let family: MergedFamily | undefined;
    let headerFor: string | undefined;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const header = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) /.exec(line);
      if (header) {
        const name = header[2];
        family = families.get(name);
        if (family === undefined) {
          family = { header: [], samples: new Map(), max: maxOf.has(name) };
          families.set(name, family);
          headerFor = name;
        } else if (headerFor !== name) {
          headerFor = undefined; // header lines already kept from the first worker
        }
        if (headerFor === name) family.header.push(line);
        continue;
      }
      if (line.startsWith('#')) continue;
      const space = line.lastIndexOf(' ');
      const key = line.slice(0, space);
      if (family === undefined) {
        // A sample before any header (not produced by MetricsRegistry): its own family.
        family = { header: [], samples: new Map(), max: false };
        families.set(key, family);
      }
      const value = sampleValue(line.slice(space + 1));
      const prior = family.samples.get(key);
      family.samples.set(key, prior === undefined ? value : family.max ? Math.max(prior, value) : prior + value);
    }
  }
  const out: string[] = [];
  for (const family of families.values()) {
    out.push(...family.header);
    for (const [key, value] of family.samples) out.push(`${key} ${formatValue(value)}`);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
