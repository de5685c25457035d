import { describe, expect, it } from '@jest/globals';
import { Slots } from './slots.js';

describe('Slots', () => {
  it('grants up to its size at once, then hands a released slot to the first waiter', async () => {
    const slots = new Slots(2);
    const a = await slots.take(1000);
    const b = await slots.take(1000);
    expect(a).toEqual(expect.any(Function));
    expect(b).toEqual(expect.any(Function));
    const order: string[] = [];
    const c = slots.take(1000).then((r) => (order.push('c'), r));
    const d = slots.take(1000).then((r) => (order.push('d'), r));
    (a as () => void)();
    expect(await c).toEqual(expect.any(Function));
    (b as () => void)();
    expect(await d).toEqual(expect.any(Function));
    expect(order).toEqual(['c', 'd']);
  });

  it('answers false to a waiter when no slot comes free in time, and forgets it', async () => {
    const slots = new Slots(1);
    const held = (await slots.take(1000)) as () => void;
    expect(await slots.take(20)).toBe(false);
    held();
    // The slot went back to the pool, not to the waiter that gave up.
    expect(await slots.take(0)).toEqual(expect.any(Function));
  });

  it('counts a release once, however often it is called', async () => {
    const slots = new Slots(1);
    const release = (await slots.take(1000)) as () => void;
    release();
    release();
    const first = await slots.take(1000);
    expect(first).toEqual(expect.any(Function));
    expect(await slots.take(20)).toBe(false);
  });
});
