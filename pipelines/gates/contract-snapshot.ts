/**
 * Frozen contract schema sets. Release N-1's contracts are kept as a JSON snapshot: the JSON Schema
 * documents of its contracts (cross-field rules are in them as `x-rules`, id and parameters, which is
 * all the compatibility checker compares), so release N can be checked against what N-1 shipped.
 *
 * `npx tsx pipelines/gates/contract-snapshot.ts <out.json>` freezes the live contracts: run it when a
 * release is cut, to make that release the next N-1.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONTRACT_SCHEMA_SET_V1, encodeCanonical, type ContractSchemaSet, type JsonSchemaDoc } from '../../runtime/contracts/v1';
import { isRecord } from '../schema/check-schema';
import { writeFileAtomic } from './atomic-write';

/** The JSON form of a schema set (rule `check` functions and TypeBox's symbols are not data and are left out). */
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
  const schemas: Record<string, JsonSchemaDoc> = {};
  for (const [kind, schema] of Object.entries(parsed.schemas)) {
    if (!isRecord(schema) || schema.type !== 'object' || !isRecord(schema.properties)) {
      throw new Error(`contract snapshot '${file}': schemas.${kind} is not a JSON Schema object document; regenerate it with contract-snapshot.ts`);
    }
    schemas[kind] = schema as JsonSchemaDoc;
  }
  return { version: parsed.version, schemas };
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
