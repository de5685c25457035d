import { describe, expect, it } from '@jest/globals';
import { base32Decode, base32Encode, hotp, matchTotp, totpStep, totpUri } from './totp.js';

// RFC 6238 appendix B: the SHA-1 seed and its 8-digit codes at the given Unix times.
const SEED = Buffer.from('12345678901234567890', 'ascii');
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at %i s the code is %s', (seconds, code) => {
    expect(hotp(SEED, totpStep(seconds * 1000), 8)).toBe(code);
  });

  it('round-trips base32 (RFC 4648) and matches a 6-digit code within one step, not beyond', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
    const secret = base32Encode(SEED);
    const at = 1234567890_000;
    const code = hotp(SEED, totpStep(at));
    expect(matchTotp(secret, code, at)).toBe(totpStep(at));
    expect(matchTotp(secret, code, at + 30_000)).toBe(totpStep(at));
    expect(matchTotp(secret, code, at + 60_000)).toBeUndefined();
    expect(matchTotp(secret, '12345', at)).toBeUndefined();
  });

  it('writes the otpauth URI authenticator apps scan', () => {
    expect(totpUri('ABC', 'Acme App', 'ann@example.com')).toBe(
      'otpauth://totp/Acme%20App:ann%40example.com?secret=ABC&issuer=Acme+App&algorithm=SHA1&digits=6&period=30',
    );
  });
});
