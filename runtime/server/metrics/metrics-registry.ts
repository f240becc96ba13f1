/**
 * A small Prometheus registry: counters, gauges and fixed-bucket histograms, rendered in the text
 * exposition format (version 0.0.4).
 *
 * Why not prom-client: the hot path (one `observe`/`inc` per frame, tens of thousands per second)
 * must not allocate. Series are resolved once (`labels(...)` returns a cached child that callers
 * keep), values live in plain numbers / `Float64Array`s, and all string work happens in `render()`,
 * which runs only when Prometheus scrapes.
 */

/** Prometheus metric and label name rules. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Default latency buckets in seconds: 0.5 ms .. 10 s, dense around the SLO gates (120/150 ms, 1.5 s). */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.12, 0.15, 0.25, 0.5, 1, 1.5, 2.5, 5, 10,
];

type MetricType = 'counter' | 'gauge' | 'histogram';

interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  render(out: string[]): void;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Go-style float formatting as Prometheus expects (`+Inf`, `-Inf`, `NaN`). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelBlock(names: readonly string[], values: readonly string[], extra?: string): string {
  if (names.length === 0 && extra === undefined) return '';
  const parts: string[] = [];
  for (let i = 0; i < names.length; i++) parts.push(`${names[i]}="${escapeLabelValue(values[i])}"`);
  if (extra !== undefined) parts.push(extra);
  return `{${parts.join(',')}}`;
}

/** Base for families with optional labels: children are created once per label-value tuple and cached. */
abstract class LabelledFamily<Child> implements MetricFamily {
  abstract readonly type: MetricType;
  private readonly children = new Map<string, { readonly values: readonly string[]; readonly child: Child }>();
  private unlabelled: Child | undefined;

  protected constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`metrics: invalid metric name "${name}" (must match ${METRIC_NAME})`);
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith('__') || label === 'le') {
        throw new Error(`metrics: ${name}: invalid label name "${label}"`);
      }
    }
  }

  protected abstract createChild(): Child;
  protected abstract renderChild(out: string[], names: readonly string[], values: readonly string[], child: Child): void;

  /** The series for these label values (in `labelNames` order). Resolve once, keep the result. */
  labels(...values: string[]): Child {
    if (values.length !== this.labelNames.length) {
      throw new Error(
        `metrics: ${this.name} takes ${this.labelNames.length} label value(s) (${this.labelNames.join(', ')}), got ${values.length}`,
      );
    }
    const key = values.join('\u0000');
    let entry = this.children.get(key);
    if (entry === undefined) {
      entry = { values: [...values], child: this.createChild() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  /** The single series of a family without labels (created on first use, so subclasses are fully built). */
  protected get root(): Child {
    if (this.unlabelled === undefined) {
      if (this.labelNames.length > 0) {
        throw new Error(`metrics: ${this.name} has labels (${this.labelNames.join(', ')}); use labels(...)`);
      }
      this.unlabelled = this.createChild();
    }
    return this.unlabelled;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    if (this.labelNames.length === 0) this.renderChild(out, [], [], this.root);
    for (const { values, child } of this.children.values()) this.renderChild(out, this.labelNames, values, child);
  }
}

/** A monotonically increasing value. */
export class CounterSeries {
  value = 0;
  inc(by = 1): void {
    if (!(by >= 0)) throw new Error(`metrics: counter increment must be >= 0, got ${by}`);
    this.value += by;
  }
  /**
   * Sets the total from a cumulative source read at scrape time (e.g. per-engine counters).
   * The source must itself be monotonic; a smaller total is ignored so the counter never goes back.
   */
  collect(total: number): void {
    if (total > this.value) this.value = total;
  }
}

export class Counter extends LabelledFamily<CounterSeries> {
  readonly type = 'counter';
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames);
  }
  protected createChild(): CounterSeries {
    return new CounterSeries();
  }
  protected renderChild(out: string[], names: readonly string[], values: readonly string[], child: CounterSeries): void {
    out.push(`${this.name}${labelBlock(names, values)} ${formatValue(child.value)}`);
  }
  inc(by = 1): void {
    this.root.inc(by);
  }
  collect(total: number): void {
    this.root.collect(total);
  }
  get value(): number {
    return this.root.value;
  }
}

