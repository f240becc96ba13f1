import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Or02BaselineRecord } from '../../../../runtime/contracts/v1';
import { JsonlEvidenceSink, MemoryEvidenceSink } from '../../../../runtime/server/evidence/evidence-sink';

const record = (turn: string) => ({ session_id: 's', turn_id: turn }) as unknown as Or02BaselineRecord;

describe('evidence sinks (OR-02 Stage B)', () => {
  test('memory sink keeps the newest records up to its capacity and counts every append', async () => {
    const sink = new MemoryEvidenceSink(2);
    for (const t of ['t1', 't2', 't3']) sink.append(record(t));
    await sink.flush();
    expect(sink.appended).toBe(3);
    expect(sink.records().map((r) => r.turn_id)).toEqual(['t2', 't3']);
    expect(() => new MemoryEvidenceSink(0)).toThrow(/capacity must be an integer >= 1/);
  });

  test('JSON-lines sink appends batched records and flush() waits for the write', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-evidence-'));
    try {
      const file = path.join(dir, 'nested', 'or02.jsonl');
      const sink = new JsonlEvidenceSink(file);
      sink.append(record('t1'));
      sink.append(record('t2'));
      await sink.flush();
      sink.append(record('t3'));
      await sink.flush();
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).turn_id);
      expect(lines).toEqual(['t1', 't2', 't3']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a failed export is reported by flush(), naming the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-evidence-'));
    try {
      const file = path.join(dir, 'or02.jsonl');
      fs.mkdirSync(file); // a directory where the file should be: appendFile fails
      const sink = new JsonlEvidenceSink(file);
      sink.append(record('t1'));
      await expect(sink.flush()).rejects.toThrow(`evidence export to ${file} failed`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
