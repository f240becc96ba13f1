/**
 * A minimal RFC 6455 WebSocket client over a raw TCP socket, for the load bench only.
 *
 * The load generator shares the machine's cores with the server it measures, so it must cost as
 * little as possible per frame. `ws` is general (fragmentation, extensions, UTF-8 validation, an
 * event per message, a fresh mask per frame); this client does only what the bench needs:
 *   - client frames are masked with the all-zero key (legal: RFC 6455 §5.3 requires a mask, not a
 *     random one, of a client), so a frame is its header plus the payload bytes unchanged and
 *     pre-built frames can be sent with a few bytes patched;
 *   - server frames are parsed in place (no copy unless a frame straddles two reads) and handed
 *     over as `Buffer` views; ping is answered with pong, close is reported and echoed;
 *   - anything else the protocol would allow but the session server never sends (fragmented
 *     messages, masked server frames, reserved bits) is a protocol error reported to the caller.
 */
import { createHash, randomBytes } from 'crypto';
import * as net from 'net';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

/** Bytes of a zero-masked client frame header for a payload of `length` bytes. */
export function clientFrameHeaderLength(length: number): number {
  return (length < 126 ? 2 : length < 65536 ? 4 : 10) + 4;
}

/**
 * Writes the header of a FIN client frame (`opcode`, zero masking key) for a `length`-byte payload
 * at `offset` of `target`; returns the payload offset.
 */
export function writeClientFrameHeader(target: Buffer, offset: number, opcode: number, length: number): number {
  target[offset++] = 0x80 | opcode;
  if (length < 126) {
    target[offset++] = 0x80 | length;
  } else if (length < 65536) {
    target[offset++] = 0x80 | 126;
    target.writeUInt16BE(length, offset);
    offset += 2;
  } else {
    target[offset++] = 0x80 | 127;
    target.writeUInt32BE(Math.floor(length / 2 ** 32), offset);
    target.writeUInt32BE(length >>> 0, offset + 4);
    offset += 8;
  }
  target.writeUInt32BE(0, offset); // masking key 0: payload XOR 0 = payload
  return offset + 4;
}

/** A complete zero-masked client frame carrying `payload`. */
export function encodeClientFrame(payload: Buffer | string, opcode: number = OPCODE_TEXT): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const frame = Buffer.allocUnsafe(clientFrameHeaderLength(body.length) + body.length);
  body.copy(frame, writeClientFrameHeader(frame, 0, opcode, body.length));
  return frame;
}

/** What the parser reports; `payload` views are valid only during the callback. */
export interface ServerFrameHandler {
  text(payload: Buffer): void;
  ping(payload: Buffer): void;
  close(code: number, reason: string): void;
  /** A frame this client does not accept (see the module comment); the connection should end. */
  protocolError(message: string): void;
}

/** Incremental parser of unmasked server → client frames. */
export class ServerFrameParser {
  private pending: Buffer | undefined;

  constructor(private readonly handler: ServerFrameHandler) {}

  /** Feeds bytes read from the socket; complete frames are reported in order. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let offset = 0;
    const end = buf.length;
    while (end - offset >= 2) {
      const b0 = buf[offset];
      const b1 = buf[offset + 1];
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (end - offset < 4) break;
        length = buf.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (end - offset < 10) break;
        length = buf.readUInt32BE(offset + 2) * 2 ** 32 + buf.readUInt32BE(offset + 6);
        header = 10;
      }
      if (end - offset < header + length) break;
      const payload = buf.subarray(offset + header, offset + header + length);
      offset += header + length;
      if ((b1 & 0x80) !== 0 || (b0 & 0x70) !== 0 || (b0 & 0x80) === 0) {
        this.handler.protocolError(`unsupported server frame (byte0 0x${b0.toString(16)}, byte1 0x${b1.toString(16)}): masked, RSV bits or fragmented`);
        return;
      }
      const opcode = b0 & 0x0f;
      if (opcode === OPCODE_TEXT) this.handler.text(payload);
      else if (opcode === OPCODE_PING) this.handler.ping(payload);
      else if (opcode === OPCODE_CLOSE) {
        this.handler.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1005, payload.subarray(2).toString('utf8'));
        return;
      } else if (opcode !== OPCODE_PONG) {
        this.handler.protocolError(`unexpected server frame opcode ${opcode}${opcode === OPCODE_BINARY ? ' (binary)' : ''}`);
        return;
      }
    }
    if (offset < end) this.pending = Buffer.from(buf.subarray(offset)); // copy: the chunk is not ours to keep
  }
}

export interface RawWsHandlers {
  /** A text frame; the view is valid only during the call. */
  message(payload: Buffer): void;
  /** The connection ended: a close frame (its code) or the socket closing without one (1006). */
  closed(code: number, reason: string): void;
}

