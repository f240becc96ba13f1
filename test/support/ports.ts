/** Loopback ports for tests: bound on 127.0.0.1 by the OS, then released. */
import { createServer } from 'node:net';

/** A port that was free a moment ago (bound to 127.0.0.1:0, then closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A port nothing listens on, for "the peer is down" cases (the same free port, under its intent). */
export const closedPort = freePort;
