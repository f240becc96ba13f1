/**
 * Control-plane turn-start mode over real sockets: a `RuntimeServer` on 127.0.0.1 asks a real
 * control plane (`ControlPlaneService`, in process, mutual TLS with test certificates) for every
 * turn start (`POST /v1/turn-start`), two-phase Opening (turn-engine.md §2 step 5, engine README
 * choice 2). Both share one in-memory lease store, so the control plane re-checks the runtime's
 * real lease. Also measures the turn-open latency the round trip adds (logged, see README).
 */
import { InMemoryLeaseStore, type LeaseStore } from '../../../../runtime/authority';
import { ControlPlaneService, type AdmissionCapacity } from '../../../../runtime/control-plane';
import { SessionClient, type ServerOutput } from '../../../../runtime/server/client/session-client';
import { loadServerConfig, type ServerConfig } from '../../../../runtime/server/config/server-config';
import { ControlPlaneClient } from '../../../../runtime/server/control-plane';
import { MemoryEvidenceSink } from '../../../../runtime/server/evidence/evidence-sink';
import type { LogLevel, ServerLogger } from '../../../../runtime/server/logging/server-logger';
import { RuntimeServer } from '../../../../runtime/server/runtime-server';
import { loadArtifacts } from '../../../../pipelines';
import { createTestCa, issueTestLeaf, removeTestPki, type TestCa, type TestLeaf } from '../../control-plane/test-certificates';
import { metricValue } from '../server-fixture';
import { closedPort } from '../../../support/ports';

const BUNDLE = loadArtifacts().bundles.find((b) => b.artifact.name === 'simple_v1')!.digest;

interface Decision {
  readonly outcome_kind: string;
  readonly emitted_by: string;
  readonly reason: string;
  readonly scope: string;
  readonly phase: string;
}
const decisions = (outputs: readonly ServerOutput[]): Decision[] =>
  outputs.filter((o) => o.kind === 'decision').map((o) => o.outcome as Decision);

class CapturingLogger implements ServerLogger {
  readonly records: Array<{ level: LogLevel; message: string; fields: Readonly<Record<string, unknown>> }> = [];
  log(level: LogLevel, message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    this.records.push({ level, message, fields });
  }
}

/** Holds the control plane's placement look-ups (its store reads) until `open()`: a slow control plane. */
class Gate {
  private waiting: Array<() => void> = [];
  private closed = false;
  held = 0;
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.closed = false;
    for (const release of this.waiting.splice(0)) release();
  }
  pass(): Promise<void> {
    if (!this.closed) return Promise.resolve();
    this.held++;
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

function gatedStore(store: LeaseStore, gate: Gate): LeaseStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'inspect' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (key: string) => {
        if (key.startsWith('runtime-placements/')) await gate.pass();
        return (value as LeaseStore['inspect']).call(target, key);
      };
    },
  });
}


