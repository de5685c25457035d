import { describe, expect, it } from '@jest/globals';
import { tokenExpiry } from './realtime-auth.js';

const jwt = (payload: object) =>
  `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

describe('tokenExpiry', () => {
  it("reads a JWT's exp in ms, with or without the Bearer prefix", () => {
    expect(tokenExpiry(`Bearer ${jwt({ exp: 1_700_000_000 })}`)).toBe(1_700_000_000_000);
    expect(tokenExpiry(jwt({ exp: 1_700_000_000 }))).toBe(1_700_000_000_000);
  });

  it('has none for API keys and anything that is not a JWT with a numeric exp', () => {
    expect(tokenExpiry('Bearer plk_abcdef')).toBeUndefined();
    expect(tokenExpiry(jwt({ sub: 'x' }))).toBeUndefined();
    expect(tokenExpiry(jwt({ exp: 'soon' }))).toBeUndefined();
    expect(tokenExpiry('a.!!!.c')).toBeUndefined();
  });
});
