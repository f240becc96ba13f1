import type { AddressInfo } from 'net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  clientFrameHeaderLength,
  encodeClientFrame,
  RawWsConnection,
  ServerFrameParser,
  type ServerFrameHandler,
} from '../../../../runtime/server/bench/raw-ws-client';

/** Records what the parser reports. */
function recorder(): ServerFrameHandler & { readonly seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    text: (p) => seen.push(`text:${p.toString('utf8')}`),
    ping: (p) => seen.push(`ping:${p.toString('utf8')}`),
    close: (code, reason) => seen.push(`close:${code}:${reason}`),
    protocolError: (m) => seen.push(`error:${m}`),
  };
}

/** An unmasked server frame, as a server writes it. */
function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0, n]) : n < 65536 ? Buffer.from([0, 126, n >> 8, n & 0xff]) : Buffer.alloc(10);
  if (n >= 65536) {
    header[1] = 127;
    header.writeUInt32BE(0, 2);
    header.writeUInt32BE(n, 6);
  }
  header[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([header, payload]);
}

describe('raw WebSocket client framing (load bench)', () => {
  test.each([0, 5, 125, 126, 200, 65535, 65536, 70_000])('a %i-byte client frame is FIN text, masked with a zero key, payload unchanged', (n) => {
    const payload = Buffer.alloc(n, 'x');
    const frame = encodeClientFrame(payload);
    const header = clientFrameHeaderLength(n);
    expect(frame.length).toBe(header + n);
    expect(frame[0]).toBe(0x81);
    expect(frame[1] & 0x80).toBe(0x80); // MASK bit: RFC 6455 §5.3 requires it on client frames
    const len7 = frame[1] & 0x7f;
    if (n < 126) expect(len7).toBe(n);
    else if (n < 65536) {
      expect(len7).toBe(126);
      expect(frame.readUInt16BE(2)).toBe(n);
    } else {
      expect(len7).toBe(127);
      expect(frame.readUInt32BE(2) * 2 ** 32 + frame.readUInt32BE(6)).toBe(n);
    }
    expect(frame.readUInt32BE(header - 4)).toBe(0); // masking key
    expect(frame.subarray(header).equals(payload)).toBe(true);
  });

  test('the parser reassembles frames split at any byte boundary, in order', () => {
    const big = Buffer.alloc(70_000, 'b');
    const stream = Buffer.concat([
      serverFrame(0x1, Buffer.from('hello')),
      serverFrame(0x9, Buffer.from('p')),
      serverFrame(0x1, Buffer.alloc(300, 'm')),
      serverFrame(0x1, big),
      serverFrame(0x8, Buffer.concat([Buffer.from([0x0f, 0xa1]), Buffer.from('authority_lost: x')])),
    ]);
    const expected = ['text:hello', 'ping:p', `text:${'m'.repeat(300)}`, `text:${'b'.repeat(70_000)}`, 'close:4001:authority_lost: x'];
    for (const cut of [1, 2, 3, 7, 64, 301, 70_013, stream.length - 1]) {
      const r = recorder();
      const parser = new ServerFrameParser(r);
      parser.push(stream.subarray(0, cut));
      parser.push(stream.subarray(cut));
      expect(r.seen).toEqual(expected);
    }
    const r = recorder();
    const parser = new ServerFrameParser(r);
    for (let i = 0; i < 400; i++) parser.push(stream.subarray(i, i + 1));
    parser.push(stream.subarray(400));
    expect(r.seen).toEqual(expected);
  });

  test('masked, fragmented and binary server frames are protocol errors', () => {
    for (const frame of [
      Buffer.from([0x81, 0x81, 0, 0, 0, 0, 0x41]), // masked
      serverFrame(0x1, Buffer.from('part'), false), // not FIN
      serverFrame(0x2, Buffer.from('bin')), // binary
    ]) {
      const r = recorder();
      new ServerFrameParser(r).push(frame);
      expect(r.seen).toHaveLength(1);
      expect(r.seen[0]).toMatch(/^error:/);
    }
  });

  describe('against a ws server on 127.0.0.1', () => {
    let wss: WebSocketServer;
    let port: number;
    let serverSide: Promise<WebSocket>;

    beforeEach(async () => {
      wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
      port = (wss.address() as AddressInfo).port;
      serverSide = new Promise((resolve) => wss.once('connection', (ws, req) => {
        ws.send(`hello ${req.url}`); // sent with (or right after) the 101 response
        resolve(ws);
      }));
    });

    afterEach(async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });

    test('handshake, text both ways (ws validates masking and UTF-8), ping → pong, close code and reason', async () => {
      const received: string[] = [];
      let closed: [number, string] | undefined;
      const client = await RawWsConnection.connect('127.0.0.1', port, '/v1/sessions?session_id=s1', {
        message: (p) => received.push(p.toString('utf8')),
        closed: (code, reason) => (closed = [code, reason]),
      });
      const ws = await serverSide;
      const atServer: string[] = [];
      ws.on('message', (data) => atServer.push(data.toString()));
      const texts = ['{"a":1}', 'é'.repeat(100), 'x'.repeat(70_000)];
      for (const t of texts) client.sendText(t);
      const pong = new Promise<string>((resolve) => ws.once('pong', (d) => resolve(d.toString())));
      ws.ping('are-you-there');
      ws.send('y'.repeat(1000));
      expect(await pong).toBe('are-you-there');
      await waitUntil(() => atServer.length === texts.length && received.length === 2);
      expect(atServer).toEqual(texts);
      expect(received).toEqual(['hello /v1/sessions?session_id=s1', 'y'.repeat(1000)]);
      const serverClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.close(4001, 'authority_lost: test');
      expect(await serverClosed).toBe(4001); // our close frame echoed the code
      await waitUntil(() => closed !== undefined);
      expect(closed).toEqual([4001, 'authority_lost: test']);
    });

    test('a refused upgrade rejects with the status line', async () => {
      wss.options.verifyClient = () => false;
      await expect(
        RawWsConnection.connect('127.0.0.1', port, '/', { message: () => undefined, closed: () => undefined }),
      ).rejects.toThrow(/upgrade refused: HTTP\/1\.1 401/);
    });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
