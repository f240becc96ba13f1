/**
 * Issue #13 item 1: `npm run synth` never deletes a file it did not write. Terraform state,
 * `.terraform.lock.hcl` and `.terraform/` in a stack folder survive a synth; `--env prod` leaves the
 * other envs' stacks alone; the local backend keeps its state outside the synth output, in a
 * git-ignored folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadEnvironment } from '../../envs/load-environment';
import { main } from '../../stacks/synth-all';
import { synthTerraform } from '../../stacks/terraform-app';

const REPO = path.resolve(__dirname, '..', '..');
let tmp: string;
let log: jest.SpyInstance;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-keep-state-'));
  log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  log.mockRestore();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Files Terraform itself writes into a stack folder on init/apply. */
function plantTerraformFiles(stackDir: string): Record<string, string> {
  const planted: Record<string, string> = {
    'terraform.dev.tfstate': '{"version":4,"serial":7}',
    '.terraform.lock.hcl': '# provider locks\n',
    '.terraform/providers/registry.terraform.io/hashicorp/helm/marker': 'x',
    '.terraform/terraform.tfstate': '{"backend":{}}',
  };
  for (const [file, content] of Object.entries(planted)) {
    fs.mkdirSync(path.dirname(path.join(stackDir, file)), { recursive: true });
    fs.writeFileSync(path.join(stackDir, file), content);
  }
  return planted;
}

test('state, lock file and .terraform/ in a stack folder survive a second synth', () => {
  const out = path.join(tmp, 'cdktf.out');
  const options = { environments: [loadEnvironment('dev', { builtImageFile: false })], distDir: path.join(tmp, 'dist'), stateDir: path.join(tmp, '.terraform-state') };
  synthTerraform(out, options);
  const stackDir = path.join(out, 'stacks', 'dev');
  const planted = plantTerraformFiles(stackDir);
  const before = fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8');
  synthTerraform(out, options);
  for (const [file, content] of Object.entries(planted)) expect(fs.readFileSync(path.join(stackDir, file), 'utf8')).toBe(content);
  expect(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')).toBe(before);
  // and no staging folder is left beside the output
  expect(fs.readdirSync(tmp).filter((f) => f.startsWith('.cdktf-staging-'))).toEqual([]);
});

test('the local backend keeps state outside the synth output, in a git-ignored folder', () => {
  const out = path.join(tmp, 'cdktf.out');
  const stateDir = path.join(tmp, '.terraform-state');
  const result = synthTerraform(out, { environments: [loadEnvironment('dev', { builtImageFile: false })], distDir: path.join(tmp, 'dist'), stateDir });
  const json = JSON.parse(fs.readFileSync(result.stackFiles.dev, 'utf8'));
  const statePath = path.resolve(path.dirname(result.stackFiles.dev), json.terraform.backend.local.path);
  expect(statePath).toBe(path.join(stateDir, 'terraform.dev.tfstate'));
  expect(path.relative(out, statePath).startsWith('..')).toBe(true);
  // the default folder is the project's `.terraform-state/`, which git ignores
  const ignored = fs.readFileSync(path.join(REPO, '.gitignore'), 'utf8').split('\n');
  expect(ignored).toContain('.terraform-state/');
});

test('`npm run synth -- --env prod` leaves the other envs\' stacks (and their state) alone', () => {
  const out = path.join(tmp, 'dist');
  const tfOut = path.join(tmp, 'cdktf.out');
  expect(main(['--env', 'dev,stage', '--out', out, '--tf-out', tfOut, '--no-built-image', '--skip-lint'])).toBe(0);
  const devStack = path.join(tfOut, 'stacks', 'dev');
  const planted = plantTerraformFiles(devStack);
  const devJson = fs.readFileSync(path.join(devStack, 'cdk.tf.json'), 'utf8');
  const stageJson = fs.readFileSync(path.join(tfOut, 'stacks', 'stage', 'cdk.tf.json'), 'utf8');

  expect(main(['--env', 'prod', '--out', out, '--tf-out', tfOut, '--no-built-image', '--skip-lint'])).toBe(0);
  expect(fs.readFileSync(path.join(devStack, 'cdk.tf.json'), 'utf8')).toBe(devJson);
  expect(fs.readFileSync(path.join(tfOut, 'stacks', 'stage', 'cdk.tf.json'), 'utf8')).toBe(stageJson);
  for (const [file, content] of Object.entries(planted)) expect(fs.readFileSync(path.join(devStack, file), 'utf8')).toBe(content);
  expect(fs.existsSync(path.join(tfOut, 'stacks', 'prod', 'cdk.tf.json'))).toBe(true);
  const manifest = JSON.parse(fs.readFileSync(path.join(tfOut, 'manifest.json'), 'utf8'));
  expect(Object.keys(manifest.stacks).sort()).toEqual(['dev', 'prod', 'stage']);
  // the other envs' manifests and charts are left alone too
  for (const env of ['dev', 'stage']) expect(fs.existsSync(path.join(out, env, 'k8s'))).toBe(true);
});
