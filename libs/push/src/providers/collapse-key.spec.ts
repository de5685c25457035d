import { describe, expect, it } from '@jest/globals';
import { collapseKeyOf } from './collapse-key.js';

describe('collapseKeyOf', () => {
  it('gives a UUID message id its 32 hex digits', () => {
    expect(collapseKeyOf('01a2513e-5de4-751f-92e9-f240990b7401')).toBe('01a2513e5de4751f92e9f240990b7401');
  });

  it('hashes any other id to 32 URL-safe characters, the same each time', () => {
    const key = collapseKeyOf('a message id that is much longer than thirty-two characters');
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(collapseKeyOf('a message id that is much longer than thirty-two characters')).toBe(key);
    expect(collapseKeyOf('x/y')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
