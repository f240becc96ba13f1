/**
 * OR-02 Stage B: where the server exports the baseline records its engines emit (one per accepted
 * turn, right after `close`). Appends never block the session (turn-engine.md §9: recording must
 * not block control delivery); `flush()` is awaited once, at the end of drain.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Or02BaselineRecord } from '../../contracts/v1';

export interface EvidenceSink {
  /** Queues one record for export. Synchronous and non-blocking. */
  append(record: Or02BaselineRecord): void;
  /** Resolves when every appended record has been written. */
  flush(): Promise<void>;
}

/**
 * Keeps the newest `capacity` records in memory (the embedded default: `npm start`, tests).
 * @default capacity 1024
 */
export class MemoryEvidenceSink implements EvidenceSink {
  private readonly buffer: Or02BaselineRecord[] = [];
  private appendedCount = 0;

  constructor(private readonly capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`MemoryEvidenceSink: capacity must be an integer >= 1, got ${capacity}`);
  }

  append(record: Or02BaselineRecord): void {
    this.appendedCount++;
    if (this.buffer.length === this.capacity) this.buffer.shift();
    this.buffer.push(record);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Records appended since start (including ones evicted from the buffer). */
  get appended(): number {
    return this.appendedCount;
  }

  /** The retained records, oldest first. */
  records(): readonly Or02BaselineRecord[] {
    return this.buffer;
  }
}

/**
 * Appends records as JSON lines to a file, batched per event-loop turn so a burst of closes costs
 * one write. The file is opened in append mode; parent directories are created.
 */
export class JsonlEvidenceSink implements EvidenceSink {
  private pending: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failure: Error | undefined;

  constructor(private readonly file: string) {
    if (file.trim() === '') throw new Error('JsonlEvidenceSink: file must be a non-empty path');
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  }

  append(record: Or02BaselineRecord): void {
    this.pending.push(JSON.stringify(record));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.writeBatch());
    }
  }

  async flush(): Promise<void> {
    this.writeBatch();
    await this.writing;
    if (this.failure) throw new Error(`evidence export to ${this.file} failed: ${this.failure.message}`);
  }

  private writeBatch(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('\n') + '\n';
    this.pending = [];
    this.writing = this.writing.then(() =>
      fs.promises.appendFile(this.file, chunk, 'utf8').catch((err: Error) => {
        this.failure = err;
      }),
    );
  }
}
