/**
 * A runtime stand-in run as its own process by etcd-failover.test.ts, so the test can SIGKILL or
 * SIGSTOP a real lease holder. It acquires the lease, then every 20 ms tries to emit an output
 * stamped with its epoch through its own EpochFence, and reports on stdout (one JSON per line):
 *   {"event":"acquired","epoch":N,"atMs":..}   {"event":"output","epoch":N,"seq":K}
 *   {"event":"fenced","epoch":N,"seq":K,"reason":..}   {"event":"lost","reason":..}
 * Env: ETCD_ENDPOINT, LEASE_KEY, HOLDER_ID, TTL_SECONDS.
 */
import { EpochFence, EtcdLeaseStore } from '../../../../runtime/authority';

function report(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

async function main(): Promise<void> {
  const key = process.env.LEASE_KEY ?? 'failover';
  const store = new EtcdLeaseStore({
    endpoints: [process.env.ETCD_ENDPOINT ?? ''],
    defaultTtlSeconds: Number(process.env.TTL_SECONDS ?? '2'),
    callTimeoutMs: 1000,
  });
  const lease = await store.acquire({ key, holderId: process.env.HOLDER_ID ?? 'runtime-a', waitMs: 10_000 });
  const fence = new EpochFence();
  fence.bindLease(lease);
  lease.onLost((event) => report({ event: 'lost', reason: event.reason }));
  report({ event: 'acquired', epoch: lease.epoch, atMs: Date.now() });
  let seq = 0;
  const emit = setInterval(() => {
    seq++;
    const verdict = fence.check(key, lease.epoch);
    if (verdict.accepted) report({ event: 'output', epoch: lease.epoch, seq });
    else report({ event: 'fenced', epoch: lease.epoch, seq, reason: verdict.reason });
  }, 20);
  // Bounded life: never outlive a crashed test run.
  setTimeout(() => {
    clearInterval(emit);
    void store.close().finally(() => process.exit(0));
  }, 30_000).unref();
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
