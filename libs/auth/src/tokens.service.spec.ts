import { jest } from '@jest/globals';
import type { ResolvedConfig } from '@plinth/core';
import { SignJWT } from 'jose';
import { deriveKey, TokensService } from './tokens.service.js';

const SECRET = 'a-test-secret-of-enough-length-0123456789';
const config = (ttl: number) =>
  ({ secret: SECRET, auth: { accessTokenTtlSeconds: ttl } }) as unknown as ResolvedConfig;

describe('TokensService.verify', () => {
  afterEach(() => jest.useRealTimers());

  it('accepts its own tokens, again and again', async () => {
    const tokens = new TokensService(config(60));
    const token = await tokens.sign({ typ: 'auth', sub: 'u1', col: 'c1', tk: 'fp' });
    expect(await tokens.verify(token)).toMatchObject({ typ: 'auth', sub: 'u1', col: 'c1', tk: 'fp' });
    expect(await tokens.verify(token)).toMatchObject({ sub: 'u1' });
  });

  it('refuses a remembered token once it expired', async () => {
    const tokens = new TokensService(config(60));
    const token = await tokens.sign({ typ: 'admin', sub: 'a1', tk: 'fp' });
    expect(await tokens.verify(token)).not.toBeNull();
    // Only the clock moves (jose reads it through new Date()).
    jest.useFakeTimers({
      now: Date.now() + 61_000,
      doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'],
    });
    expect(await tokens.verify(token)).toBeNull();
    expect(await tokens.verify(token)).toBeNull();
  });

  it('refuses a token changed by one character, and one signed with another key', async () => {
    const tokens = new TokensService(config(60));
    const token = await tokens.sign({ typ: 'auth', sub: 'u1', col: 'c1', tk: 'fp' });
    await tokens.verify(token);
    const [h, p, sig] = token.split('.');
    const flipped = `${h}.${p}.${sig!.slice(0, -1)}${sig!.endsWith('A') ? 'B' : 'A'}`;
    expect(await tokens.verify(flipped)).toBeNull();
    const foreign = await new SignJWT({ typ: 'auth', col: 'c1', tk: 'fp' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setExpirationTime('1m')
      .sign(deriveKey('another-secret-of-enough-length-0123456789', 'plinth access token'));
    expect(await tokens.verify(foreign)).toBeNull();
  });

  it('refuses a token without an expiry', async () => {
    const tokens = new TokensService(config(60));
    const noExp = await new SignJWT({ typ: 'auth', col: 'c1', tk: 'fp' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .sign(deriveKey(SECRET, 'plinth access token'));
    expect(await tokens.verify(noExp)).toBeNull();
  });
});
