/**
 * Experience replay for DDPG (SAMP-HDRL step 7): a fixed-capacity ring buffer; once full, each new
 * transition overwrites the oldest. Sampling is uniform WITH replacement over the stored transitions, driven by
 * the caller's seeded random stream (so a run is reproducible).
 */

/** Ring buffer of transitions of type T. */
export class ReplayBuffer<T> {
  private readonly items: T[] = [];
  private next = 0;
  /** total transitions ever pushed */
  pushed = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`replay capacity must be a positive integer, got ${capacity}`);
  }

  /** Number of stored transitions (<= capacity). */
  get size(): number {
    return this.items.length;
  }

  /** Store one transition, evicting the oldest when full. */
  push(x: T): void {
    if (this.items.length < this.capacity) this.items.push(x);
    else this.items[this.next] = x;
    this.next = (this.next + 1) % this.capacity;
    this.pushed++;
  }

  /**
   * Draw `n` transitions uniformly with replacement. `rng` gives floats in [0, 1) (e.g. seedrandom).
   * Throws when the buffer is empty.
   */
  sample(n: number, rng: () => number): T[] {
    const m = this.items.length;
    if (m === 0) throw new RangeError('cannot sample an empty replay buffer');
    const out: T[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = this.items[Math.min(m - 1, Math.floor(rng() * m))]!;
    return out;
  }

  /** Stored transitions from oldest to newest (a copy). */
  toArray(): T[] {
    if (this.items.length < this.capacity) return this.items.slice();
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}
