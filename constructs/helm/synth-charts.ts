/**
 * `npm run synth:charts [env...]`: writes `dist/<env>/charts/rspp-platform` for each env (all three
 * by default) and prints where each value landed and which fields are computed at generation time.
 */
import * as path from 'path';
import { loadAllEnvironments, loadEnvironment } from '../../envs/load-environment';
import { BUILT_IMAGE_FILE } from '../../envs/runtime-image';
import { emitHelmCharts } from './emit-helm-charts';
import { formatJsonPath } from './tunable-locator';

const names = process.argv.slice(2);
if (names.includes('--help') || names.includes('-h')) {
  console.log('usage: synth:charts [dev|stage|prod]...\n  writes dist/<env>/charts/rspp-platform for each env (default: all), with the image of dist/image/runtime.json when it exists');
  process.exit(0);
}
// This repository's own chart build: the image `npm run image` built here, when there is one.
const options = { builtImageFile: path.resolve(BUILT_IMAGE_FILE) };
const environments = names.length > 0 ? names.map((name) => loadEnvironment(name, options)) : loadAllEnvironments(options);
for (const env of environments) {
  const started = process.hrtime.bigint();
  const result = emitHelmCharts(env, path.join('dist', env.name));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${env.name}: ${path.relative(process.cwd(), result.chartDir)} (${result.objects.length} objects, ${result.written.length} files, ${ms.toFixed(0)} ms)`);
  console.log(`  values: ${result.placed.map((p) => (p.scope === 'rspp-platform' ? p.tunable.key : `${p.scope}.${p.tunable.key}`)).join(', ')}`);
  for (const d of result.derived) console.log(`  computed at generation: ${d.objectId} ${formatJsonPath(d.path)} (from ${d.dependsOn.join(', ')})`);
}
