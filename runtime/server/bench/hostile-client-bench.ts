/**
 * `npm run bench:hostile [-- --seconds 12 --attack all]`
 *
 * One hostile connection against a real runtime server process, as a third-party client would
 * attack it: it speaks `rspp.session.v1` over loopback from a raw TCP socket (it imports nothing
 * of the server), never reads what the server sends, and sends as fast as the server lets it:
 *
 *   - `errors`:  batches of 256 invalid envelopes (each would be an `error` without coalescing);
 *   - `markers`: batches of 256 valid client markers (`playback_started`) for its active turn,
 *                each echoed by the server on the ControlLane;
 *   - `orphans`: batches of 256 valid DataLane events for no active turn (one diagnostic each).
 *
 * Each attack is preceded by a warm-up (`--warm-up`, default 6 s): a reading client sends the same
 * frames (see `warmUp`); its own RSS rise is printed too, as the baseline of the same ingest rate.
 * Reports, per attack: the server's RSS before and its peak during the attack (sampled from
 * /proc/<pid>/status every 50 ms), how the connection ended (close code, after how long), and the
 * server's `rspp_egress_budget_closes_total`. Target: peak − before ≤ 16 MiB whatever is sent.
 * Writes `dist/bench/hostile.json` (or `--out`). Linux only (reads /proc).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const HOSTILE_RSS_TARGET_MIB = 16;

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly sessionPort: number;
  readonly adminPort: number;
  /** VmRSS of the server process, bytes. */
  rss(): number;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

const repo = path.resolve(__dirname, '../../..');

