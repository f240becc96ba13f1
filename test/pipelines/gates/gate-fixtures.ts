/**
 * Fixture inputs of a gate run in a temp root: bench and load results, the image build output.
 * Figures are well inside the SLO thresholds unless a test overrides them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const IMAGE = `ghcr.io/rspp/runtime@sha256:${'4d'.repeat(32)}`;

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
    engineFile: write('dist/bench/engine.json', overrides.engine ?? { turn_open_decision_p95_ms: 4 }),
    loadFile: write('dist/bench/load.json', overrides.load ?? { first_output_p95_ms: 620, cancel_fence_p95_ms: 18, stale_epoch_accepted: 0 }),
    imageFile: write('dist/image/runtime.json', overrides.image ?? { image: IMAGE }),
  };
}
