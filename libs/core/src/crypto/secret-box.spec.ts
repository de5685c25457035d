import { describe, expect, it } from '@jest/globals';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox('a-secret-that-is-long-enough-for-the-tests-0123456789');

  it('seals to a fresh ciphertext each time and opens it again', () => {
    const a = box.seal('client-secret-1');
    const b = box.seal('client-secret-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('client-secret-1');
    expect(SecretBox.isSealed(a)).toBe(true);
    expect(box.open(a)).toBe('client-secret-1');
    expect(box.open(box.seal(''))).toBe('');
  });

  it('refuses tampered values and values sealed under another secret', () => {
    const sealed = box.seal('client-secret-1');
    const raw = Buffer.from(sealed.slice('enc:v1:'.length), 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => box.open(`enc:v1:${raw.toString('base64url')}`)).toThrow();
    expect(() => new SecretBox('another-secret-that-is-long-enough-0123456789').open(sealed)).toThrow();
    expect(() => box.open('plain')).toThrow();
    expect(() => box.open('enc:v1:AAAA')).toThrow();
  });
});
