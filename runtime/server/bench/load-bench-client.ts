/**
 * Load bench client process: opens `sessions` WebSocket sessions to the server under test and
 * drives each at a fixed frame rate through turns: propose → `turnEvents` DataLane events →
 * alternately `playback_completed` (commit) or `cancel` → next turn. Latencies are measured on
 * this process's clock from the send of a frame to the receipt of the output it causes.
 *
 * Runs as a child process of `load-bench.ts` (so it never shares the server's event loop). It
 * shares the machine's cores with the server, so it is built to be cheap per frame: a raw TCP
 * WebSocket client (`raw-ws-client.ts`), DataLane frames pre-built per session with only ids,
 * sequences and timestamps patched (`data-frame-template.ts`), and server frames scanned for the
 * fields it times instead of parsed (`output-frame-scanner.ts`). Every data event is still matched
 * to its own egress by event id, and every error frame, refused turn and unexpected close counts.
 */
import { monitorEventLoopDelay } from 'perf_hooks';
import { PATHS } from '../../contracts/runtime-interface';
import { SessionEnvelopes } from '../client/session-envelopes';
import type { SessionHello } from '../session/wire-protocol';
import { benchTurnId, DataFrameTemplate } from './data-frame-template';
import { LatencySamples } from './latency-samples';
import type { ClientToCoordinator, CoordinatorToClient, LoadClientParams, LoadClientResult } from './load-bench-protocol';
import { scanOutputsFrame, serverFrameKind, type OutputFrameVisitor } from './output-frame-scanner';
import { RawWsConnection } from './raw-ws-client';

type Phase = 'idle' | 'opening' | 'active' | 'closing' | 'closed';

interface LoadSession {
  readonly ws: RawWsConnection;
  readonly env: SessionEnvelopes;
  readonly dataFrames: DataFrameTemplate;
  phase: Phase;
  turn: number;
  turnId: string;
  sentInTurn: number;
  dataCounter: number;
  dataSequence: number;
  nextDueMs: number;
  proposedAt: number;
  /** When `turn_open` arrived; the first DataLane output of the turn after it is the first-output sample. */
  openedAt: number;
  firstOutputPending: boolean;
  terminalSentAt: number;
  cancelling: boolean;
  /** Data event number → send time of DataLane events awaiting their egress. */
  readonly inFlight: Map<number, number>;
}

const CONNECT_CONCURRENCY = 100;
/** Longest wait for outputs still owed after the load stops. */
const SETTLE_MAX_MS = 10_000;

function send(message: ClientToCoordinator): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, {}, (err) => (err ? reject(err) : resolve())));
}

