/**
 * Contracts decoder micro-bench (`npm run bench:decoder`): the per-frame decode cost of the session
 * server's ingress (`decodeIngressFrame`: `JSON.parse` + the contracts v1 strict decoder) on the
 * frames the load bench sends, and the validation of the other contracts the engine checks on its
 * hot path. Every figure is paired with a baseline measured in the same run (`JSON.parse` of the
 * same text), because this machine is shared and absolute times drift; the ratio is the figure to
 * compare between versions. Writes `dist/bench/decoder.json`.
 *
 * Knobs: `RSPP_BENCH_DECODES` (default 1M per case), `RSPP_BENCH_ROUNDS` (default 5; the median round counts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { validateContract, type ContractKind } from '../../contracts/v1';
import { SessionEnvelopes } from '../../server/client/session-envelopes';
import { decodeIngressFrame, type IngressVisitor } from '../../server/session/ingress-decoder';

if (process.argv.includes('--help')) {
  process.stdout.write(
    'usage: npm run bench:decoder\n  per-frame decode cost of the session ingress (JSON.parse + contracts v1 strict decoder) against JSON.parse alone;\n  writes dist/bench/decoder.json. Env: RSPP_BENCH_DECODES (default 1000000), RSPP_BENCH_ROUNDS (default 5)\n',
  );
  process.exit(0);
}

const N = Number(process.env.RSPP_BENCH_DECODES ?? 1_000_000);
const ROUNDS = Number(process.env.RSPP_BENCH_ROUNDS ?? 5);

const envelopes = new SessionEnvelopes('bench-session', 7, 'simple@v1', () => 1_700_000_000_000);
const textFrame = JSON.stringify(envelopes.data('t000001'));
const audioFrame = JSON.stringify(envelopes.data('t000001', { payloadClass: 'audio_raw', edgeId: 'asr_in' }));
const signalFrame = JSON.stringify(envelopes.proposeTurn('t000002'));
const batchFrame = JSON.stringify(Array.from({ length: 8 }, () => envelopes.data('t000001')));

let sink = 0;
const visitor: IngressVisitor = {
  event: (_e, bytes) => (sink += bytes),
  signal: () => (sink += 1),
  error: (e) => {
    throw new Error(`bench frame refused: ${e.reason}`);
  },
};

/** Median ns per call of `f` over ROUNDS rounds of N calls (after a warm-up round). */
function nsPerCall(f: () => void, n = N): number {
  for (let i = 0; i < Math.min(n, 200_000); i++) f();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f();
    rounds.push(((performance.now() - t0) * 1e6) / n);
  }
  return rounds.sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
}

interface FrameCase {
  readonly name: string;
  readonly text: string;
  readonly envelopes: number;
}

const frames: readonly FrameCase[] = [
  { name: 'ingress text_raw EventRecord', text: textFrame, envelopes: 1 },
  { name: 'ingress audio_raw EventRecord', text: audioFrame, envelopes: 1 },
  { name: 'ingress ControlSignal', text: signalFrame, envelopes: 1 },
  { name: 'ingress batch of 8 EventRecords', text: batchFrame, envelopes: 8 },
];

const results: Record<string, unknown>[] = [];
for (const frame of frames) {
  const parseOnly = nsPerCall(() => {
    sink += (JSON.parse(frame.text) as unknown[]).length ?? 1;
  });
  const decode = nsPerCall(() => decodeIngressFrame(frame.text, 'bench-session', visitor));
  results.push({
    case: frame.name,
    bytes: frame.text.length,
    parse_ns: Math.round(parseOnly),
    decode_ns: Math.round(decode),
    validate_ns_per_envelope: Math.round((decode - parseOnly) / frame.envelopes),
    decode_over_parse: Number((decode / parseOnly).toFixed(3)),
  });
}

/** Already-parsed values the engine validates (validateContract) on its hot path. */
const parsedCases: ReadonlyArray<[ContractKind, unknown]> = [
  ['EventRecord', JSON.parse(audioFrame)],
  ['ControlSignal', JSON.parse(signalFrame)],
];
for (const [kind, value] of parsedCases) {
  const text = JSON.stringify(value);
  if (validateContract(kind, value) !== undefined) throw new Error(`bench ${kind} is invalid`);
  const parseOnly = nsPerCall(() => {
    sink += JSON.parse(text) === null ? 0 : 1;
  });
  const validate = nsPerCall(() => {
    sink += validateContract(kind, value) === undefined ? 1 : 0;
  });
  results.push({ case: `validateContract(${kind}) on a parsed value`, bytes: text.length, parse_ns: Math.round(parseOnly), validate_ns: Math.round(validate), validate_over_parse: Number((validate / parseOnly).toFixed(3)) });
}

const report = { node: process.version, decodes_per_round: N, rounds: ROUNDS, results, sink: sink > 0 };
const file = join(process.cwd(), 'dist', 'bench', 'decoder.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
process.stdout.write(`wrote ${file}\n`);