/** A value that goes up and down. */
export class GaugeSeries {
  value = 0;
  set(value: number): void {
    this.value = value;
  }
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
}

export class Gauge extends LabelledFamily<GaugeSeries> {
  readonly type = 'gauge';
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames);
  }
  protected createChild(): GaugeSeries {
    return new GaugeSeries();
  }
  protected renderChild(out: string[], names: readonly string[], values: readonly string[], child: GaugeSeries): void {
    out.push(`${this.name}${labelBlock(names, values)} ${formatValue(child.value)}`);
  }
  set(value: number): void {
    this.root.set(value);
  }
  inc(by = 1): void {
    this.root.inc(by);
  }
  dec(by = 1): void {
    this.root.dec(by);
  }
  get value(): number {
    return this.root.value;
  }
}

/** Fixed-bucket histogram series: per-bucket (non-cumulative) counts, made cumulative on render. */
export class HistogramSeries {
  readonly bucketCounts: Float64Array;
  count = 0;
  sum = 0;
  constructor(readonly upperBounds: readonly number[]) {
    this.bucketCounts = new Float64Array(upperBounds.length);
  }
  observe(value: number): void {
    if (!Number.isFinite(value)) return; // a NaN/Inf sample would poison `sum` forever
    const bounds = this.upperBounds;
    // Linear scan: ~17 buckets, and most samples land in the first few.
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.bucketCounts[i]++;
        break;
      }
    }
    this.count++;
    this.sum += value;
  }
}

export class Histogram extends LabelledFamily<HistogramSeries> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  constructor(name: string, help: string, buckets: readonly number[] = LATENCY_BUCKETS_SECONDS, labelNames: readonly string[] = []) {
    super(name, help, labelNames);
    Histogram.validateBuckets(name, buckets);
    this.buckets = [...buckets];
  }
  private static validateBuckets(name: string, buckets: readonly number[]): void {
    if (buckets.length === 0) throw new Error(`metrics: ${name}: histogram needs at least one bucket`);
    for (let i = 0; i < buckets.length; i++) {
      if (!Number.isFinite(buckets[i]) || (i > 0 && buckets[i] <= buckets[i - 1])) {
        throw new Error(`metrics: ${name}: buckets must be finite and strictly increasing (bucket ${i} = ${buckets[i]})`);
      }
    }
  }
  protected createChild(): HistogramSeries {
    return new HistogramSeries(this.buckets);
  }
  protected renderChild(out: string[], names: readonly string[], values: readonly string[], child: HistogramSeries): void {
    let cumulative = 0;
    for (let i = 0; i < child.upperBounds.length; i++) {
      cumulative += child.bucketCounts[i];
      out.push(`${this.name}_bucket${labelBlock(names, values, `le="${formatValue(child.upperBounds[i])}"`)} ${cumulative}`);
    }
    out.push(`${this.name}_bucket${labelBlock(names, values, 'le="+Inf"')} ${child.count}`);
    out.push(`${this.name}_sum${labelBlock(names, values)} ${formatValue(child.sum)}`);
    out.push(`${this.name}_count${labelBlock(names, values)} ${child.count}`);
  }
  observe(value: number): void {
    this.root.observe(value);
  }
  get series(): HistogramSeries {
    return this.root;
  }
}

/** A set of metric families rendered together. Names are unique within a registry. */
export class MetricsRegistry {
  private readonly families = new Map<string, MetricFamily>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.register(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.register(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, buckets: readonly number[] = LATENCY_BUCKETS_SECONDS, labelNames: readonly string[] = []): Histogram {
    return this.register(new Histogram(name, help, buckets, labelNames));
  }

  private register<F extends MetricFamily>(family: F): F {
    if (this.families.has(family.name)) throw new Error(`metrics: metric "${family.name}" is already registered`);
    this.families.set(family.name, family);
    return family;
  }

  /** Prometheus text exposition (`text/plain; version=0.0.4`). */
  render(): string {
    const out: string[] = [];
    for (const family of this.families.values()) family.render(out);
    out.push('');
    return out.join('\n');
  }
}

/** Content type of `MetricsRegistry.render()`. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
