/**
 * The load bench's baseline (`--baseline echo`): a bare `ws` JSON echo server on the same session
 * path, with the same `ws` options as the runtime's session listener. Per ingress frame it does
 * what any JSON WebSocket server must: `JSON.parse` the frame, build one small object, `send` it.
 * No decoder, engine, canonical encoding, metrics or evidence: the floor the runtime's per-frame
 * CPU is compared with (same client, same load, same pinning, same run).
 *
 * So the bench client can time it with the same scanner, the small object is shaped like the
 * runtime's replies (`output-frame-scanner.ts` needles, keys in canonical order): a DataLane event
 * → `{kind:"data",event:{event_id}}`; `turn_open_proposed` → `turn_open`; `cancel` → `abort`
 * (`reason: "cancelled"`) + `close`; `playback_completed` → `commit` + `close`. On connect it sends
 * the `session` frame the client expects. It never validates anything: it is a cost floor, not a
 * server.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { PATHS } from '../../contracts/runtime-interface';
import { encodeHello, SESSION_PROTOCOL } from '../session/wire-protocol';

interface EchoEnvelope {
  readonly lane?: string;
  readonly signal?: string;
  readonly event_id?: string;
}

/** The outputs answering one parsed ingress envelope. */
function outputsFor(frame: EchoEnvelope): object[] {
  if (frame.lane !== 'ControlLane') return [{ event: { event_id: frame.event_id }, kind: 'data' }];
  switch (frame.signal) {
    case 'turn_open_proposed':
      return [{ kind: 'signal', signal: { signal: 'turn_open' } }];
    case 'cancel':
      return [{ kind: 'signal', signal: { reason: 'cancelled', signal: 'abort' } }, { kind: 'signal', signal: { signal: 'close' } }];
    default:
      return [{ kind: 'signal', signal: { signal: 'commit' } }, { kind: 'signal', signal: { signal: 'close' } }];
  }
}

/** The reply to one parsed ingress frame: one small object (a batch frame gets one output per envelope). */
function reply(frame: EchoEnvelope | EchoEnvelope[]): object {
  return { type: 'outputs', outputs: Array.isArray(frame) ? frame.flatMap(outputsFor) : outputsFor(frame) };
}

export class EchoServer {
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private boundPort = 0;

  private constructor(
    private readonly host: string,
    maxFrameBytes: number,
    private readonly profile: string,
  ) {
    this.http = http.createServer((_req, res) => res.writeHead(426).end());
    this.wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes, perMessageDeflate: false, clientTracking: false });
    this.http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://echo.invalid');
      if (url.pathname !== PATHS.sessions) return void socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.admit(ws, url.searchParams.get('session_id') ?? 'echo'));
    });
  }

  /** `profile`: the pipeline version named in the `session` frame (the runtime's, so client frames are the same bytes). */
  static async start(opts: { host: string; port: number; maxFrameBytes: number; profile: string }): Promise<EchoServer> {
    const server = new EchoServer(opts.host, opts.maxFrameBytes, opts.profile);
    await new Promise<void>((resolve, reject) => {
      server.http.once('error', reject);
      server.http.listen(opts.port, server.host, () => resolve());
    });
    server.boundPort = (server.http.address() as AddressInfo).port;
    return server;
  }

  get sessionPort(): number {
    return this.boundPort;
  }

  get sessionCount(): number {
    return this.sockets.size;
  }

  private admit(ws: WebSocket, sessionId: string): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (data: RawData) => ws.send(JSON.stringify(reply(JSON.parse(String(data)) as EchoEnvelope | EchoEnvelope[]))));
    ws.send(encodeHello({ session_id: sessionId, authority_epoch: 1, pipeline_version: this.profile, profile: this.profile, drain_seconds: 0, protocol: SESSION_PROTOCOL }));
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}
