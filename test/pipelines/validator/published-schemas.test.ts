/**
 * The published JSON Schemas (`schemas/*.json`): current with their TypeBox source, referenced from
 * the top of every artifact YAML, accepted by a standard JSON Schema validator (Ajv, draft-07), which
 * accepts every shipped artifact and rejects every broken one. The TypeBox checker reports the same
 * problems (path, code, message, fix) as the former interpreter on the same broken artifacts.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { checkSchema } from '../../../pipelines/schema/check-schema';
import { kindSchema } from '../../../pipelines/schema/artifact-schemas';
import { artifactSchemaFile, CONTRACTS_SCHEMA_FILE, defaultSchemasDir, staleSchemaFiles, yamlSchemaLine } from '../../../pipelines/schema/json-schemas';
import { SessionEnvelopes } from '../../../runtime/server/client/session-envelopes';
import { SCHEMA_FIXTURE_FILES, SCHEMA_MUTATIONS } from './schema-mutations';

const PIPELINES = path.resolve(__dirname, '..', '..', '..', 'pipelines');
const SCHEMAS = defaultSchemasDir();
/** Per fixture: the artifact as shipped when recorded (frozen here, so later edits of the shipped file do not move it) and the problems per mutation. */
const golden = JSON.parse(fs.readFileSync(path.join(__dirname, 'schema-problems.golden.json'), 'utf8')) as Record<string, { base: { kind: string }; problems: Record<string, string[][]> }>;

function yamlFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? yamlFiles(dir, r) : e.name.endsWith('.yaml') ? [r] : [];
  });
}

const ajv = new Ajv({ strict: false, allErrors: true });
const readSchema = (name: string) => JSON.parse(fs.readFileSync(path.join(SCHEMAS, name), 'utf8')) as Record<string, unknown>;
const artifactValidator = (kind: string) => ajv.getSchema(kind) ?? (ajv.addSchema(readSchema(artifactSchemaFile(kind as never)), kind), ajv.getSchema(kind)!);

describe('published JSON Schemas', () => {
  test('schemas/ is current with the TypeBox source (run `npm run schemas` after a schema change)', () => {
    expect(staleSchemaFiles(SCHEMAS)).toEqual([]);
  });

  const shipped = yamlFiles(PIPELINES);
  test('there are shipped artifacts to check', () => expect(shipped.length).toBeGreaterThanOrEqual(10));

  test.each(shipped)('%s starts with its yaml-language-server schema line and the published schema accepts it', (rel) => {
    const text = fs.readFileSync(path.join(PIPELINES, rel), 'utf8');
    const artifact = parse(text) as { kind: never };
    const first = text.split('\n')[0];
    expect(first).toBe(yamlSchemaLine(artifact.kind, rel));
    expect(fs.existsSync(path.resolve(PIPELINES, path.dirname(rel), first.split('$schema=')[1]))).toBe(true);
    const validate = artifactValidator(artifact.kind);
    expect({ rel, valid: validate(artifact), errors: validate.errors ?? null }).toEqual({ rel, valid: true, errors: null });
  });

  describe.each(SCHEMA_FIXTURE_FILES)('%s, broken one way at a time', (rel) => {
    const base = golden[rel].base;
    test.each(SCHEMA_MUTATIONS.map(([name, edit]) => [name, edit] as const))('%s: same problems as before; the JSON Schema agrees', (name, edit) => {
      const broken = structuredClone(base);
      edit(broken);
      const problems = checkSchema(broken, kindSchema(base.kind)!.schema)
        .map((v) => [v.path.join('.'), v.code, v.message, v.fix])
        .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
      expect(problems).toEqual(golden[rel].problems[name]);
      // Ajv sees all but list items duplicated by one field (x-unique-by has no JSON Schema keyword).
      const validate = artifactValidator(base.kind);
      const onlyUniqueBy = problems.length > 0 && problems.every((p) => p[1] === 'schema.duplicate' && /^duplicate id /.test(p[2]));
      if (!onlyUniqueBy) expect({ name, valid: validate(broken) }).toEqual({ name, valid: problems.length === 0 });
    });
  });

  test('the contracts schema accepts a valid envelope and rejects an unknown field and a bad enum member', () => {
    const contracts = readSchema(CONTRACTS_SCHEMA_FILE) as { definitions: Record<string, object> };
    const validate = ajv.compile(contracts.definitions.EventRecord);
    const event = new SessionEnvelopes('s1', 3, 'simple@v1', () => 1_000).data('t1');
    expect(validate(event)).toBe(true);
    expect(validate({ ...event, colour: 'red' })).toBe(false);
    expect(validate({ ...event, lane: 'FastLane' })).toBe(false);
    expect(Object.keys(contracts.definitions)).toContain('TurnStartBundle');
  });
});
