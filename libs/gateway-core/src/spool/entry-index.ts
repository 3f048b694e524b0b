const MIN_CAPACITY = 1024;

/**
 * The spool's in-memory index: a FIFO of (writtenAt, bytes), one per unread record, in typed
 * arrays. That is 12 bytes a record where an object each took about 50, so a spool of millions
 * of records (1 GiB of small readings) costs tens of MB of heap, not hundreds.
 */
export class EntryIndex {
  private writtenAt = new Float64Array(MIN_CAPACITY);
  private sizes = new Uint32Array(MIN_CAPACITY);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(writtenAt: number, bytes: number): void {
    if (this.count === this.sizes.length) this.resize(this.sizes.length * 2);
    const at = (this.head + this.count) % this.sizes.length;
    this.writtenAt[at] = writtenAt;
    this.sizes[at] = bytes;
    this.count++;
  }

  /** writtenAt of the i-th oldest entry. */
  writtenAtOf(i: number): number {
    return this.writtenAt[(this.head + i) % this.sizes.length];
  }

  /** Size of the i-th oldest entry. */
  bytesOf(i: number): number {
    return this.sizes[(this.head + i) % this.sizes.length];
  }

  /** Removes the oldest entry and returns its size. */
  shift(): number {
    if (this.count === 0) throw new Error('EntryIndex is empty');
    const bytes = this.sizes[this.head];
    this.head = (this.head + 1) % this.sizes.length;
    this.count--;
    // Give memory back once a large backlog has drained.
    if (this.sizes.length > MIN_CAPACITY && this.count < this.sizes.length / 4) this.resize(this.sizes.length / 2);
    return bytes;
  }

  private resize(capacity: number): void {
    const writtenAt = new Float64Array(capacity);
    const sizes = new Uint32Array(capacity);
    for (let i = 0; i < this.count; i++) {
      writtenAt[i] = this.writtenAtOf(i);
      sizes[i] = this.bytesOf(i);
    }
    this.writtenAt = writtenAt;
    this.sizes = sizes;
    this.head = 0;
  }
}
