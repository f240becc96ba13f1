/**
 * Fixture inputs of a gate run in a temp root: bench and load results, the image build output.
 * Figures are well inside the SLO thresholds unless a test overrides them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const IMAGE = `ghcr.io/rspp/runtime@sha256:${'4d'.repeat(32)}`;

/** `dist/bench/engine.json`: the engine bench figures the gates manifest reads. */
export function engineResults(o: { stale_epoch_accepted?: number } = {}): unknown {
  return { stale_epoch_accepted: 0, ...o };
}

/** `dist/bench/load.json` in the shape `runtime/server/bench/load-bench.ts` writes (the parts read here). */
export function loadResults(
  o: { turnOpenP95?: number | null; firstOutputP95?: number | null; cancelFenceP95?: number | null; cpuPerFrameRatio?: number | null } = {},
): unknown {
  const summary = (p95: number | null) => ({ count: 400, p50Ms: p95 === null ? null : p95 / 2, p95Ms: p95, p99Ms: p95, maxMs: p95 });
  const pick = (v: number | null | undefined, fallback: number) => summary(v === undefined ? fallback : v);
  return {
    bench: 'runtime-server-load',
    clientSide: { turnOpen: pick(o.turnOpenP95, 6.5), firstOutput: pick(o.firstOutputP95, 620), cancelFence: pick(o.cancelFenceP95, 3.25) },
    comparison: { baseline: 'echo', cpuPerFrameRatio: o.cpuPerFrameRatio === undefined ? 1.1 : o.cpuPerFrameRatio },
  };
}

export interface GateRoot {
  readonly root: string;
  readonly engineFile: string;
  readonly loadFile: string;
  readonly imageFile: string;
}

export function gateRoot(overrides: { engine?: unknown; load?: unknown; image?: unknown } = {}): GateRoot {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-gates-'));
  const write = (rel: string, value: unknown) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), `${JSON.stringify(value, null, 2)}\n`);
    return path.join(root, rel);
  };
  return {
    root,
    engineFile: write('dist/bench/engine.json', overrides.engine ?? engineResults()),
    loadFile: write('dist/bench/load.json', overrides.load ?? loadResults()),
    imageFile: write('dist/image/runtime.json', overrides.image ?? { image: IMAGE }),
  };
}