async function run(params: LoadClientParams): Promise<void> {
  const ingress = new LatencySamples();
  const turnOpen = new LatencySamples();
  const cancelFence = new LatencySamples();
  let fencedOutputs = 0;
  const commit = new LatencySamples();
  const firstOutput = new LatencySamples();
  const counts = {
    framesSent: 0,
    dataSent: 0,
    dataReceived: 0,
    turnsOpened: 0,
    turnsCommitted: 0,
    turnsCancelled: 0,
    errorFrames: 0,
    unexpectedCloses: 0,
    connectFailures: 0,
    lateSlots: 0,
  };
  const errorSamples: string[] = [];
  const sampleError = (text: string) => {
    if (errorSamples.length < 10) errorSamples.push(text);
  };
  let stopping = false;

  // The frame being scanned: one visitor for all frames, no per-frame closures.
  let current: LoadSession | undefined;
  let now = 0;
  const visitor: OutputFrameVisitor = {
    data: (n) => {
      const s = current!;
      const sentAt = s.inFlight.get(n);
      if (sentAt !== undefined) {
        s.inFlight.delete(n);
        ingress.push(now - sentAt);
        counts.dataReceived++;
      }
      if (s.firstOutputPending) {
        firstOutput.push(now - s.openedAt);
        s.firstOutputPending = false;
      }
    },
    signal: (name, cancelled) => {
      const s = current!;
      if (name === 'turn_open' && s.phase === 'opening') {
        turnOpen.push(now - s.proposedAt);
        counts.turnsOpened++;
        s.phase = 'active';
        s.sentInTurn = 0;
        s.openedAt = now;
        s.firstOutputPending = true;
      } else if (name === 'abort' && s.cancelling && cancelled) {
        cancelFence.push(now - s.terminalSentAt);
        counts.turnsCancelled++;
        if (params.cancelInFlight === true) {
          fencedOutputs += s.inFlight.size;
          s.inFlight.clear();
        }
      } else if (name === 'commit') {
        commit.push(now - s.terminalSentAt);
        counts.turnsCommitted++;
      } else if (name === 'close') {
        s.phase = 'idle';
      }
    },
    refused: (outcomeKind) => {
      const s = current!;
      if (s.phase !== 'opening') return;
      counts.errorFrames++;
      sampleError(`turn refused: ${outcomeKind}`);
      s.phase = 'idle';
    },
  };
  const onFrame = (s: LoadSession, payload: Buffer) => {
    now = performance.now();
    const kind = serverFrameKind(payload);
    if (kind === 'outputs') {
      current = s;
      scanOutputsFrame(payload, visitor);
      current = undefined;
    } else if (kind === 'error') {
      counts.errorFrames++;
      sampleError(payload.toString('utf8', 0, Math.min(payload.length, 300)));
    } else {
      counts.errorFrames++;
      sampleError(`unexpected frame: ${payload.toString('utf8', 0, Math.min(payload.length, 120))}`);
    }
  };

  // ---- connect, at most CONNECT_CONCURRENCY handshakes at a time
  const connectStarted = performance.now();
  const sessions: LoadSession[] = [];
  let next = 0;
  const connectOne = async (): Promise<void> => {
    while (next < params.sessions) {
      const local = next++;
      const index = params.firstSession + local;
      const sessionId = `load-${index}`;
      const port = params.ports[local % params.ports.length];
      try {
        const hello = await new Promise<{ ws: RawWsConnection; hello: SessionHello }>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no session frame within 30000 ms')), 30_000);
          let ws: RawWsConnection | undefined;
          RawWsConnection.connect('127.0.0.1', port, `${PATHS.sessions}?session_id=${sessionId}`, {
            message: (payload) => {
              clearTimeout(timer);
              const frame = JSON.parse(payload.toString('utf8')) as SessionHello & { type: string };
              if (frame.type !== 'session') reject(new Error(`first frame is "${frame.type}", not "session"`));
              else resolve({ ws: ws!, hello: frame });
            },
            closed: (code, reason) => {
              clearTimeout(timer);
              reject(new Error(`closed ${code} before the session frame: ${reason}`));
            },
          }).then((c) => (ws = c), reject);
        });
        const s: LoadSession = {
          ws: hello.ws,
          env: new SessionEnvelopes(hello.hello.session_id, hello.hello.authority_epoch, hello.hello.pipeline_version),
          dataFrames: new DataFrameTemplate(hello.hello.session_id, hello.hello.pipeline_version, hello.hello.authority_epoch),
          phase: 'idle',
          turn: 0,
          turnId: '',
          sentInTurn: 0,
          dataCounter: 0,
          dataSequence: 0,
          nextDueMs: 0,
          proposedAt: 0,
          openedAt: 0,
          firstOutputPending: false,
          terminalSentAt: 0,
          cancelling: false,
          inFlight: new Map(),
        };
        s.ws.setHandlers({
          message: (payload) => onFrame(s, payload),
          closed: (code, reason) => {
            if (!stopping) {
              counts.unexpectedCloses++;
              sampleError(`session ${s.env.sessionId} closed with ${code}: ${reason}`);
            }
            s.phase = 'closed';
          },
        });
        sessions.push(s);
      } catch (err) {
        counts.connectFailures++;
        sampleError(`connect ${sessionId}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, params.sessions) }, connectOne));
  const connectMs = performance.now() - connectStarted;
  await send({ type: 'connected', sessions: sessions.length, failures: counts.connectFailures });
  await new Promise<void>((resolve) => process.once('message', () => resolve())); // 'go'

  // ---- steady load: every session gets one send slot per period, phases spread evenly
  const periodMs = 1000 / params.rate;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  // Stagger first proposals across one whole turn cycle (propose + events + terminal), not one
  // period: equal-length turns would otherwise keep every session opening turns in the same burst.
  const cycleMs = (params.turnEvents + 3) * periodMs;
  sessions.forEach((s, i) => (s.nextDueMs = started + (i * cycleMs) / sessions.length));
  const sendText = (s: LoadSession, text: string) => {
    s.ws.sendText(text);
    counts.framesSent++;
  };
  const batch = params.dataBatch ?? 1;
  const fire = (s: LoadSession, now: number) => {
    switch (s.phase) {
      case 'idle': {
        s.turn++;
        s.turnId = benchTurnId(s.turn);
        s.cancelling = s.turn % 2 === 0;
        s.phase = 'opening';
        s.proposedAt = now;
        sendText(s, JSON.stringify(s.env.proposeTurn(s.turnId)));
        return;
      }
      case 'active': {
        if (s.sentInTurn < params.turnEvents && batch > 1) {
          // --data-batch: up to `batch` events of the turn in one batch frame.
          const items: string[] = [];
          const wall = Date.now();
          while (items.length < batch && s.sentInTurn < params.turnEvents) {
            const n = ++s.dataCounter;
            s.inFlight.set(n, now);
            s.sentInTurn++;
            counts.dataSent++;
            items.push(s.dataFrames.body(s.turn, n, ++s.dataSequence, wall));
          }
          sendText(s, `[${items.join(',')}]`);
          return;
        }
        if (s.sentInTurn < params.turnEvents) {
          const n = ++s.dataCounter;
          s.inFlight.set(n, now);
          s.sentInTurn++;
          counts.dataSent++;
          counts.framesSent++;
          s.ws.sendFrame(s.dataFrames.frame(s.turn, n, ++s.dataSequence, Date.now()));
          return;
        }
        // Outputs still owed for this turn must arrive before the terminal, or they never will
        // (scenario --cancel-in-flight: a cancel goes out at once, racing the turn's outputs).
        if (s.inFlight.size > 0 && !(params.cancelInFlight === true && s.cancelling)) return;
        s.phase = 'closing';
        s.terminalSentAt = now;
        sendText(s, JSON.stringify(s.cancelling ? s.env.cancel(s.turnId) : s.env.playbackCompleted(s.turnId)));
        return;
      }
      default:
        return; // opening / closing / closed: waiting for the server, slot unused
    }
  };
  await new Promise<void>((resolve) => {
    const endAt = started + params.seconds * 1000;
    const timer = setInterval(() => {
      const now = performance.now();
      if (now >= endAt) {
        clearInterval(timer);
        resolve();
        return;
      }
      for (let i = 0; i < sessions.length; i++) {
        const s = sessions[i];
        if (s.nextDueMs > now) continue;
        if (now - s.nextDueMs > periodMs) {
          counts.lateSlots++;
          s.nextDueMs = now; // do not burst to catch up
        }
        s.nextDueMs += periodMs;
        fire(s, now);
      }
    }, 1);
  });
  // ---- settle: wait for outstanding outputs (at least 1 s, at most SETTLE_MAX_MS: a starved
  // server on a shared machine may be seconds behind), then count what never came
  const settleEnd = performance.now() + SETTLE_MAX_MS;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  while (performance.now() < settleEnd && sessions.some((s) => s.inFlight.size > 0)) await new Promise((resolve) => setTimeout(resolve, 50));
  const cpu = process.cpuUsage(cpuStart);
  loopDelay.disable();
  stopping = true;
  let missingOutputs = 0;
  // fencedOutputs (scenario --cancel-in-flight) is counted at each abort(cancelled).
  for (const s of sessions) missingOutputs += s.inFlight.size;
  for (const s of sessions) s.ws.terminate();
  const result: LoadClientResult = {
    ingressToEgressMs: ingress.toArray(),
    turnOpenMs: turnOpen.toArray(),
    firstOutputMs: firstOutput.toArray(),
    cancelFenceMs: cancelFence.toArray(),
    commitMs: commit.toArray(),
    ...counts,
    errorSamples,
    missingOutputs,
    fencedOutputs,
    connectMs,
    clientCpuUserMs: cpu.user / 1000,
    clientCpuSystemMs: cpu.system / 1000,
    eventLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
  };
  await send({ type: 'result', result });
}

process.once('message', (message: CoordinatorToClient) => {
  if (message.type !== 'start') return;
  run(message.params).then(
    () => process.disconnect(),
    (err: Error) => {
      void send({ type: 'failed', message: err.stack ?? err.message }).finally(() => process.disconnect());
    },
  );
});
