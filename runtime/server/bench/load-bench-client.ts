/**
 * Load bench client process: opens `sessions` WebSocket sessions to the server under test and
 * drives each at a fixed frame rate through turns: propose → `turnEvents` DataLane events →
 * alternately `playback_completed` (commit) or `cancel` → next turn. Latencies are measured on
 * this process's clock from the send of a frame to the receipt of the output it causes.
 *
 * Runs as a child process of `load-bench.ts` (so it never shares the server's event loop).
 */
import { monitorEventLoopDelay } from 'perf_hooks';
import WebSocket from 'ws';
import { SessionClient } from '../client/session-client';
import { SessionEnvelopes } from '../client/session-envelopes';
import { LatencySamples } from './latency-samples';
import type { ClientToCoordinator, CoordinatorToClient, LoadClientParams, LoadClientResult } from './load-bench-protocol';

type Phase = 'idle' | 'opening' | 'active' | 'closing' | 'closed';

interface LoadSession {
  readonly ws: WebSocket;
  readonly env: SessionEnvelopes;
  phase: Phase;
  turn: number;
  turnId: string;
  sentInTurn: number;
  dataCounter: number;
  nextDueMs: number;
  proposedAt: number;
  terminalSentAt: number;
  cancelling: boolean;
  /** event_id → send time of DataLane events awaiting their egress. */
  readonly inFlight: Map<string, number>;
}

const CONNECT_CONCURRENCY = 100;

function send(message: ClientToCoordinator): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, {}, (err) => (err ? reject(err) : resolve())));
}

async function run(params: LoadClientParams): Promise<void> {
  const ingress = new LatencySamples();
  const turnOpen = new LatencySamples();
  const cancelFence = new LatencySamples();
  const commit = new LatencySamples();
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
  let stopping = false;

  const onFrame = (s: LoadSession, data: WebSocket.RawData) => {
    const now = performance.now();
    const frame = JSON.parse(data.toString()) as { type: string; outputs?: { kind: string; event?: { event_id: string }; signal?: { signal: string; reason?: string } }[]; code?: string; path?: string; reason?: string };
    if (frame.type === 'error') {
      counts.errorFrames++;
      if (errorSamples.length < 10) errorSamples.push(`${frame.code} ${frame.path}: ${frame.reason}`);
      return;
    }
    if (frame.type !== 'outputs') return;
    for (const o of frame.outputs!) {
      if (o.kind === 'data') {
        const id = o.event!.event_id;
        const sentAt = s.inFlight.get(id);
        if (sentAt !== undefined) {
          s.inFlight.delete(id);
          ingress.push(now - sentAt);
          counts.dataReceived++;
        }
      } else if (o.kind === 'signal') {
        const name = o.signal!.signal;
        if (name === 'turn_open' && s.phase === 'opening') {
          turnOpen.push(now - s.proposedAt);
          counts.turnsOpened++;
          s.phase = 'active';
          s.sentInTurn = 0;
        } else if (name === 'abort' && s.cancelling && o.signal!.reason === 'cancelled') {
          cancelFence.push(now - s.terminalSentAt);
          counts.turnsCancelled++;
        } else if (name === 'commit') {
          commit.push(now - s.terminalSentAt);
          counts.turnsCommitted++;
        } else if (name === 'close') {
          s.phase = 'idle';
        }
      } else if (o.kind === 'decision' && s.phase === 'opening') {
        const outcome = (o as unknown as { outcome: { outcome_kind: string; reason: string } }).outcome;
        if (outcome.outcome_kind !== 'admit') {
          counts.errorFrames++;
          if (errorSamples.length < 10) errorSamples.push(`turn refused: ${outcome.outcome_kind} ${outcome.reason}`);
          s.phase = 'idle';
        }
      }
    }
  };

  // ---- connect, at most CONNECT_CONCURRENCY handshakes at a time
  const connectStarted = performance.now();
  const sessions: LoadSession[] = [];
  let next = 0;
  const connectOne = async (): Promise<void> => {
    while (next < params.sessions) {
      const index = params.firstSession + next++;
      try {
        const client = await SessionClient.connect(SessionClient.url('127.0.0.1', params.port, `load-${index}`), 30_000);
        // Take the raw socket over from the helper: the bench parses frames itself.
        client.socket.removeAllListeners('message');
        const s: LoadSession = {
          ws: client.socket,
          env: new SessionEnvelopes(client.sessionId, client.hello.authority_epoch, client.hello.pipeline_version),
          phase: 'idle',
          turn: 0,
          turnId: '',
          sentInTurn: 0,
          dataCounter: 0,
          nextDueMs: 0,
          proposedAt: 0,
          terminalSentAt: 0,
          cancelling: false,
          inFlight: new Map(),
        };
        s.ws.on('message', (data) => onFrame(s, data));
        s.ws.once('close', (code) => {
          if (!stopping) {
            counts.unexpectedCloses++;
            if (errorSamples.length < 10) errorSamples.push(`session ${s.env.sessionId} closed with ${code}`);
          }
          s.phase = 'closed';
        });
        sessions.push(s);
      } catch (err) {
        counts.connectFailures++;
        if (errorSamples.length < 10) errorSamples.push(`connect load-${index}: ${(err as Error).message}`);
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
  const sendFrame = (s: LoadSession, text: string) => {
    s.ws.send(text);
    counts.framesSent++;
  };
  const fire = (s: LoadSession, now: number) => {
    switch (s.phase) {
      case 'idle': {
        s.turn++;
        s.turnId = `t${s.turn}`;
        s.cancelling = s.turn % 2 === 0;
        s.phase = 'opening';
        s.proposedAt = now;
        sendFrame(s, JSON.stringify(s.env.proposeTurn(s.turnId)));
        return;
      }
      case 'active': {
        if (s.sentInTurn < params.turnEvents) {
          const eventId = `d${++s.dataCounter}`;
          s.inFlight.set(eventId, now);
          s.sentInTurn++;
          counts.dataSent++;
          sendFrame(s, s.env.dataFrame(s.turnId, eventId));
          return;
        }
        // Outputs still owed for this turn must arrive before the terminal, or they never will.
        if (s.inFlight.size > 0) return;
        s.phase = 'closing';
        s.terminalSentAt = now;
        sendFrame(s, JSON.stringify(s.cancelling ? s.env.cancel(s.turnId) : s.env.playbackCompleted(s.turnId)));
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
  // ---- settle: give outstanding outputs a moment, then count what never came
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const cpu = process.cpuUsage(cpuStart);
  loopDelay.disable();
  stopping = true;
  let missingOutputs = 0;
  for (const s of sessions) missingOutputs += s.inFlight.size;
  for (const s of sessions) s.ws.terminate();
  const result: LoadClientResult = {
    ingressToEgressMs: ingress.toArray(),
    turnOpenMs: turnOpen.toArray(),
    cancelFenceMs: cancelFence.toArray(),
    commitMs: commit.toArray(),
    ...counts,
    errorSamples,
    missingOutputs,
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
