/**
 * A TCP forwarder on 127.0.0.1 that a test can "cut": existing connections are frozen (bytes are
 * swallowed, nothing is answered, nothing is closed) and new ones are accepted but never forwarded,
 * which is what a network partition looks like to a gRPC client. `heal()` restores forwarding for
 * new connections.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpCutProxy {
  /** `http://127.0.0.1:<port>` to hand to the client under test. */
  readonly endpoint: string;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpCutProxy(targetPort: number): Promise<TcpCutProxy> {
  let isCut = false;
  const sockets = new Set<Socket>();
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (isCut) {
      client.on('data', () => undefined); // black hole
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair = { client, upstream };
    pairs.add(pair);
    client.on('data', (chunk) => {
      if (!isCut) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!isCut) client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    cut: () => {
      isCut = true;
      // Frozen pairs never deliver again, even after heal (their byte streams have holes).
      for (const pair of pairs) {
        pair.client.removeAllListeners('data');
        pair.upstream.removeAllListeners('data');
        pair.client.on('data', () => undefined);
        pair.upstream.on('data', () => undefined);
      }
      pairs.clear();
    },
    heal: () => {
      isCut = false;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
