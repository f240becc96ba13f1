/**
 * `npm run bench:load -- --sessions 1000 --rate 50 --seconds 20`
 *
 * Starts the runtime server in this process (embedded defaults, 127.0.0.1, random ports) and
 * drives it from client child processes (`--clients`, default 1) so load generation never shares
 * the server's event loop. Reports, from the client side: ingress→egress latency of DataLane
 * events, turn-open latency (propose sent → turn_open received), cancel fence latency (cancel sent
 * → abort(cancelled) received), errors; from the server side: RSS and CPU. Writes
 * `dist/bench/load.json` (or `--out`). Bounded: flags are range-checked, every phase has a timeout.
 */
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import { InMemoryLeaseStore } from '../../authority';
import { loadServerConfig } from '../config/server-config';
import { RuntimeServer } from '../runtime-server';
import { concatSamples, summarize, type LatencySummary } from './latency-samples';
import type { ClientToCoordinator, LoadClientParams, LoadClientResult } from './load-bench-protocol';

interface BenchFlags {
  readonly sessions: number;
  readonly rate: number;
  readonly seconds: number;
  readonly clients: number;
  readonly turnEvents: number;
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

function parseFlags(argv: readonly string[]): BenchFlags {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`load-bench: unexpected argument "${argv[i]}" (flags: --sessions --rate --seconds --clients --turn-events --out)`);
    flags[m[1]] = m[2] ?? argv[++i] ?? '';
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
    turnEvents: int('turn-events', 50, 1, 10_000),
    out: flags.out ?? path.join('dist', 'bench', 'load.json'),
  };
  delete flags.out;
  const unknown = Object.keys(flags);
  if (unknown.length > 0) throw new Error(`load-bench: unknown flag(s) ${unknown.map((f) => `--${f}`).join(', ')}`);
  if (parsed.clients > parsed.sessions) throw new Error('load-bench: --clients cannot exceed --sessions');
  return parsed;
}

