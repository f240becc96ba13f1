/**
 * Messages between the load bench coordinator (`load-bench.ts`) and its server processes
 * (`load-bench-server.ts`) and client processes (`load-bench-client.ts`), over the child-process
 * IPC channel.
 */

export interface LoadClientParams {
  /** Session ports of the server processes; session i of this client connects to `ports[i % ports.length]`. */
  readonly ports: readonly number[];
  /** Sessions this client process opens. */
  readonly sessions: number;
  /** Index of the first session (session ids are unique across client processes). */
  readonly firstSession: number;
  /** Frames per second each session sends. */
  readonly rate: number;
  /** Seconds of steady load. */
  readonly seconds: number;
  /** DataLane events per turn before it is committed or cancelled. */
  readonly turnEvents: number;
  /**
   * Scenario `--cancel-in-flight 1` (issue #15): a cancelling turn sends its cancel right after its
   * last data event, while that turn's outputs are still on their way (data saturating the wire),
   * so cancel → abort(cancelled) measures control overtaking queued data. Outputs of the turn that
   * never come (fenced by the cancel) are counted as `fencedOutputs`, not as missing.
   */
  readonly cancelInFlight?: boolean;
  /** DataLane events per data slot, sent as one batch frame when > 1 (`--data-batch`, saturates the data lane). */
  readonly dataBatch?: number;
}

/** Latency samples in milliseconds (client clock: send → matching output received). */
export interface LoadClientResult {
  readonly ingressToEgressMs: Float64Array;
  readonly turnOpenMs: Float64Array;
  /** `turn_open` received → first DataLane output of that turn received (the first-output gate, client side). */
  readonly firstOutputMs: Float64Array;
  readonly cancelFenceMs: Float64Array;
  readonly commitMs: Float64Array;
  readonly framesSent: number;
  readonly dataSent: number;
  readonly dataReceived: number;
  readonly turnsOpened: number;
  readonly turnsCommitted: number;
  readonly turnsCancelled: number;
  readonly errorFrames: number;
  readonly errorSamples: readonly string[];
  readonly unexpectedCloses: number;
  readonly connectFailures: number;
  readonly missingOutputs: number;
  /** Scenario `--cancel-in-flight`: data outputs of cancelled turns still owed at abort(cancelled). */
  readonly fencedOutputs?: number;
  /** Send slots that fired more than one period late (the client could not keep the rate). */
  readonly lateSlots: number;
  readonly connectMs: number;
  readonly clientCpuUserMs: number;
  readonly clientCpuSystemMs: number;
  /** Event-loop delay of this client process during the load, ms (p50/p99/max). */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export type ClientToCoordinator =
  | { readonly type: 'connected'; readonly sessions: number; readonly failures: number }
  | { readonly type: 'result'; readonly result: LoadClientResult }
  | { readonly type: 'failed'; readonly message: string };

export type CoordinatorToClient = { readonly type: 'start'; readonly params: LoadClientParams } | { readonly type: 'go' };

/** What a server process measured between `measure` and `report`. */
export interface LoadServerReport {
  readonly sessions: number;
  readonly rssBeforeBytes: number;
  readonly rssMaxBytes: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Sessions open on each worker process when the load started (`--workers N`; one entry without workers). */
  readonly sessionsPerWorker: readonly number[];
  /** Process ids of the worker processes (empty without workers); their CPU is read from /proc by the coordinator. */
  readonly workerPids: readonly number[];
}

/** Server under test: the runtime session server, or the bare `ws` JSON echo baseline (`echo-server.ts`). */
export type BenchServerKind = 'runtime' | 'echo';

export type CoordinatorToServer =
  | { readonly type: 'start'; readonly index: number; readonly maxSessions: number; readonly server: BenchServerKind; readonly workers: number }
  | { readonly type: 'measure' }
  | { readonly type: 'report' }
  | { readonly type: 'stop' };

export type ServerToCoordinator =
  | { readonly type: 'listening'; readonly port: number; readonly workerPids: readonly number[] }
  | { readonly type: 'measuring'; readonly sessions: number }
  | { readonly type: 'report'; readonly report: LoadServerReport }
  | { readonly type: 'failed'; readonly message: string };
