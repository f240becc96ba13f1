/**
 * `npm run bench:load -- --sessions 1000 --rate 50 --seconds 20`
 *
 * Starts the runtime server in its own process (`load-bench-server.ts`; `--servers N` starts N,
 * each with its own lease, sessions spread evenly — what N replicas on one machine would do)
 * with the young-generation size a production server process gets (`--semi-space-mib`, passed
 * as `--max-semi-space-size`), and drives it from client child processes (`--clients`, default
 * 1). Reports, from the client side: ingress→egress latency of DataLane events, turn-open latency
 * (propose sent → turn_open received), cancel fence latency (cancel sent → abort(cancelled)
 * received), errors; from the server side: RSS, CPU, event-loop delay. Writes
 * `dist/bench/load.json` (or `--out`). Bounded: flags are range-checked, every phase has a timeout.
 *
 * `--baseline echo` first runs the same client, load and pinning against a bare `ws` JSON echo
 * server (`echo-server.ts`), then the runtime, and reports both servers' CPU per ingress frame,
 * their latencies and the ratio (`comparison`). `--pin [cpus]` pins the server process(es) (and
 * their workers) to `cpus` (taskset list, default `0`) and the clients to the other cores.
 * `--workers N` runs the runtime as a pool of N worker processes sharing one session port.
 */
