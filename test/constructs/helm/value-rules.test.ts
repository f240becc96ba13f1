/**
 * Issue #13 item 4: cross-field value rules fail at `helm template` (the real helm binary) with the
 * fix, instead of reaching the API server or cert-manager's webhook.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emitHelmCharts, EmittedHelmCharts } from '../../../constructs/helm/emit-helm-charts';
import { loadEnvironment } from '../../../envs/load-environment';
import { helm } from './helm-harness';

let dir: string;
let emitted: EmittedHelmCharts;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-value-rules-'));
  emitted = emitHelmCharts(loadEnvironment('prod', { builtImageFile: false }), path.join(dir, 'prod'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const template = (...set: string[]) => helm(['template', 'rspp-prod', emitted.chartDir, ...set.flatMap((s) => ['--set', s])]);

test('the default values pass, and the rules file renders no object', () => {
  const r = template();
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).not.toMatch(/validate-values/);
});

test.each([
  [['rspp-runtime.replicas.min=30', 'rspp-runtime.replicas.max=20'], /values: replicas.min \(30\) must be <= replicas.max \(20\): the API server refuses an HPA whose minReplicas is above maxReplicas: lower replicas.min or raise replicas.max/],
  [['issuer.renewBefore=2160h', 'issuer.certificateDuration=2160h'], /values: issuer.renewBefore \(2160h\) must be < issuer.certificateDuration \(2160h\): cert-manager refuses .*make issuer.renewBefore shorter/],
  [['issuer.renewBefore=90h', 'issuer.certificateDuration=3d'], /certificateDuration/], // the schema catches the format first
  [['issuer.renewBefore=1h30m', 'issuer.certificateDuration=90m'], /values: issuer.renewBefore \(1h30m\) must be < issuer.certificateDuration \(90m\)/],
])('%j fails with the fix', (set, message) => {
  const r = template(...set);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(message);
});

test.each([
  [['rspp-runtime.replicas.min=20', 'rspp-runtime.replicas.max=20']],
  [['issuer.renewBefore=1h29m', 'issuer.certificateDuration=90m']],
])('%j passes (the boundary)', (set) => {
  const r = template(...set);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