describe('runtime server: control-plane turn-start mode (turn-engine.md §2 step 5)', () => {
  let ca: TestCa;
  let cpCert: TestLeaf;
  let runtimeCert: TestLeaf;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(() => {
    ca = createTestCa();
    cpCert = issueTestLeaf(ca, 'control-plane');
    runtimeCert = issueTestLeaf(ca, 'runtime');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => removeTestPki(ca));

  async function startControlPlane(store: LeaseStore, admissionCapacity?: AdmissionCapacity): Promise<{ service: ControlPlaneService; url: string }> {
    const service = new ControlPlaneService({
      store,
      host: '127.0.0.1',
      apiPort: 0,
      adminPort: 0,
      tlsDir: cpCert.dir,
      log: () => undefined,
      ...(admissionCapacity ? { admissionCapacity } : {}),
    });
    const { apiPort } = await service.start();
    cleanups.push(() => service.stop());
    return { service, url: `https://127.0.0.1:${apiPort}` };
  }

  async function startRuntime(store: LeaseStore, url: string, overrides: Partial<ServerConfig> = {}) {
    const config = loadServerConfig(
      {},
      { host: '127.0.0.1', sessionPort: 0, adminPort: 0, podName: 'cp-pod', controlPlaneUrl: url, bundleDigest: BUNDLE, ...overrides },
    );
    const evidence = new MemoryEvidenceSink();
    const logger = new CapturingLogger();
    const server = await RuntimeServer.start({
      config,
      evidence,
      logger,
      leaseStore: store,
      controlPlane: new ControlPlaneClient({ baseUrl: url, tlsDir: runtimeCert.dir }),
    });
    cleanups.push(() => server.stop());
    const connect = async (id: string) => {
      const c = await SessionClient.connect(SessionClient.url('127.0.0.1', server.sessionPort, id));
      cleanups.push(() => c.socket.terminate());
      return c;
    };
    const metrics = async () => (await fetch(`http://127.0.0.1:${server.adminPort}/metrics`)).text();
    return { server, evidence, logger, connect, metrics, config };
  }

  test('the control plane is the default with RSPP_CONTROL_PLANE_URL; RSPP_TURN_START is validated', () => {
    expect(loadServerConfig({ RSPP_CONTROL_PLANE_URL: 'https://cp:8081', RSPP_BUNDLE_DIGEST: BUNDLE }).turnStartMode).toBe('control-plane');
    expect(loadServerConfig({}).turnStartMode).toBe('embedded');
    expect(loadServerConfig({ RSPP_CONTROL_PLANE_URL: 'https://cp:8081', RSPP_BUNDLE_DIGEST: BUNDLE, RSPP_TURN_START: 'embedded' }).turnStartMode).toBe('embedded');
    expect(() => loadServerConfig({ RSPP_TURN_START: 'remote' })).toThrow(/RSPP_TURN_START: must be one of "embedded", "control-plane", got "remote"/);
    expect(() => loadServerConfig({ RSPP_TURN_START: 'control-plane' })).toThrow(/RSPP_TURN_START=control-plane needs RSPP_CONTROL_PLANE_URL[\s\S]*needs RSPP_BUNDLE_DIGEST/);
  });

  test('a turn opens through the control plane: CP-05 admit and the lease re-check come from its answer; the slot is released on close', async () => {
    const store = new InMemoryLeaseStore();
    cleanups.push(() => store.close());
    const { service, url } = await startControlPlane(store);
    const rt = await startRuntime(store, url);
    const c = await rt.connect('cp-admit');
    const e = c.envelopes;
    c.send(e.proposeTurn('t1'));
    await c.waitForSignal('turn_open', 't1');
    const opened = decisions(c.outputs());
    expect(opened).toEqual([
      expect.objectContaining({ outcome_kind: 'admit', emitted_by: 'RK-25', phase: 'pre_turn' }),
      expect.objectContaining({ outcome_kind: 'admit', emitted_by: 'CP-05', reason: 'cp_admission_admitted', phase: 'pre_turn' }),
    ]);
    // The plan's provenance is the control plane's (routing view at this placement's lease epoch).
    const plan = c.outputs().find((o) => o.kind === 'plan')!.plan as { snapshot_provenance: { routing_view_snapshot: string } };
    expect(plan.snapshot_provenance.routing_view_snapshot).toContain(`@runtime-placements/local/cp-pod#${c.hello.authority_epoch}`);
    expect(service.admission.admittedSessions()).toBe(1);

    c.send(e.data('t1'));
    c.send(e.playbackCompleted('t1'));
    await c.waitForSignal('close', 't1');
    await c.waitFor(() => rt.evidence.appended === 1 || undefined, 2000, 'evidence record');
    const record = rt.evidence.records()[0] as unknown as { decision_outcomes: Decision[]; terminal_outcome: string };
    expect(record.terminal_outcome).toBe('commit');
    expect(record.decision_outcomes).toContainEqual(expect.objectContaining({ outcome_kind: 'admit', emitted_by: 'CP-05', reason: 'cp_admission_admitted' }));
    expect(metricValue(await rt.metrics(), 'rspp_turn_start_requests_total{outcome="answered"}')).toBe(1);

    await c.close();
    await c.waitFor(() => service.admission.admittedSessions() === 0 || undefined, 3000, 'CP-05 slot released');
  });

  test.each([
    ['reject', 'cp_admission_capacity_reject'],
    ['defer', 'cp_admission_capacity_defer'],
  ] as const)('CP-05 %s from the control plane is the pre-turn outcome; the session stays open', async (outcome, reason) => {
    const store = new InMemoryLeaseStore();
    cleanups.push(() => store.close());
    const { url } = await startControlPlane(store, { maxConcurrentSessions: 0, exhaustedOutcome: outcome });
    const rt = await startRuntime(store, url);
    const c = await rt.connect(`cp-${outcome}`);
    c.send(c.envelopes.proposeTurn('t1'));
    await c.waitFor((cl) => decisions(cl.outputs()).length > 0 || undefined, 3000, 'pre-turn decision');
    expect(decisions(c.outputs())).toEqual([expect.objectContaining({ outcome_kind: outcome, emitted_by: 'CP-05', reason, phase: 'pre_turn' })]);
    const transitions = c.outputs().filter((o) => o.kind === 'transition').map((o) => (o.transition as { to_state: string }).to_state);
    expect(transitions).toEqual(['Opening', 'Idle']);
    expect(c.outputs().some((o) => o.kind === 'signal' && (o.signal as { signal: string }).signal === 'turn_open')).toBe(false);
    // Session continues: the next proposal is answered too.
    c.send(c.envelopes.proposeTurn('t2'));
    await c.waitFor((cl) => decisions(cl.outputs()).length === 2 || undefined, 3000, 'second decision');
    expect(c.socket.readyState).toBe(c.socket.OPEN);
  });

  test('control plane down: step-5 turn_start_bundle_resolution_failed with the default plan-failure policy (defer); the session continues', async () => {
    const store = new InMemoryLeaseStore();
    cleanups.push(() => store.close());
    const rt = await startRuntime(store, `https://127.0.0.1:${await closedPort()}`);
    const c = await rt.connect('cp-down');
    c.send(c.envelopes.proposeTurn('t1'));
    await c.waitFor((cl) => decisions(cl.outputs()).length > 0 || undefined, 3000, 'pre-turn decision');
    expect(decisions(c.outputs())).toEqual([
      expect.objectContaining({ outcome_kind: 'defer', emitted_by: 'RK-25', reason: 'turn_start_bundle_resolution_failed', phase: 'pre_turn' }),
    ]);
    expect(rt.logger.records.find((r) => r.level === 'warn')?.fields.problem).toMatch(/ECONNREFUSED/);
    c.send(c.envelopes.proposeTurn('t2'));
    await c.waitFor((cl) => decisions(cl.outputs()).length === 2 || undefined, 3000, 'second decision');
    expect(c.socket.readyState).toBe(c.socket.OPEN);
    expect(metricValue(await rt.metrics(), 'rspp_turn_start_requests_total{outcome="failed"}')).toBe(2);
  });

  test('a control plane slower than the turn-start timeout: defer (no retry inside the turn); once it answers in time, turns open', async () => {
    const store = new InMemoryLeaseStore();
    cleanups.push(() => store.close());
    const gate = new Gate();
    const { url } = await startControlPlane(gatedStore(store, gate));
    const rt = await startRuntime(store, url, { turnStartTimeoutMs: 150 });
    const c = await rt.connect('cp-slow');
    gate.close();
    c.send(c.envelopes.proposeTurn('t1'));
    await c.waitFor((cl) => decisions(cl.outputs()).length > 0 || undefined, 3000, 'pre-turn decision');
    expect(decisions(c.outputs())[0]).toMatchObject({ outcome_kind: 'defer', reason: 'turn_start_bundle_resolution_failed' });
    expect(rt.logger.records.find((r) => r.level === 'warn')?.fields.problem).toMatch(/no answer within 150 ms/);
    expect(gate.held).toBe(1);
    gate.open();
    c.send(c.envelopes.proposeTurn('t2'));
    await c.waitForSignal('turn_open', 't2');
  });

  test('a late answer after the session closed is discarded: nothing applied, nothing recorded', async () => {
    const store = new InMemoryLeaseStore();
    cleanups.push(() => store.close());
    const gate = new Gate();
    const { url } = await startControlPlane(gatedStore(store, gate));
    const rt = await startRuntime(store, url, { turnStartTimeoutMs: 5000 });
    const c = await rt.connect('cp-late');
    gate.close();
    c.send(c.envelopes.proposeTurn('t1'));
    await c.waitFor(() => gate.held === 1 || undefined, 3000, 'the control plane holding the request');
    await c.close();
    await c.waitFor(() => rt.server.sessionCount === 0 || undefined, 3000, 'session closed on the server');
    gate.open();
    let exposition = '';
    for (let i = 0; i < 100; i++) {
      exposition = await rt.metrics();
      if (metricValue(exposition, 'rspp_turn_start_requests_total{outcome="discarded"}') === 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(metricValue(exposition, 'rspp_turn_start_requests_total{outcome="discarded"}')).toBe(1);
    expect(metricValue(exposition, 'rspp_turn_start_requests_total{outcome="answered"}')).toBe(1);
    expect(metricValue(exposition, 'rspp_accepted_turns_total')).toBe(0);
    expect(rt.evidence.appended).toBe(0);
  });

  test('measures the turn-open latency the control plane adds (200 turns, loopback mTLS)', async () => {
    const store = new InMemoryLeaseStore();
    cleanups.push(() => store.close());
    const { url } = await startControlPlane(store);
    const measure = async (mode: 'embedded' | 'control-plane') => {
      const rt = await startRuntime(store, url, { turnStartMode: mode, podName: `pod-${mode}` });
      const c = await rt.connect(`latency-${mode}`);
      const samples: number[] = [];
      for (let i = 0; i < 200; i++) {
        const turnId = `t${i}`;
        const startedAt = performance.now();
        c.send(c.envelopes.proposeTurn(turnId));
        await c.waitForSignal('turn_open', turnId);
        samples.push(performance.now() - startedAt);
        c.send(c.envelopes.cancel(turnId));
        await c.waitForSignal('close', turnId);
      }
      samples.sort((a, b) => a - b);
      const rank = (q: number) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)];
      return { p50: rank(0.5), p99: rank(0.99), max: samples[samples.length - 1] };
    };
    const embedded = await measure('embedded');
    const remote = await measure('control-plane');
    const fmt = (r: { p50: number; p99: number; max: number }) => `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(2)} ms`;
    process.stdout.write(`turn-open (client propose → turn_open), 200 turns: embedded ${fmt(embedded)}; control-plane ${fmt(remote)}\n`);
    expect(remote.p50).toBeGreaterThan(0);
  }, 60_000);
});
