/** Fixed-capacity FIFO of numbers; `push` returns the value it evicted, if any. */
export class RingBuffer {
  private readonly items: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(value: number): number | undefined {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count++) % this.capacity] = value;
      return undefined;
    }
    const evicted = this.items[this.start];
    this.items[this.start] = value;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** Oldest first. */
  at(index: number): number {
    return this.items[(this.start + index) % this.capacity] ?? Number.NaN;
  }

  toArray(): number[] {
    return Array.from({ length: this.count }, (_, i) => this.at(i));
  }
}
