/**
 * Frozen contract schema sets. Release N-1's contracts are kept as a JSON snapshot (schemas are
 * data; cross-field rules are kept by id and parameters, which is all the compatibility checker
 * compares), so release N can be checked against what N-1 actually shipped.
 *
 * `npx tsx pipelines/gates/contract-snapshot.ts <out.json>` freezes the live contracts: run it when a
 * release is cut, to make that release the next N-1.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONTRACT_SCHEMA_SET_V1, encodeCanonical, type ContractSchemaSet, type ObjectSchema } from '../../runtime/contracts/v1';
import { isRecord } from '../schema/check-schema';
import { writeFileAtomic } from './atomic-write';

/** The JSON form of a schema set (rule `check` functions are not data and are left out). */
export function snapshotContracts(set: ContractSchemaSet): string {
  const plain = JSON.parse(JSON.stringify(set, (_key, value: unknown) => (typeof value === 'function' ? undefined : value))) as unknown;
  return `${JSON.stringify(JSON.parse(encodeCanonical(plain)), null, 2)}\n`;
}

/** Reads a snapshot back as a schema set the compatibility checker accepts. */
export function readContractSnapshot(file: string): ContractSchemaSet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`contract snapshot '${file}' cannot be read: ${(e as Error).message}`);
  }
  if (!isRecord(parsed) || typeof parsed.version !== 'string' || !isRecord(parsed.schemas)) {
    throw new Error(`contract snapshot '${file}' is not a schema set ({version, schemas}); regenerate it with contract-snapshot.ts`);
  }
  const schemas: Record<string, ObjectSchema> = {};
  for (const [kind, schema] of Object.entries(parsed.schemas)) schemas[kind] = withInertRules(schema) as ObjectSchema;
  return { version: parsed.version, schemas };
}

/** Rules come back with a `check` that passes: a snapshot is compared, never decoded with. */
function withInertRules(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withInertRules);
  if (!isRecord(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = withInertRules(v);
  if (schema.kind === 'object' && Array.isArray(schema.rules)) {
    out.rules = schema.rules.map((r) => ({ ...(r as Record<string, unknown>), check: () => undefined }));
  }
  return out;
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: npx tsx pipelines/gates/contract-snapshot.ts <out.json>\n');
    process.exitCode = 2;
  } else {
    writeFileAtomic(path.resolve(out), snapshotContracts(CONTRACT_SCHEMA_SET_V1));
    process.stdout.write(`froze contracts ${CONTRACT_SCHEMA_SET_V1.version} into ${out}\n`);
  }
}
