import { jest } from '@jest/globals';
import { isUuidV7, newId } from './ids.js';

describe('newId', () => {
  afterEach(() => jest.restoreAllMocks());

  it('makes distinct UUIDv7s that sort in the order they were made, past a pool refill', () => {
    const ids = Array.from({ length: 2000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => isUuidV7(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps the order within one millisecond and starts the next millisecond higher', () => {
    const now = Date.now() + 10_000;
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
    const same = Array.from({ length: 300 }, () => newId());
    expect([...same].sort()).toEqual(same);
    expect(new Set(same.map((id) => id.slice(0, 13))).size).toBe(1);
    clock.mockReturnValue(now + 1);
    const next = newId();
    expect(next > same.at(-1)!).toBe(true);
    expect(parseInt(next.replace(/-/g, '').slice(0, 12), 16)).toBe(now + 1);
  });
});
