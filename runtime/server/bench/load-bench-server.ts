/**
 * Load bench server process: one `RuntimeServer` (embedded defaults, its own in-memory lease
 * store, 127.0.0.1, random ports) driven by `load-bench.ts` over IPC. A process of its own, so the
 * bench can give it the Node flags a production server process gets (`--max-semi-space-size`)
 * and run more than one of them (`--servers`), and so its CPU, RSS and event-loop delay are its
 * own. Exits after `stop`, or when the coordinator goes away.
 */
import { monitorEventLoopDelay } from 'perf_hooks';
import { InMemoryLeaseStore } from '../../authority';
import { loadServerConfig } from '../config/server-config';
import { RuntimeServer } from '../runtime-server';
import type { CoordinatorToServer, ServerToCoordinator } from './load-bench-protocol';

function send(message: ServerToCoordinator): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, {}, (err) => (err ? reject(err) : resolve())));
}

async function run(index: number, maxSessions: number): Promise<void> {
  const store = new InMemoryLeaseStore();
  const server = await RuntimeServer.start({
    config: loadServerConfig({}, { host: '127.0.0.1', sessionPort: 0, adminPort: 0, podName: `load-bench-${index}`, maxSessions }),
    leaseStore: store,
  });
  const rssBefore = process.memoryUsage.rss();
  let rssMax = rssBefore;
  let rssTimer: NodeJS.Timeout | undefined;
  let cpuStart = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  const stop = async () => {
    if (rssTimer) clearInterval(rssTimer);
    await server.stop();
    await store.close();
    process.disconnect();
  };
  process.on('disconnect', () => void server.stop().finally(() => process.exit(0)));
  process.on('message', (message: CoordinatorToServer) => {
    switch (message.type) {
      case 'measure':
        rssMax = process.memoryUsage.rss();
        rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 250);
        cpuStart = process.cpuUsage();
        loopDelay.enable();
        void send({ type: 'measuring', sessions: server.sessionCount });
        return;
      case 'report': {
        const cpu = process.cpuUsage(cpuStart);
        loopDelay.disable();
        if (rssTimer) clearInterval(rssTimer);
        void send({
          type: 'report',
          report: {
            sessions: server.sessionCount,
            rssBeforeBytes: rssBefore,
            rssMaxBytes: Math.max(rssMax, process.memoryUsage.rss()),
            cpuUserMs: cpu.user / 1000,
            cpuSystemMs: cpu.system / 1000,
            eventLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
          },
        });
        return;
      }
      case 'stop':
        void stop();
        return;
      default:
        return;
    }
  });
  await send({ type: 'listening', port: server.sessionPort });
}

process.once('message', (message: CoordinatorToServer) => {
  if (message.type !== 'start') return;
  run(message.index, message.maxSessions).catch((err: Error) => {
    void send({ type: 'failed', message: err.stack ?? err.message }).finally(() => process.exit(1));
  });
});
