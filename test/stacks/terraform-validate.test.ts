/**
 * `terraform validate` runs only where the pinned providers are on disk. Here (no network) the real
 * terraform reports `skipped: providers not available`; with a filesystem mirror holding both
 * providers, the init + validate path runs (a stand-in terraform binary records the calls).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HELM_PROVIDER, KUBERNETES_PROVIDER } from '../../stacks/provider-pins';
import { validateTerraformStack, validateTerraformStacks } from '../../stacks/terraform-validate';

const arch = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
let dir: string;
let stackDir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-tfv-'));
  stackDir = path.join(dir, 'out', 'stacks', 'dev');
  fs.mkdirSync(stackDir, { recursive: true });
  fs.writeFileSync(path.join(stackDir, 'cdk.tf.json'), '{}');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function fakeMirror(pins = [KUBERNETES_PROVIDER, HELM_PROVIDER]): string {
  const mirror = path.join(dir, 'mirror');
  for (const pin of pins) fs.mkdirSync(path.join(mirror, 'registry.terraform.io', pin.source, pin.version, arch), { recursive: true });
  return mirror;
}

/** A stand-in terraform: logs its arguments and answers `validate -json` with `report`. */
function fakeTerraform(report: string): { binary: string; log: string } {
  const binary = path.join(dir, 'terraform');
  const log = path.join(dir, 'calls.log');
  fs.writeFileSync(binary, `#!/bin/sh\necho "$@" >> ${log}\nif [ "$1" = validate ]; then printf '%s' '${report}'; fi\nexit 0\n`, { mode: 0o755 });
  return { binary, log };
}

const homeMirrorHasProviders = [KUBERNETES_PROVIDER, HELM_PROVIDER].every((pin) =>
  [process.env.TF_PLUGIN_CACHE_DIR, path.join(os.homedir(), '.terraform.d', 'plugins')].some((root) => root && fs.existsSync(path.join(root, 'registry.terraform.io', pin.source, pin.version, arch))));

(homeMirrorHasProviders ? test.skip : test)('without providers on disk the real terraform reports "skipped: providers not available", not a failure', () => {
  const r = validateTerraformStack(stackDir, { pluginDirs: [path.join(dir, 'empty')] });
  expect(r.status).toBe('skipped');
  expect(r.detail).toMatch(/^(providers not available: hashicorp\/kubernetes 2\.38\.0, hashicorp\/helm 3\.1\.1 not found|terraform not available)/);
});

test('a missing terraform binary is a skip too', () => {
  const r = validateTerraformStack(stackDir, { terraformBinary: path.join(dir, 'no-terraform') });
  expect(r).toMatchObject({ status: 'skipped', detail: expect.stringContaining('terraform not available') });
});

test('one provider missing is named', () => {
  const { binary } = fakeTerraform('{}');
  const r = validateTerraformStack(stackDir, { terraformBinary: binary, pluginDirs: [fakeMirror([KUBERNETES_PROVIDER])] });
  expect(r.status).toBe('skipped');
  expect(r.detail).toContain('hashicorp/helm 3.1.1 not found');
  expect(r.detail).not.toContain('hashicorp/kubernetes');
});

test('with both providers mirrored it runs init (no backend, from the mirror) then validate, and reports the result', () => {
  const mirror = fakeMirror();
  const ok = fakeTerraform('{"valid":true,"diagnostics":[]}');
  expect(validateTerraformStack(stackDir, { terraformBinary: ok.binary, pluginDirs: [mirror] })).toEqual({ stack: 'dev', status: 'passed', detail: '' });
  expect(fs.readFileSync(ok.log, 'utf8').split('\n').filter(Boolean)).toEqual([
    'version',
    `init -backend=false -input=false -no-color -plugin-dir=${mirror}`,
    'validate -json -no-color',
  ]);
});

test('an invalid configuration fails with the diagnostics', () => {
  const bad = fakeTerraform('{"valid":false,"diagnostics":[{"severity":"error","summary":"Unsupported argument","detail":"x is not expected here"}]}');
  const r = validateTerraformStack(stackDir, { terraformBinary: bad.binary, pluginDirs: [fakeMirror()] });
  expect(r).toEqual({ stack: 'dev', status: 'failed', detail: 'error: Unsupported argument (x is not expected here)' });
});

test('validateTerraformStacks covers every stack folder and names a missing synth', () => {
  expect(validateTerraformStacks(path.join(dir, 'out'), { pluginDirs: [] }).map((r) => r.stack)).toEqual(['dev']);
  expect(() => validateTerraformStacks(path.join(dir, 'nothing'))).toThrow(/run npx cdktf synth/);
});
