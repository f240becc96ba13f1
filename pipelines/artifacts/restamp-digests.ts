/**
 * Authoring helper: `npx tsx pipelines/artifacts/restamp-digests.ts [dir]`. After editing a
 * content-addressed artifact, rewrites its `digest:` line to the computed digest and replaces every
 * reference to its old digest in the other YAML files, repeating until nothing changes (a new spec
 * digest changes the bundle, whose new digest changes the rollout...). Text edits only: comments and
 * layout survive. It never invents a reference; it only follows ones that already pointed at the old
 * content. Review the diff and re-run the validator afterwards.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readArtifactFiles } from './artifact-files';
import { defaultPipelinesDir } from './artifact-loader';
import { isDigest } from './canonical-digest';
import { isRecord } from '../schema/check-schema';
import { kindSchema } from '../schema/artifact-schemas';

export function restampDigests(dir: string, log: (line: string) => void = () => undefined): number {
  let changes = 0;
  for (let round = 0; round < 32; round++) {
    const files = readArtifactFiles(dir);
    const stale = files.find((f) => {
      const v = f.value;
      return isRecord(v) && typeof v.kind === 'string' && kindSchema(v.kind)?.contentAddressed && f.digest && v.digest !== f.digest;
    });
    if (!stale) return changes;
    const oldDigest = (stale.value as Record<string, unknown>).digest;
    const newDigest = stale.digest!;
    const text = fs.readFileSync(stale.absPath, 'utf8');
    const stamped = /^digest: .*$/m.test(text) ? text.replace(/^digest: .*$/m, `digest: ${newDigest}`) : text.replace(/^(name: .*)$/m, `$1\ndigest: ${newDigest}`);
    fs.writeFileSync(stale.absPath, stamped);
    log(`${stale.file}: digest ${newDigest}`);
    changes++;
    if (isDigest(oldDigest)) {
      for (const other of files) {
        if (other.absPath === stale.absPath) continue;
        const body = fs.readFileSync(other.absPath, 'utf8');
        if (!body.includes(oldDigest)) continue;
        fs.writeFileSync(other.absPath, body.split(oldDigest).join(newDigest));
        log(`${other.file}: reference ${oldDigest} -> ${newDigest}`);
      }
    }
  }
  throw new Error('restampDigests: digests did not settle after 32 rounds (a reference cycle?)');
}

if (require.main === module) {
  const dir = path.resolve(process.argv[2] ?? defaultPipelinesDir());
  const n = restampDigests(dir, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`restamp-digests: ${n} artifact(s) restamped under ${dir}\n`);
}
