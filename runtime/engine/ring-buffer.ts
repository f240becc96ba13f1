/**
 * Fixed-capacity FIFO over preallocated slots: push/shift never allocate, and shifted slots are
 * cleared so the buffer holds no reference to an item it no longer owns.
 */
export class RingBuffer<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`RingBuffer capacity must be an integer >= 1, got ${capacity}`);
    }
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count === this.capacity;
  }

  /** Append; returns false (and stores nothing) when full. */
  push(item: T): boolean {
    if (this.count === this.capacity) return false;
    let tail = this.head + this.count;
    if (tail >= this.capacity) tail -= this.capacity;
    this.slots[tail] = item;
    this.count++;
    return true;
  }

  /** Remove and return the oldest item. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.count--;
    return item;
  }

  /** The item at position `i` from the oldest (0) without removing it. */
  peek(i = 0): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    let at = this.head + i;
    if (at >= this.capacity) at -= this.capacity;
    return this.slots[at];
  }

  /** Physical slot index of logical position `i` (for parallel typed arrays). */
  slotOf(i: number): number {
    const at = this.head + i;
    return at >= this.capacity ? at - this.capacity : at;
  }

  /** Physical slot the next `push` will use. */
  nextSlot(): number {
    const at = this.head + this.count;
    return at >= this.capacity ? at - this.capacity : at;
  }

  /** Physical slot of the oldest item. */
  headSlot(): number {
    return this.head;
  }

  clear(): void {
    for (let i = 0; i < this.count; i++) this.slots[this.slotOf(i)] = undefined;
    this.head = 0;
    this.count = 0;
  }
}
