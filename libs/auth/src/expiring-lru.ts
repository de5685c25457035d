/**
 * A map with a size cap and a lifetime per entry: past `max` entries the least recently used goes,
 * so a flood of distinct keys (random API keys, client addresses) cannot grow memory without bound.
 * Expired entries are dropped when read, or when the cap evicts them.
 */
export class ExpiringLru<K, V> {
  // A Map iterates in insertion order; re-inserting on every hit keeps the oldest first.
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`An LRU needs a cap of at least 1, not ${max}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The live value, or undefined when there is none or it expired. */
  get(key: K, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= now) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, ttlMs: number, now = Date.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until: now + ttlMs });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
