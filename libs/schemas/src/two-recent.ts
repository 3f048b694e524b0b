/**
 * Remembers a pure function's results for the two keys asked for most recently: a gateway's
 * envelopes alternate between a receive time and an event time, which a one-entry memo misses
 * every time.
 */
export class TwoRecent<K, V> {
  private readonly keys: [K | undefined, K | undefined] = [undefined, undefined];
  private readonly values: [V | undefined, V | undefined] = [undefined, undefined];
  private last = 0;

  constructor(private readonly compute: (key: K) => V) {}

  get(key: K): V {
    if (this.keys[this.last] === key) return this.values[this.last] as V;
    const other = 1 - this.last;
    if (this.keys[other] !== key) {
      this.values[other] = this.compute(key);
      this.keys[other] = key;
    }
    this.last = other;
    return this.values[other] as V;
  }
}