/** One client connection. `connect` resolves once the upgrade has been accepted. */
export class RawWsConnection {
  private closedReported = false;

  private constructor(
    readonly socket: net.Socket,
    private handlers: RawWsHandlers,
  ) {}

  /**
   * Opens `ws://host:port<pathAndQuery>` and completes the handshake (the `Sec-WebSocket-Accept`
   * is checked). Frames that arrive with the 101 response are delivered once `handlers` are set.
   */
  static connect(host: string, port: number, pathAndQuery: string, handlers: RawWsHandlers, timeoutMs = 10_000): Promise<RawWsConnection> {
    return new Promise((resolve, reject) => {
      const key = randomBytes(16).toString('base64');
      const expectedAccept = createHash('sha1').update(key + WS_GUID).digest('base64');
      const socket = net.connect({ host, port, noDelay: true });
      let head = Buffer.alloc(0);
      const fail = (message: string) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(`raw-ws ${host}:${port}${pathAndQuery}: ${message}`));
      };
      const timer = setTimeout(() => fail(`no upgrade within ${timeoutMs} ms`), timeoutMs);
      socket.once('error', (err) => fail(err.message));
      socket.once('connect', () => {
        socket.write(
          `GET ${pathAndQuery} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      const onHead = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const endOfHead = head.indexOf('\r\n\r\n');
        if (endOfHead < 0) {
          if (head.length > 16_384) fail('upgrade response head over 16 KiB');
          return;
        }
        socket.off('data', onHead);
        const lines = head.subarray(0, endOfHead).toString('latin1').split('\r\n');
        if (!/^HTTP\/1\.1 101 /.test(lines[0])) return fail(`upgrade refused: ${lines[0]}`);
        const accept = lines.find((l) => /^sec-websocket-accept:/i.test(l))?.split(':')[1]?.trim();
        if (accept !== expectedAccept) return fail(`bad Sec-WebSocket-Accept "${accept}"`);
        clearTimeout(timer);
        socket.removeAllListeners('error');
        const connection = new RawWsConnection(socket, handlers);
        connection.attach(head.subarray(endOfHead + 4));
        resolve(connection);
      };
      socket.on('data', onHead);
    });
  }

  /** Replaces the handlers (e.g. after the first frame has been read). */
  setHandlers(handlers: RawWsHandlers): void {
    this.handlers = handlers;
  }

  private attach(rest: Buffer): void {
    const parser = new ServerFrameParser({
      text: (payload) => this.handlers.message(payload),
      ping: (payload) => this.socket.write(encodeClientFrame(Buffer.from(payload), OPCODE_PONG)),
      close: (code, reason) => {
        this.reportClosed(code, reason);
        const body = Buffer.alloc(2);
        body.writeUInt16BE(code === 1005 ? 1000 : code, 0);
        this.socket.end(encodeClientFrame(body, OPCODE_CLOSE));
      },
      protocolError: (message) => {
        this.reportClosed(1002, message);
        this.socket.destroy();
      },
    });
    this.socket.on('data', (chunk: Buffer) => parser.push(chunk));
    this.socket.on('error', () => undefined); // 'close' follows
    this.socket.on('close', () => this.reportClosed(1006, 'socket closed without a close frame'));
    // Frames that came with the upgrade response: deliver after the caller has the connection.
    if (rest.length > 0) {
      const copy = Buffer.from(rest);
      setImmediate(() => parser.push(copy));
    }
  }

  private reportClosed(code: number, reason: string): void {
    if (this.closedReported) return;
    this.closedReported = true;
    this.handlers.closed(code, reason);
  }

  /** Sends a complete client frame (e.g. from `encodeClientFrame`). The buffer must not change afterwards. */
  sendFrame(frame: Buffer): void {
    this.socket.write(frame);
  }

  /** Sends `text` as one text frame. */
  sendText(text: string): void {
    this.socket.write(encodeClientFrame(text));
  }

  /** Ends the TCP connection at once (no closing handshake). */
  terminate(): void {
    this.socket.destroy();
  }
}