import { execFileSync, fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { concatSamples, summarize, type LatencySummary } from './latency-samples';
import type { BenchServerKind, ClientToCoordinator, LoadClientParams, LoadClientResult, LoadServerReport, ServerToCoordinator } from './load-bench-protocol';
import { RUNTIME_SEMI_SPACE_MIB, SLO_GATES, runtimeNodeFlags } from '../../contracts/runtime-interface';

interface BenchFlags {
  readonly sessions: number;
  readonly rate: number;
  readonly seconds: number;
  readonly clients: number;
  readonly servers: number;
  readonly semiSpaceMiB: number;
  readonly turnEvents: number;
  /** Scenario (issue #15): cancels sent while the turn's outputs are in flight. */
  readonly cancelInFlight: boolean;
  /** DataLane events per data slot (one batch frame). */
  readonly dataBatch: number;
  readonly workers: number;
  /** `--baseline echo`: run the echo baseline first, in the same invocation. */
  readonly baseline: 'echo' | undefined;
  /** `--pin [cpus]`: server CPUs (taskset list); clients get the others. */
  readonly pin: { readonly serverCpus: string; readonly clientCpus: string } | undefined;
  readonly out: string;
}

/** Linux PSI "some" CPU pressure, avg10 (% of time runnable tasks waited for a CPU); null where unavailable. */
function cpuPressureAvg10(): number | null {
  try {
    const m = /some avg10=([0-9.]+)/.exec(fs.readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const TARGETS = { ingressToEgressP99Ms: 5, turnOpenP99Ms: 10, cancelFenceP99Ms: 10, errors: 0 } as const;
/** Runtime CPU per ingress frame ÷ the bare echo's (issue #16). */
const CPU_RATIO_TARGET = 1.2;

const FLAG_LIST =
  '--sessions --rate --seconds --clients --servers --workers --semi-space-mib --turn-events --cancel-in-flight 0|1 --data-batch N --baseline echo --pin [cpus] --out';

function parseBaseline(raw: string | undefined): 'echo' | undefined {
  if (raw === undefined) return undefined;
  if (raw !== 'echo') throw new Error(`load-bench: --baseline must be "echo" (a bare ws JSON echo server), got "${raw}"`);
  return raw;
}

/** CPUs of a taskset list ("0", "0-1", "0,2"), checked against this machine. */
function cpuList(raw: string): number[] {
  const cpus = new Set<number>();
  for (const part of raw.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`load-bench: --pin takes a CPU list like 0, 0-1 or 0,2; got "${raw}"`);
    for (let c = Number(m[1]); c <= Number(m[2] ?? m[1]); c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

function parsePin(raw: string): { serverCpus: string; clientCpus: string } {
  const all = os.cpus().length;
  const server = cpuList(raw);
  const bad = server.filter((c) => c >= all);
  if (bad.length > 0) throw new Error(`load-bench: --pin ${raw}: CPU ${bad.join(', ')} does not exist (this machine has CPUs 0-${all - 1})`);
  const client = Array.from({ length: all }, (_, c) => c).filter((c) => !server.includes(c));
  if (client.length === 0) throw new Error(`load-bench: --pin ${raw} leaves no CPU for the clients (this machine has CPUs 0-${all - 1})`);
  return { serverCpus: server.join(','), clientCpus: client.join(',') };
}

/** Pins every thread of `pid` to `cpus` (util-linux taskset; threads and children created later inherit it). */
function pin(pid: number | undefined, cpus: string): void {
  if (pid === undefined) throw new Error('load-bench: cannot pin a child without a pid');
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
  } catch (err) {
    throw new Error(`load-bench: --pin needs taskset (util-linux): ${(err as Error).message}`);
  }
}

/** CPU time (user + system, ms) of `pids` from /proc/<pid>/stat; undefined where /proc cannot be read. */
function procCpuMs(pids: readonly number[]): number | undefined {
  let ticks = 0;
  try {
    for (const pid of pids) {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  } catch {
    return undefined;
  }
  return (ticks * 1000) / clockTicksPerSecond();
}

let clkTck: number | undefined;
function clockTicksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

function parseFlags(argv: readonly string[]): BenchFlags {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`load-bench: unexpected argument "${argv[i]}" (flags: ${FLAG_LIST})`);
    // --pin takes an optional value: a bare --pin (followed by another flag or nothing) pins to core 0.
    const optional = m[1] === 'pin' && m[2] === undefined && (argv[i + 1] === undefined || argv[i + 1].startsWith('--'));
    flags[m[1]] = optional ? '0' : (m[2] ?? argv[++i] ?? '');
  }
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = flags[name];
    delete flags[name];
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`load-bench: --${name} must be an integer in ${min}..${max}, got "${raw}"`);
    return v;
  };
  const parsed: BenchFlags = {
    sessions: int('sessions', 100, 1, 5000),
    rate: int('rate', 50, 1, 1000),
    seconds: int('seconds', 10, 1, 600),
    clients: int('clients', 1, 1, 8),
    servers: int('servers', 1, 1, 8),
    semiSpaceMiB: int('semi-space-mib', RUNTIME_SEMI_SPACE_MIB, 1, 256),
    turnEvents: int('turn-events', 50, 1, 10_000),
    cancelInFlight: int('cancel-in-flight', 0, 0, 1) === 1,
    dataBatch: int('data-batch', 1, 1, 150),
    workers: int('workers', 1, 1, 16),
    baseline: parseBaseline(flags.baseline),
    pin: flags.pin === undefined ? undefined : parsePin(flags.pin),
    out: flags.out ?? path.join('dist', 'bench', 'load.json'),
  };
  delete flags.out;
  delete flags.baseline;
  delete flags.pin;
  const unknown = Object.keys(flags);
  if (unknown.length > 0) throw new Error(`load-bench: unknown flag(s) ${unknown.map((f) => `--${f}`).join(', ')}`);
  if (parsed.clients > parsed.sessions) throw new Error('load-bench: --clients cannot exceed --sessions');
  if (parsed.servers > parsed.sessions) throw new Error('load-bench: --servers cannot exceed --sessions');
  if (parsed.servers * parsed.workers > parsed.sessions) throw new Error('load-bench: --servers × --workers cannot exceed --sessions');
  return parsed;
}

function forkChild(module: 'load-bench-client' | 'load-bench-server', nodeFlags: readonly string[] = []): ChildProcess {
  // Run the TypeScript module through tsx when we are running from source, the compiled JS otherwise.
  const fromSource = __filename.endsWith('.ts');
  return fork(path.join(__dirname, `${module}.${fromSource ? 'ts' : 'js'}`), [], {
    execArgv: [...(fromSource ? ['--require', require.resolve('tsx/cjs')] : []), ...nodeFlags],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * `LOAD_BENCH_SERVER_NODE_FLAGS` / `LOAD_BENCH_CLIENT_NODE_FLAGS`: extra Node flags for the server
 * or client processes when profiling (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", "--trace-gc");
 * not for measured runs.
 */
function profilingFlags(role: 'SERVER' | 'CLIENT'): string[] {
  return (process.env[`LOAD_BENCH_${role}_NODE_FLAGS`] ?? '').split(/\s+/).filter((f) => f !== '');
}

function nextMessage<M extends ClientToCoordinator | ServerToCoordinator>(child: ChildProcess, timeoutMs: number, what: string): Promise<M> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`load-bench: child did not report ${what} within ${timeoutMs} ms`)), timeoutMs);
    // 'close' (not 'exit') comes after every IPC message from the child has been delivered.
    const onClose = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`load-bench: child exited (${code}) before reporting ${what}`));
    };
    child.once('close', onClose);
    child.once('message', (m: M) => {
      clearTimeout(timer);
      child.off('close', onClose);
      if (m.type === 'failed') reject(new Error(`load-bench: child failed: ${m.message}`));
      else resolve(m);
    });
  });
}

