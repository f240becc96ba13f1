/**
 * A small promise-based client for `rspp.session.v1`, for the example, tests and tools: connect,
 * read the `session` frame, send envelopes, and wait for the frames or outputs you expect.
 */
import WebSocket from 'ws';
import { PATHS } from '../../contracts/runtime-interface';
import { SESSION_PROTOCOL, type SessionHello, type WireError } from '../session/wire-protocol';
import { SessionEnvelopes } from './session-envelopes';

/** A parsed server frame. */
export type ServerFrame =
  | ({ readonly type: 'session' } & SessionHello)
  | { readonly type: 'outputs'; readonly outputs: readonly ServerOutput[] }
  | ({ readonly type: 'error' } & WireError);

/** One engine output as it arrives (canonical JSON, parsed). */
export type ServerOutput = { readonly kind: string; readonly [field: string]: unknown };

export interface SessionCloseInfo {
  readonly code: number;
  readonly reason: string;
}

export class SessionClient {
  readonly frames: ServerFrame[] = [];
  private readonly outputList: ServerOutput[] = [];
  readonly envelopes: SessionEnvelopes;
  readonly closed: Promise<SessionCloseInfo>;
  private waiters: (() => void)[] = [];

  private constructor(
    readonly socket: WebSocket,
    readonly hello: SessionHello,
  ) {
    this.envelopes = new SessionEnvelopes(hello.session_id, hello.authority_epoch, hello.pipeline_version);
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** `ws://host:port/v1/sessions[?session_id=...]` */
  static url(host: string, port: number, sessionId?: string): string {
    return `ws://${host}:${port}${PATHS.sessions}${sessionId !== undefined ? `?session_id=${encodeURIComponent(sessionId)}` : ''}`;
  }

  /** Connects and resolves after the `session` frame; rejects if the server closes first. */
  static connect(url: string, timeoutMs = 5000): Promise<SessionClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, SESSION_PROTOCOL);
      const early: ServerFrame[] = [];
      let client: SessionClient | undefined;
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`no session frame from ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as ServerFrame;
        if (client) return client.receive(frame);
        if (frame.type !== 'session') {
          early.push(frame);
          return;
        }
        clearTimeout(timer);
        const { type: _type, ...hello } = frame;
        client = new SessionClient(socket, hello);
        for (const f of early) client.receive(f);
        resolve(client);
      });
      socket.once('close', (code, reason) => {
        clearTimeout(timer);
        if (!client) reject(new SessionRefusedError(code, reason.toString()));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        if (!client) reject(err);
      });
    });
  }

  get sessionId(): string {
    return this.hello.session_id;
  }

  /** Sends one envelope (or a batch, as an array), or raw text. */
  send(message: object | string): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Every output received so far, in order (a live array: it grows as frames arrive). */
  outputs(): ServerOutput[] {
    return this.outputList;
  }

  errors(): WireError[] {
    return this.frames.filter((f): f is { type: 'error' } & WireError => f.type === 'error');
  }

  /**
   * Resolves when `predicate` holds: checked on every new frame, and every 10 ms for conditions
   * outside the frames (server state, close).
   */
  waitFor<T>(predicate: (client: SessionClient) => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const result = predicate(this);
        if (result !== undefined && result !== false) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve(result as T);
          return true;
        }
        return false;
      };
      const poll = setInterval(() => {
        if (check()) this.waiters = this.waiters.filter((w) => w !== waiter);
      }, 10);
      const timer = setTimeout(() => {
        clearInterval(poll);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`));
      }, timeoutMs);
      const waiter = () => {
        if (check()) this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      if (!check()) this.waiters.push(waiter);
    });
  }

  /** Waits for a signal output named `signal` (optionally for `turnId`). */
  waitForSignal(signal: string, turnId?: string, timeoutMs = 5000): Promise<ServerOutput> {
    return this.waitFor(
      (c) =>
        c.outputs().find((o) => {
          const s = o.signal as { signal?: string; turn_id?: string } | undefined;
          return o.kind === 'signal' && s?.signal === signal && (turnId === undefined || s.turn_id === turnId);
        }),
      timeoutMs,
      `signal ${signal}${turnId ? ` for ${turnId}` : ''}`,
    );
  }

  close(): Promise<SessionCloseInfo> {
    this.socket.close(1000, 'client done');
    return this.closed;
  }

  private receive(frame: ServerFrame): void {
    this.frames.push(frame);
    if (frame.type === 'outputs') for (const output of frame.outputs) this.outputList.push(output);
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** The server completed the handshake, then closed before sending a `session` frame. */
export class SessionRefusedError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`session refused: close ${code} ${reason}`);
    this.name = 'SessionRefusedError';
  }
}