function forkClient(): ChildProcess {
  // Run the TypeScript client through tsx when we are running from source, the compiled JS otherwise.
  const ts = path.join(__dirname, 'load-bench-client.ts');
  const js = path.join(__dirname, 'load-bench-client.js');
  const fromSource = __filename.endsWith('.ts');
  return fork(fromSource ? ts : js, [], {
    execArgv: fromSource ? ['--require', require.resolve('tsx/cjs')] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function nextMessage(child: ChildProcess, timeoutMs: number, what: string): Promise<ClientToCoordinator> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`load-bench: client did not report ${what} within ${timeoutMs} ms`)), timeoutMs);
    // 'close' (not 'exit') comes after every IPC message from the child has been delivered.
    const onClose = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`load-bench: client exited (${code}) before reporting ${what}`));
    };
    child.once('close', onClose);
    child.once('message', (m: ClientToCoordinator) => {
      clearTimeout(timer);
      child.off('close', onClose);
      if (m.type === 'failed') reject(new Error(`load-bench: client failed: ${m.message}`));
      else resolve(m);
    });
  });
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const store = new InMemoryLeaseStore();
  const server = await RuntimeServer.start({
    config: loadServerConfig({}, { host: '127.0.0.1', sessionPort: 0, adminPort: 0, podName: 'load-bench', maxSessions: flags.sessions + 10 }),
    leaseStore: store,
  });
  const children: ChildProcess[] = [];
  try {
    const rssBefore = process.memoryUsage().rss;
    const perClient = Math.ceil(flags.sessions / flags.clients);
    const params: LoadClientParams[] = [];
    for (let c = 0, first = 0; c < flags.clients; c++, first += perClient) {
      params.push({
        port: server.sessionPort,
        sessions: Math.min(perClient, flags.sessions - first),
        firstSession: first,
        rate: flags.rate,
        seconds: flags.seconds,
        turnEvents: flags.turnEvents,
      });
    }
    for (const p of params) {
      const child = forkClient();
      children.push(child);
      child.send({ type: 'start', params: p });
    }
    const connected = await Promise.all(children.map((c) => nextMessage(c, 120_000, 'connected')));
    const sessionsOpen = server.sessionCount;
    process.stdout.write(`load-bench: ${sessionsOpen} sessions open; running ${flags.seconds}s at ${flags.rate} frames/s each\n`);

    let rssMax = process.memoryUsage().rss;
    const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 250);
    const pressureBefore = cpuPressureAvg10();
    const cpuStart = process.cpuUsage();
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const wallStart = performance.now();
    const results = children.map((c) => nextMessage(c, (flags.seconds + 60) * 1000, 'result'));
    for (const c of children) c.send({ type: 'go' });
    const done = (await Promise.all(results)).map((m) => (m as { result: LoadClientResult }).result);
    const cpu = process.cpuUsage(cpuStart);
    loopDelay.disable();
    const wallMs = performance.now() - wallStart;
    clearInterval(rssTimer);
    const rssLoaded = Math.max(rssMax, process.memoryUsage().rss);

    const sum = (key: keyof LoadClientResult) => done.reduce((n, r) => n + (r[key] as number), 0);
    const latency = (key: 'ingressToEgressMs' | 'turnOpenMs' | 'cancelFenceMs' | 'commitMs'): LatencySummary =>
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
    const report = {
      bench: 'runtime-server-load',
      timestamp: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        loadAverage1m: os.loadavg()[0],
        cpuPressureAvg10: { before: pressureBefore, after: cpuPressureAvg10() },
        node: process.version,
      },
      config: { ...flags, out: undefined, sessionsOpen },
      clientSide: {
        ingressToEgress,
        turnOpen,
        cancelFence,
        commit: latency('commitMs'),
        framesSent: sum('framesSent'),
        framesPerSecond: Math.round(sum('framesSent') / (wallMs / 1000)),
        dataSent: sum('dataSent'),
        dataReceived: sum('dataReceived'),
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
        rssBeforeMiB: Math.round(rssBefore / 1048576),
        rssMaxMiB: Math.round(rssLoaded / 1048576),
        cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
        /** Server CPU (user + system) per ingress frame, µs: a capacity figure less sensitive to contention than latency. */
        cpuMicrosPerIngressFrame: Math.round(((cpu.user + cpu.system) / Math.max(1, sum('framesSent'))) * 10) / 10,
        eventLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
      },
      targets: TARGETS,
      verdict: {
        ingressToEgressP99: (ingressToEgress.p99Ms ?? Infinity) <= TARGETS.ingressToEgressP99Ms,
        turnOpenP99: (turnOpen.p99Ms ?? Infinity) <= TARGETS.turnOpenP99Ms,
        cancelFenceP99: (cancelFence.p99Ms ?? Infinity) <= TARGETS.cancelFenceP99Ms,
        zeroErrors: errorTotal === 0,
      },
    };
    fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
    fs.writeFileSync(flags.out, JSON.stringify(report, null, 2) + '\n');
    const fmt = (s: LatencySummary) => `p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms (n=${s.count})`;
    process.stdout.write(
      [
        `ingress→egress  ${fmt(ingressToEgress)}   target p99 ≤ ${TARGETS.ingressToEgressP99Ms} ms`,
        `turn-open       ${fmt(turnOpen)}   target p99 ≤ ${TARGETS.turnOpenP99Ms} ms`,
        `cancel fence    ${fmt(cancelFence)}   target p99 ≤ ${TARGETS.cancelFenceP99Ms} ms`,
        `frames/s        ${report.clientSide.framesPerSecond} sent; late slots ${report.clientSide.lateSlots}`,
        `errors          ${errorTotal} ${JSON.stringify(errors)}`,
        `server          RSS ${report.serverSide.rssBeforeMiB} → ${report.serverSide.rssMaxMiB} MiB, CPU ${report.serverSide.cpuPercent}% (${report.serverSide.cpuMicrosPerIngressFrame} µs/frame), loop delay p99 ${report.serverSide.eventLoopDelayMs.p99.toFixed(1)} ms`,
        `client          CPU ${report.clientSide.clientCpuPercent}%, loop delay p99 ${done.map((r) => r.eventLoopDelayMs.p99.toFixed(1)).join('/')} ms; machine load ${os.loadavg()[0].toFixed(1)}, CPU pressure ${report.machine.cpuPressureAvg10.after ?? 'n/a'}%`,
        `written         ${flags.out}`,
      ].join('\n') + '\n',
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
    await server.stop();
    await store.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