/** One measured run of `kind` with `flags`: the report object and its printed summary. */
async function runOnce(flags: BenchFlags, kind: BenchServerKind) {
  const servers: ChildProcess[] = [];
  const children: ChildProcess[] = [];
  const workers = kind === 'runtime' ? flags.workers : 1;
  try {
    const perServerSessions = Math.ceil(flags.sessions / flags.servers);
    for (let i = 0; i < flags.servers; i++) {
      const child = forkChild('load-bench-server', [...runtimeNodeFlags(flags.semiSpaceMiB), ...profilingFlags('SERVER')]);
      servers.push(child);
      if (flags.pin) pin(child.pid, flags.pin.serverCpus); // before it forks workers: they inherit it
      child.send({ type: 'start', index: i, maxSessions: perServerSessions + 10, server: kind, workers });
    }
    const listening = (await Promise.all(servers.map((c) => nextMessage<ServerToCoordinator>(c, 60_000, 'listening')))).map((m) =>
      m.type === 'listening' ? m : { port: 0, workerPids: [] as number[] },
    );
    const ports = listening.map((m) => m.port);
    const serverPids = [...servers.map((c) => c.pid ?? 0), ...listening.flatMap((m) => m.workerPids)];
    const perClient = Math.ceil(flags.sessions / flags.clients);
    const params: LoadClientParams[] = [];
    for (let c = 0, first = 0; c < flags.clients; c++, first += perClient) {
      params.push({
        ports,
        sessions: Math.min(perClient, flags.sessions - first),
        firstSession: first,
        rate: flags.rate,
        seconds: flags.seconds,
        turnEvents: flags.turnEvents,
        cancelInFlight: flags.cancelInFlight,
        dataBatch: flags.dataBatch,
      });
    }
    for (const p of params) {
      const child = forkChild('load-bench-client', profilingFlags('CLIENT'));
      children.push(child);
      if (flags.pin) pin(child.pid, flags.pin.clientCpus);
      child.send({ type: 'start', params: p });
    }
    const connected = await Promise.all(children.map((c) => nextMessage<ClientToCoordinator>(c, 120_000, 'connected')));
    const measuring = await Promise.all(
      servers.map((c) => {
        const reply = nextMessage<ServerToCoordinator>(c, 10_000, 'measuring');
        c.send({ type: 'measure' });
        return reply;
      }),
    );
    const procCpuStart = procCpuMs(serverPids);
    const sessionsOpen = measuring.reduce((n, m) => n + (m.type === 'measuring' ? m.sessions : 0), 0);
    process.stdout.write(
      `load-bench [${kind}]: ${sessionsOpen} sessions open on ${flags.servers} server process(es)${workers > 1 ? ` × ${workers} workers` : ''}` +
        `${flags.pin ? ` (server CPUs ${flags.pin.serverCpus}, client CPUs ${flags.pin.clientCpus})` : ''}; running ${flags.seconds}s at ${flags.rate} frames/s each\n`,
    );

    const pressureBefore = cpuPressureAvg10();
    const wallStart = performance.now();
    const results = children.map((c) => nextMessage<ClientToCoordinator>(c, (flags.seconds + 60) * 1000, 'result'));
    for (const c of children) c.send({ type: 'go' });
    const done = (await Promise.all(results)).map((m) => (m as { result: LoadClientResult }).result);
    const procCpuEnd = procCpuMs(serverPids);
    const serverReports = (
      await Promise.all(
        servers.map((c) => {
          const reply = nextMessage<ServerToCoordinator>(c, 10_000, 'report');
          c.send({ type: 'report' });
          return reply;
        }),
      )
    ).map((m) => (m as { report: LoadServerReport }).report);
    const wallMs = performance.now() - wallStart;
    // /proc covers the server processes and their workers; a process's own cpuUsage where /proc is missing.
    const serverCpuMs =
      procCpuStart !== undefined && procCpuEnd !== undefined
        ? procCpuEnd - procCpuStart
        : serverReports.reduce((n, r) => n + r.cpuUserMs + r.cpuSystemMs, 0);
    const worst = (key: 'p50' | 'p99' | 'max') => Math.max(...serverReports.map((r) => r.eventLoopDelayMs[key]));

    const sum = (key: keyof LoadClientResult) => done.reduce((n, r) => n + (r[key] as number), 0);
    const latency = (key: 'ingressToEgressMs' | 'turnOpenMs' | 'firstOutputMs' | 'cancelFenceMs' | 'commitMs'): LatencySummary =>
      summarize(concatSamples(done.map((r) => r[key])));
    const errors = {
      errorFrames: sum('errorFrames'),
      unexpectedCloses: sum('unexpectedCloses'),
      connectFailures: sum('connectFailures') + connected.reduce((n, m) => n + (m.type === 'connected' ? 0 : 1), 0),
      missingOutputs: sum('missingOutputs'),
    };
    const errorTotal = errors.errorFrames + errors.unexpectedCloses + errors.connectFailures + errors.missingOutputs;
    const ingressToEgress = latency('ingressToEgressMs');
    const turnOpen = latency('turnOpenMs');
    const cancelFence = latency('cancelFenceMs');
    const framesSent = sum('framesSent');
    const sessionsPerWorker = serverReports.flatMap((r) => r.sessionsPerWorker);
    const report = {
      bench: 'runtime-server-load',
      server: kind,
      timestamp: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        loadAverage1m: os.loadavg()[0],
        cpuPressureAvg10: { before: pressureBefore, after: cpuPressureAvg10() },
        node: process.version,
      },
      config: { ...flags, baseline: undefined, out: undefined, workers, sessionsOpen },
      clientSide: {
        ingressToEgress,
        turnOpen,
        firstOutput: latency('firstOutputMs'),
        cancelFence,
        commit: latency('commitMs'),
        framesSent,
        framesPerSecond: Math.round(framesSent / (wallMs / 1000)),
        dataSent: sum('dataSent'),
        dataReceived: sum('dataReceived'),
        fencedOutputs: done.reduce((n, r) => n + (r.fencedOutputs ?? 0), 0),
        turnsOpened: sum('turnsOpened'),
        turnsCommitted: sum('turnsCommitted'),
        turnsCancelled: sum('turnsCancelled'),
        lateSlots: sum('lateSlots'),
        connectMs: Math.round(Math.max(...done.map((r) => r.connectMs))),
        clientCpuPercent: Math.round(((sum('clientCpuUserMs') + sum('clientCpuSystemMs')) / wallMs) * 100),
        clientEventLoopDelayMs: done.map((r) => r.eventLoopDelayMs),
        errorSamples: done.flatMap((r) => r.errorSamples).slice(0, 10),
      },
      errors: { ...errors, total: errorTotal },
      serverSide: {
        // Sums over the server processes (one unless --servers) and their workers; loop delay is the worst primary's.
        processes: flags.servers,
        workersPerProcess: workers,
        /** Sessions open on each worker (one entry per server process without workers): how the pool spread them. */
        sessionsPerWorker,
        nodeFlags: runtimeNodeFlags(flags.semiSpaceMiB),
        cpuSource: procCpuStart !== undefined && procCpuEnd !== undefined ? '/proc/<pid>/stat (servers and workers)' : 'process.cpuUsage (server processes)',
        rssBeforeMiB: Math.round(serverReports.reduce((n, r) => n + r.rssBeforeBytes, 0) / 1048576),
        rssMaxMiB: Math.round(serverReports.reduce((n, r) => n + r.rssMaxBytes, 0) / 1048576),
        cpuPercent: Math.round((serverCpuMs / wallMs) * 100),
        /** Server CPU (user + system) per ingress frame, µs: a capacity figure less sensitive to contention than latency. */
        cpuMicrosPerIngressFrame: Math.round(((serverCpuMs * 1000) / Math.max(1, framesSent)) * 10) / 10,
        eventLoopDelayMs: { p50: worst('p50'), p99: worst('p99'), max: worst('max') },
      },
      targets: TARGETS,
      verdict: {
        ingressToEgressP99: (ingressToEgress.p99Ms ?? Infinity) <= TARGETS.ingressToEgressP99Ms,
        turnOpenP99: (turnOpen.p99Ms ?? Infinity) <= TARGETS.turnOpenP99Ms,
        cancelFenceP99: (cancelFence.p99Ms ?? Infinity) <= TARGETS.cancelFenceP99Ms,
        zeroErrors: errorTotal === 0,
      },
    };
    const fmt = (s: LatencySummary) => `p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms (n=${s.count})`;
    const summary = [
      `[${kind}] ingress→egress  ${fmt(ingressToEgress)}   target p99 ≤ ${TARGETS.ingressToEgressP99Ms} ms`,
      `[${kind}] turn-open       ${fmt(turnOpen)}   target p99 ≤ ${TARGETS.turnOpenP99Ms} ms`,
      `[${kind}] first output    ${fmt(report.clientSide.firstOutput)}   (gate: p95 ≤ ${SLO_GATES.firstOutputP95Ms} ms)`,
      `[${kind}] cancel fence    ${fmt(cancelFence)}   target p99 ≤ ${TARGETS.cancelFenceP99Ms} ms${flags.cancelInFlight ? ` (scenario cancel-in-flight: cancel sent with the turn's outputs in flight; ${report.clientSide.fencedOutputs} fenced)` : ''}`,
      `[${kind}] frames/s        ${report.clientSide.framesPerSecond} sent; late slots ${report.clientSide.lateSlots}`,
      `[${kind}] errors          ${errorTotal} ${JSON.stringify(errors)}`,
      `[${kind}] server          RSS ${report.serverSide.rssBeforeMiB} → ${report.serverSide.rssMaxMiB} MiB, CPU ${report.serverSide.cpuPercent}% (${report.serverSide.cpuMicrosPerIngressFrame} µs/frame), loop delay p99 ${report.serverSide.eventLoopDelayMs.p99.toFixed(1)} ms` +
        (workers > 1 ? `, sessions per worker ${sessionsPerWorker.join('/')}` : ''),
      `[${kind}] client          CPU ${report.clientSide.clientCpuPercent}%, loop delay p99 ${done.map((r) => r.eventLoopDelayMs.p99.toFixed(1)).join('/')} ms; machine load ${os.loadavg()[0].toFixed(1)}, CPU pressure ${report.machine.cpuPressureAvg10.after ?? 'n/a'}%`,
    ].join('\n');
    process.stdout.write(summary + '\n');
    return { report, summary };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
    await Promise.all(
      servers.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || !c.connected) return resolve();
            const timer = setTimeout(() => (c.kill(), resolve()), 10_000);
            c.once('exit', () => (clearTimeout(timer), resolve()));
            c.send({ type: 'stop' });
          }),
      ),
    );
  }
}

