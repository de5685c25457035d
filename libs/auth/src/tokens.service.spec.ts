import { jest } from '@jest/globals';
import type { ResolvedConfig } from '@plinth/core';
import { SignJWT } from 'jose';
import { deriveKey, TokensService } from './tokens.service.js';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
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

  it('refuses a token whose signature differs in any one bit, and one signed with another key', async () => {
    const tokens = new TokensService(config(60));
    const token = await tokens.sign({ typ: 'auth', sub: 'u1', col: 'c1', tk: 'fp' });
    await tokens.verify(token);
    const [h, p, sig] = token.split('.');
    const bytes = Buffer.from(sig!, 'base64url');
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const tampered = Buffer.from(bytes);
      tampered[bit >> 3]! ^= 1 << (bit & 7);
      expect({ bit, claims: await tokens.verify(`${h}.${p}.${tampered.toString('base64url')}`) }).toEqual({
        bit,
        claims: null,
      });
    }
    const foreign = await new SignJWT({ typ: 'auth', col: 'c1', tk: 'fp' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setExpirationTime('1m')
      .sign(deriveKey('another-secret-of-enough-length-0123456789', 'plinth access token'));
    expect(await tokens.verify(foreign)).toBeNull();
  });

  it('authenticates the signature bytes: a last character that changes them is refused, one that only changes the unused bits is the same signature', async () => {
    const tokens = new TokensService(config(60));
    const token = await tokens.sign({ typ: 'auth', sub: 'u1', col: 'c1', tk: 'fp' });
    const [h, p, sig] = token.split('.');
    // 32 bytes take 43 base64url characters: the last one carries 4 bits of the signature and 2 unused bits.
    const at = B64URL.indexOf(sig!.at(-1)!);
    const withLast = (i: number) => `${h}.${p}.${sig!.slice(0, -1)}${B64URL[i]}`;
    const changesBytes = withLast(at ^ 0b000100);
    const changesUnusedBits = withLast(at ^ 0b000001);
    expect(Buffer.from(changesBytes.split('.')[2]!, 'base64url')).not.toEqual(Buffer.from(sig!, 'base64url'));
    expect(Buffer.from(changesUnusedBits.split('.')[2]!, 'base64url')).toEqual(
      Buffer.from(sig!, 'base64url'),
    );
    expect(await tokens.verify(changesBytes)).toBeNull();
    expect(await tokens.verify(changesUnusedBits)).toMatchObject({ sub: 'u1' });
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
