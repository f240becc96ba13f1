/**
 * A two-minute tour of the session protocol against a running server (`npm start`):
 *
 *   npx tsx runtime/server/examples/client.ts                 # ws://127.0.0.1:8080/v1/sessions
 *   npx tsx runtime/server/examples/client.ts ws://host:8080/v1/sessions
 *
 * Opens a session, proposes a turn, streams three text events, completes the turn (commit), then
 * opens a second turn and cancels it (abort(cancelled) behind the fence), printing every frame.
 */
import { RUNTIME_SESSION_PORT } from '../../contracts/runtime-interface';
import { SessionClient, type ServerFrame } from '../client/session-client';

function describeFrame(frame: ServerFrame): string {
  if (frame.type === 'error') return `error  ${frame.code} at ${frame.path}: ${frame.reason}`;
  if (frame.type === 'session') return `session ${frame.session_id} (epoch ${frame.authority_epoch}, ${frame.profile})`;
  return frame.outputs
    .map((o) => {
      if (o.kind === 'signal') {
        const s = o.signal as { signal: string; turn_id?: string; reason?: string };
        return `signal ${s.signal}${s.reason ? `(${s.reason})` : ''}${s.turn_id ? ` turn=${s.turn_id}` : ''}`;
      }
      if (o.kind === 'data') return `data   ${(o.event as { event_id: string }).event_id} on edge ${String(o.edge_id)}`;
      if (o.kind === 'decision') {
        const d = o.outcome as { outcome_kind: string; emitted_by: string; reason: string };
        return `decision ${d.outcome_kind} by ${d.emitted_by} (${d.reason})`;
      }
      if (o.kind === 'transition') {
        const t = o.transition as { from_state: string; trigger: string; to_state: string };
        return `transition ${t.from_state} --${t.trigger}--> ${t.to_state}`;
      }
      return o.kind;
    })
    .join('\n       ');
}

async function main(): Promise<void> {
  const url = process.argv[2] ?? SessionClient.url('127.0.0.1', RUNTIME_SESSION_PORT);
  const client = await SessionClient.connect(url);
  let printed = 0;
  const printNew = () => {
    for (; printed < client.frames.length; printed++) process.stdout.write(`<- ${describeFrame(client.frames[printed])}\n`);
  };
  process.stdout.write(`<- session ${client.sessionId} (epoch ${client.hello.authority_epoch}, ${client.hello.profile})\n`);
  const e = client.envelopes;

  client.send(e.proposeTurn('turn-1'));
  await client.waitForSignal('turn_open', 'turn-1');
  for (let i = 0; i < 3; i++) client.send(e.data('turn-1'));
  await client.waitFor((c) => c.outputs().filter((o) => o.kind === 'data').length === 3, 5000, 'three data outputs');
  client.send(e.playbackCompleted('turn-1'));
  await client.waitForSignal('close', 'turn-1');
  printNew();

  client.send(e.proposeTurn('turn-2'));
  await client.waitForSignal('turn_open', 'turn-2');
  client.send(e.data('turn-2'));
  client.send(e.cancel('turn-2'));
  await client.waitForSignal('close', 'turn-2');
  printNew();

  client.send('{"this is": "not an envelope"}');
  await client.waitFor((c) => c.errors().length > 0, 5000, 'an error frame');
  printNew();
  const closed = await client.close();
  process.stdout.write(`closed ${closed.code}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
