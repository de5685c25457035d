import { describe, expect, it } from '@jest/globals';
import { ExpiringLru } from './expiring-lru.js';

describe('ExpiringLru', () => {
  it('never holds more than its cap, however many keys arrive', () => {
    const lru = new ExpiringLru<string, number>(100);
    for (let i = 0; i < 10_000; i++) lru.set(`k${i}`, i, 60_000);
    expect(lru.size).toBe(100);
    // The newest stay, the oldest went.
    expect(lru.get('k9999')).toBe(9999);
    expect(lru.get('k9900')).toBe(9900);
    expect(lru.get('k9899')).toBeUndefined();
  });

  it('evicts the least recently used, not the least recently set', () => {
    const lru = new ExpiringLru<string, string>(2);
    lru.set('a', 'A', 1000, 0);
    lru.set('b', 'B', 1000, 0);
    expect(lru.get('a', 1)).toBe('A');
    lru.set('c', 'C', 1000, 2);
    expect(lru.get('b', 3)).toBeUndefined();
    expect(lru.get('a', 3)).toBe('A');
    expect(lru.get('c', 3)).toBe('C');
  });

  it('forgets an entry once its lifetime is over, and drops it', () => {
    const lru = new ExpiringLru<string, boolean>(10);
    lru.set('short', false, 100, 1000);
    lru.set('long', true, 10_000, 1000);
    expect(lru.get('short', 1099)).toBe(false);
    expect(lru.get('short', 1100)).toBeUndefined();
    expect(lru.size).toBe(1);
    expect(lru.get('long', 1100)).toBe(true);
  });

  it('replaces a value with a new lifetime, deletes and clears', () => {
    const lru = new ExpiringLru<string, number>(10);
    lru.set('a', 1, 10, 0);
    lru.set('a', 2, 1000, 5);
    expect(lru.size).toBe(1);
    expect(lru.get('a', 500)).toBe(2);
    lru.delete('a');
    expect(lru.get('a', 500)).toBeUndefined();
    lru.set('b', 1, 10, 0);
    lru.clear();
    expect(lru.size).toBe(0);
  });

  it('refuses a cap that is not a positive whole number', () => {
    expect(() => new ExpiringLru(0)).toThrow();
    expect(() => new ExpiringLru(1.5)).toThrow();
  });
});