const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100);

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(`usage: bench:load [flags]\n  WebSocket load benchmark over loopback (with --baseline echo: a bare ws echo server first, same client/load/pinning); JSON in dist/bench/load.json\n  flags: ${FLAG_LIST}`);
    return;
  }
  const flags = parseFlags(process.argv.slice(2));
  // The baseline runs first, so the runtime's run (the one the gates read) is the last thing measured.
  const echo = flags.baseline === 'echo' ? await runOnce(flags, 'echo') : undefined;
  const runtime = await runOnce(flags, 'runtime');
  const r = runtime.report;
  const comparison =
    echo === undefined
      ? undefined
      : {
          baseline: 'echo',
          /** Runtime CPU per ingress frame ÷ the echo's, same client, load and pinning, same invocation. Target ≤ 1.2. */
          cpuPerFrameRatio: ratio(r.serverSide.cpuMicrosPerIngressFrame, echo.report.serverSide.cpuMicrosPerIngressFrame),
          cpuPerFrameRatioTarget: CPU_RATIO_TARGET,
          ingressToEgressP99Ratio: ratio(r.clientSide.ingressToEgress.p99Ms, echo.report.clientSide.ingressToEgress.p99Ms),
          echoCpuMicrosPerIngressFrame: echo.report.serverSide.cpuMicrosPerIngressFrame,
          runtimeCpuMicrosPerIngressFrame: r.serverSide.cpuMicrosPerIngressFrame,
        };
  const report = {
    ...r,
    ...(echo && comparison
      ? {
          baseline: { server: 'echo', machine: echo.report.machine, clientSide: echo.report.clientSide, errors: echo.report.errors, serverSide: echo.report.serverSide },
          comparison,
          verdict: { ...r.verdict, cpuPerFrameRatio: comparison.cpuPerFrameRatio !== null && comparison.cpuPerFrameRatio <= CPU_RATIO_TARGET },
        }
      : {}),
  };
  fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
  fs.writeFileSync(flags.out, JSON.stringify(report, null, 2) + '\n');
  if (comparison) {
    process.stdout.write(
      `ratio           runtime/echo CPU per ingress frame ${comparison.cpuPerFrameRatio} (${comparison.runtimeCpuMicrosPerIngressFrame} / ${comparison.echoCpuMicrosPerIngressFrame} µs), target ≤ ${CPU_RATIO_TARGET}; ingress→egress p99 ratio ${comparison.ingressToEgressP99Ratio}\n`,
    );
  }
  process.stdout.write(`written         ${flags.out}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