/** Starts `runtime/server/main.ts` (through tsx) on 127.0.0.1, random ports; resolves once it logged its ports. */
export function startServerProcess(env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<ServerProcess> {
  const fromSource = __filename.endsWith('.ts');
  const entry = fromSource ? path.join(repo, 'runtime/server/main.ts') : path.join(__dirname, '..', 'main.js');
  const args = fromSource ? ['--require', require.resolve('tsx/cjs'), entry] : [entry];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-hostile-'));
  const configFile = path.join(dir, 'server.yaml');
  fs.writeFileSync(configFile, 'host: 127.0.0.1\nsessionPort: 0\nadminPort: 0\n');
  const child = spawn(process.execPath, args, {
    cwd: repo,
    env: { ...process.env, RSPP_CONFIG_FILE: configFile, RSPP_POD_NAME: 'hostile-bench', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
      reject(new Error(`server exited early (${code}): ${stderr}`));
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 1_000_000) stderr += chunk.toString();
      const line = stderr.split('\n').find((l) => l.includes('"runtime server started"'));
      if (line === undefined) return;
      clearTimeout(timer);
      const started = JSON.parse(line) as { session_port: number; admin_port: number };
      child.stderr!.removeAllListeners('data');
      child.stderr!.resume();
      resolve({
        child,
        sessionPort: started.session_port,
        adminPort: started.admin_port,
        rss: () => {
          const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          return m ? Number(m[1]) * 1024 : 0;
        },
        metrics: async () => (await fetch(`http://127.0.0.1:${started.admin_port}/metrics`)).text(),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** A client WebSocket frame (text, FIN), masked with the all-zero key (RFC 6455 allows any key). */
export function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x81, 0x80 | n]) : n < 65536 ? Buffer.from([0x81, 0x80 | 126, n >> 8, n & 0xff]) : undefined;
  if (header === undefined) throw new Error('frame too large for this client');
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}

export interface RawConnection {
  readonly socket: net.Socket;
  /** Bytes of the server's frames received so far (when reading). */
  readonly received: Buffer[];
  readonly ended: Promise<{ readonly atMs: number; readonly closeCode: number | undefined }>;
}

/**
 * Opens a WebSocket with a raw TCP socket. `read: false` stops reading right after the handshake
 * (the server's frames pile up in its socket). Resolves after the 101 response.
 */
export function rawConnect(port: number, sessionId: string, read: boolean): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const key = crypto.randomBytes(16).toString('base64');
    const received: Buffer[] = [];
    const started = Date.now();
    let handshake = Buffer.alloc(0);
    let upgraded = false;
    let closeCode: number | undefined;
    const ended = new Promise<{ atMs: number; closeCode: number | undefined }>((done) => {
      socket.once('close', () => done({ atMs: Date.now() - started, closeCode }));
    });
    socket.on('error', (err) => {
      if (!upgraded) reject(err);
    });
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) {
        received.push(chunk);
        // A close frame (opcode 8) from the server: remember its code.
        const all = Buffer.concat(received.slice(-2));
        const i = all.lastIndexOf(0x88);
        if (i >= 0 && i + 3 < all.length && all[i + 1] < 126) closeCode = all.readUInt16BE(i + 2);
        return;
      }
      handshake = Buffer.concat([handshake, chunk]);
      const end = handshake.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!handshake.subarray(0, 12).toString().includes('101')) {
        reject(new Error(`handshake refused: ${handshake.toString()}`));
        socket.destroy();
        return;
      }
      upgraded = true;
      const rest = handshake.subarray(end + 4);
      if (rest.length > 0) received.push(rest);
      if (!read) socket.pause();
      resolve({ socket, received, ended });
    });
    socket.write(
      `GET /v1/sessions?session_id=${encodeURIComponent(sessionId)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

export type Attack = 'errors' | 'markers' | 'orphans';
export const ATTACKS: readonly Attack[] = ['errors', 'markers', 'orphans'];

/** Envelope fields every attack frame shares (epoch 1: the in-memory store's first lease). */
function envelope(sessionId: string, eventId: string, seq: number): Record<string, unknown> {
  return {
    schema_version: 'v1.0',
    session_id: sessionId,
    pipeline_version: 'simple/v1',
    event_id: eventId,
    transport_sequence: seq,
    runtime_sequence: seq,
    runtime_timestamp_ms: 0,
    wall_clock_timestamp_ms: Date.now(),
  };
}

function controlSignal(sessionId: string, eventId: string, seq: number, signal: string, emittedBy: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...envelope(sessionId, eventId, seq), event_scope: 'session', lane: 'ControlLane', payload_class: 'metadata', authority_epoch: 1, signal, emitted_by: emittedBy, ...fields };
}

/** Largest batch frame sent (the server closes frames over 64 KiB with 1009). */
const MAX_BATCH_BYTES = 60_000;

/** One batch frame of the attack (up to 256 envelopes, under 60 kB); `n` makes ids unique. */
function attackBatch(attack: Attack, sessionId: string, n: number): Buffer {
  const items: string[] = [];
  let bytes = 2;
  for (let i = 0; i < 256; i++) {
    const id = `a${n}-${i}`;
    const seq = n * 256 + i + 1;
    let item: unknown;
    // `errors`: the smallest envelope the decoder refuses (an unknown lane), so 256 fit in a frame.
    if (attack === 'errors') item = { lane: 'x', event_id: id };
    else if (attack === 'markers') item = controlSignal(sessionId, id, seq, 'playback_started', 'RK-22', { event_scope: 'turn', turn_id: 't1' });
    else item = { ...envelope(sessionId, id, seq), event_scope: 'turn', turn_id: 'no-such-turn', lane: 'DataLane', payload_class: 'text_raw', authority_epoch: 1 };
    const text = JSON.stringify(item);
    if (bytes + text.length + 1 > MAX_BATCH_BYTES) break;
    items.push(text);
    bytes += text.length + 1;
  }
  return clientTextFrame(`[${items.join(',')}]`);
}

export interface AttackResult {
  readonly attack: Attack;
  readonly seconds: number;
  readonly framesSent: number;
  readonly rssBeforeMiB: number;
  readonly rssPeakMiB: number;
  readonly rssRiseMiB: number;
  /** How the server ended the connection (undefined: still open when the attack stopped). */
  readonly closeCode: number | undefined;
  readonly closedAfterMs: number | undefined;
}

const MiB = 1024 * 1024;

/** Samples the server's RSS every 50 ms from now on; `stop()` returns the peak rise, MiB. */
function rssPeakSampler(server: ServerProcess): { readonly before: number; peak(): number; stop(): number } {
  const before = server.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, server.rss());
  }, 50);
  return {
    before,
    peak: () => peak,
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, server.rss());
      return round((peak - before) / MiB);
    },
  };
}

/** Connects the attack's session; `markers` first opens turn t1 (its markers are for that turn). */
async function connectAttacker(server: ServerProcess, attack: Attack, sessionId: string, read: boolean): Promise<RawConnection> {
  const conn = await rawConnect(server.sessionPort, sessionId, read);
  if (attack === 'markers') conn.socket.write(clientTextFrame(JSON.stringify(controlSignal(sessionId, 'open-t1', 1, 'turn_open_proposed', 'RK-02', { turn_id: 't1' }))));
  return conn;
}

/**
 * Warm-up: a client that reads everything sends the same frames for `seconds`, so the server's
 * heap has grown to what this ingest rate needs (young generation, parser buffers) before the
 * hostile connection's own rise is measured. Without it the figure is the cold process's growth.
 */
export async function warmUp(server: ServerProcess, attack: Attack, seconds: number): Promise<number> {
  const sessionId = `warm-${attack}-${Date.now()}`;
  const rss = rssPeakSampler(server);
  const conn = await connectAttacker(server, attack, sessionId, true);
  const deadline = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < deadline) {
    if (conn.socket.writableLength < 256 * 1024) conn.socket.write(attackBatch(attack, sessionId, n++));
    conn.received.length = 0;
    await new Promise((r) => setTimeout(r, 1));
  }
  const rise = rss.stop();
  conn.socket.destroy();
  await new Promise((r) => setTimeout(r, 200));
  return rise;
}

/** Runs one attack for at most `seconds` (it stops early once the server closed the connection). */
export async function runAttack(server: ServerProcess, attack: Attack, seconds: number, sessionId = `hostile-${attack}-${Date.now()}`): Promise<AttackResult> {
  const rss = rssPeakSampler(server);
  const conn = await connectAttacker(server, attack, sessionId, false);
  let closed: { atMs: number; closeCode: number | undefined } | undefined;
  void conn.ended.then((e) => {
    closed = e;
  });
  let sent = 0;
  const deadline = Date.now() + seconds * 1000;
  // Send whenever the kernel takes more (the server stops reading once over budget).
  while (closed === undefined && Date.now() < deadline) {
    if (conn.socket.writableLength < 1 * MiB) {
      conn.socket.write(attackBatch(attack, sessionId, sent));
      sent++;
    }
    await new Promise((r) => setTimeout(r, conn.socket.writableLength < 1 * MiB ? 0 : 20));
  }
  const rise = rss.stop();
  conn.socket.destroy();
  return {
    attack,
    seconds,
    framesSent: sent,
    rssBeforeMiB: round(rss.before / MiB),
    rssPeakMiB: round(rss.peak() / MiB),
    rssRiseMiB: rise,
    closeCode: closed?.closeCode,
    closedAfterMs: closed?.atMs,
  };
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** `rspp_egress_budget_closes_total` from a metrics exposition. */
export function budgetCloses(exposition: string): number {
  const m = /^rspp_egress_budget_closes_total (\d+)/m.exec(exposition);
  return m ? Number(m[1]) : 0;
}

async function mainCli(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: bench:hostile [--seconds 1..120] [--attack errors|markers|orphans|all] [--warm-up 0..60] [--out FILE]\n  one non-reading hostile connection against a real server process: server RSS rise and the 4008 close');
    return;
  }
  let seconds = 12;
  let warmSeconds = 6;
  let attacks: readonly Attack[] = ATTACKS;
  let out = path.join('dist', 'bench', 'hostile.json');
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=');
    const value = inline ?? argv[++i];
    if (flag === '--seconds' && /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 120) seconds = Number(value);
    else if (flag === '--attack' && (value === 'all' || (ATTACKS as readonly string[]).includes(value))) attacks = value === 'all' ? ATTACKS : [value as Attack];
    else if (flag === '--warm-up' && /^\d+$/.test(value) && Number(value) <= 60) warmSeconds = Number(value);
    else if (flag === '--out' && value) out = value;
    else throw new Error(`hostile-client-bench: bad argument "${argv[i]}" (flags: --seconds 1..120, --attack errors|markers|orphans|all, --warm-up 0..60, --out FILE)`);
  }
  const server = await startServerProcess();
  const results: AttackResult[] = [];
  try {
    for (const attack of attacks) {
      const readingRiseMiB = await warmUp(server, attack, warmSeconds);
      const r = await runAttack(server, attack, seconds);
      results.push({ ...r, readingClientRiseMiB: readingRiseMiB } as AttackResult);
      console.log(
        `${attack.padEnd(8)} ${r.framesSent} batch frames sent; server RSS ${r.rssBeforeMiB} → peak ${r.rssPeakMiB} MiB (+${r.rssRiseMiB} MiB, target ≤ ${HOSTILE_RSS_TARGET_MIB}); ` +
          (r.closeCode !== undefined || r.closedAfterMs !== undefined ? `closed ${r.closeCode ?? '(no close frame read)'} after ${r.closedAfterMs} ms` : 'still open at the end') +
          `; warm-up (a reading client, same frames, ${warmSeconds} s): +${readingRiseMiB} MiB`,
      );
    }
    const closes = budgetCloses(await server.metrics());
    console.log(`rspp_egress_budget_closes_total ${closes}`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ seconds, results, budgetCloses: closes, targetMiB: HOSTILE_RSS_TARGET_MIB }, null, 2) + '\n');
    console.log(`written ${out}`);
  } finally {
    await server.stop();
  }
}

if (require.main === module) {
  mainCli(process.argv.slice(2)).catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
