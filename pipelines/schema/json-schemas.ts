/**
 * The published JSON Schemas (`schemas/*.json` in the package): one per pipeline artifact kind and
 * one for the contracts v1 kinds, generated from the same TypeBox schemas the validator and the
 * strict decoder use. Editors read them through the `# yaml-language-server: $schema=…` line atop
 * every artifact YAML (completion, red squiggles) before `npm run pipelines:validate` runs.
 *
 *   npm run schemas            regenerate schemas/*.json
 *   npm run schemas -- --check exit 1 if a file is stale (a test does the same)
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONTRACT_SCHEMAS_V1, CONTRACTS_SCHEMA_VERSION } from '../../runtime/contracts/v1';
import { ARTIFACT_KINDS } from './artifact-schemas';
import type { ArtifactKindName } from './schema-language';

export const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';

/** `schemas/<file>` of an artifact kind. */
export function artifactSchemaFile(kind: ArtifactKindName): string {
  return `${kind}.schema.json`;
}

export const CONTRACTS_SCHEMA_FILE = 'contracts-v1.schema.json';

/** The first line of an artifact YAML at `relFile` (relative to the pipelines directory), for editors. */
export function yamlSchemaLine(kind: ArtifactKindName, relFile: string): string {
  const depth = relFile.split('/').length; // pipelines/<folder>/<file> → ../../schemas
  return `# yaml-language-server: $schema=${'../'.repeat(depth)}schemas/${artifactSchemaFile(kind)}`;
}

/** A TypeBox schema as plain JSON (its symbols and rule functions are not data). */
function plain(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/** Every published file name → its text. */
export function publishedSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  const text = (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`;
  for (const kind of ARTIFACT_KINDS) {
    files.set(
      artifactSchemaFile(kind.kind),
      text({ $schema: JSON_SCHEMA_DIALECT, title: `RSPP ${kind.kind} artifact (pipelines/${kind.folder}/)`, ...plain(kind.schema) }),
    );
  }
  const defs = Object.fromEntries(Object.entries(CONTRACT_SCHEMAS_V1).map(([k, s]) => [k, plain(s)]));
  files.set(
    CONTRACTS_SCHEMA_FILE,
    text({
      $schema: JSON_SCHEMA_DIALECT,
      title: `RSPP contracts ${CONTRACTS_SCHEMA_VERSION}`,
      description: 'One definition per contract kind; cross-field rules are listed as x-rules (id, params) and enforced by the strict decoder.',
      definitions: defs,
    }),
  );
  return files;
}

export function defaultSchemasDir(): string {
  return path.resolve(__dirname, '..', '..', 'schemas');
}

/** File names in `dir` that differ from (or are missing against) the generated schemas. */
export function staleSchemaFiles(dir: string): string[] {
  const expected = publishedSchemas();
  const stale = [...expected].filter(([name, body]) => !fs.existsSync(path.join(dir, name)) || fs.readFileSync(path.join(dir, name), 'utf8') !== body).map(([n]) => n);
  const unknown = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.json') && !expected.has(n)) : [];
  return [...stale, ...unknown];
}

export function writeSchemas(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, body] of publishedSchemas()) {
    const file = path.join(dir, name);
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === body) continue;
    fs.writeFileSync(file, body);
    written.push(name);
  }
  return written;
}

if (require.main === module) {
  const dir = defaultSchemasDir();
  if (process.argv.includes('--help')) {
    process.stdout.write('usage: npm run schemas [-- --check]\n  writes schemas/*.json from the TypeBox schemas (pipeline artifact kinds, contracts v1); --check exits 1 if a file is stale\n');
  } else if (process.argv.includes('--check')) {
    const stale = staleSchemaFiles(dir);
    if (stale.length > 0) {
      process.stderr.write(`schemas/ is stale: ${stale.join(', ')}; run \`npm run schemas\`\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write('schemas/ is current\n');
    }
  } else {
    const written = writeSchemas(dir);
    process.stdout.write(`schemas/: ${written.length} file(s) written${written.length ? `: ${written.join(', ')}` : ''}\n`);
  }
}
