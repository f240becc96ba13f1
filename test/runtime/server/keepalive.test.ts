/**
 * Keepalive: a client that stops answering pings (half-open connection) is terminated and its
 * active turn ends as a transport failure; a responsive client is left alone.
 */
import WebSocket from 'ws';
import { SessionClient } from '../../../runtime/server/client/session-client';
import { startTestServer, type TestServer } from './server-fixture';

describe('runtime server: keepalive', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer({}, { keepaliveIntervalMs: 100 });
  });
  afterEach(async () => {
    await t.stop();
  });

  test('an unresponsive client is terminated after one missed ping; a responsive one stays', async () => {
    const responsive = await t.connect('ka-ok');
    // A raw client with automatic pongs off behaves like a peer that vanished without a FIN.
    const mute = new WebSocket(SessionClient.url('127.0.0.1', t.server.sessionPort, 'ka-mute'), { autoPong: false });
    await new Promise((resolve) => mute.once('message', resolve)); // the session frame
    mute.send(JSON.stringify({ ...responsive.envelopes.proposeTurn('t1'), session_id: 'ka-mute' }));
    const closed = new Promise<number>((resolve) => mute.once('close', (code) => resolve(code)));
    expect(await closed).toBe(1006); // terminated: no closing handshake
    await responsive.waitFor(() => (t.server.sessionCount === 1 && t.evidence.appended === 1) || undefined, 3000, 'mute session gone');
    expect(t.evidence.records()[0]).toMatchObject({ session_id: 'ka-mute', terminal_outcome: 'abort', terminal_reason: 'transport_disconnect_or_stall' });
    await new Promise((r) => setTimeout(r, 350));
    expect(responsive.socket.readyState).toBe(WebSocket.OPEN);
    responsive.socket.terminate();
  });
});
