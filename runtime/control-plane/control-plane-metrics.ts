/**
 * The control plane's Prometheus metrics (text exposition 0.0.4). Names of metrics shared with the
 * runtime come from runtime-interface.ts; the `rspp_cp_*` ones are the control plane's own.
 */
import { METRICS } from '../contracts/runtime-interface';

export const CONTROL_PLANE_METRICS = {
  requestsTotal: 'rspp_cp_requests_total',
  admissionDecisionsTotal: 'rspp_cp_admission_decisions_total',
  sessionsAdmitted: 'rspp_cp_sessions_admitted',
  leaseStoreReachable: 'rspp_cp_lease_store_reachable',
  bundlesServable: 'rspp_cp_bundles_servable',
  draining: METRICS.draining,
} as const;

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly samples: Map<string, { labels: Labels; value: number }>;
}

export class ControlPlaneMetrics {
  private readonly families = new Map<string, Family>();
  private readonly gauges = new Map<string, () => number>();

  constructor() {
    this.declare(CONTROL_PLANE_METRICS.requestsTotal, 'counter', 'Control-plane API requests by route and status.');
    this.declare(CONTROL_PLANE_METRICS.admissionDecisionsTotal, 'counter', 'CP-05 admission decisions by outcome and scope.');
  }

  /** Registers a gauge sampled at scrape time. */
  gauge(name: string, help: string, sample: () => number): void {
    this.declare(name, 'gauge', help);
    this.gauges.set(name, sample);
  }

  increment(name: string, labels: Labels): void {
    const family = this.families.get(name);
    if (!family) throw new Error(`ControlPlaneMetrics: undeclared metric ${name}`);
    const id = labelText(labels);
    const sample = family.samples.get(id) ?? { labels, value: 0 };
    sample.value += 1;
    family.samples.set(id, sample);
  }

  value(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.samples.get(labelText(labels))?.value ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      const sample = this.gauges.get(name);
      if (sample) {
        lines.push(`${name} ${sample()}`);
        continue;
      }
      for (const { labels, value } of family.samples.values()) lines.push(`${name}${labelText(labels)} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private declare(name: string, type: Family['type'], help: string): void {
    if (!this.families.has(name)) this.families.set(name, { help, type, samples: new Map() });
  }
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${labels[k].replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}
