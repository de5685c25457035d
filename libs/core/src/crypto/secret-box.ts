import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts settings secrets at rest (provider client secrets): AES-256-GCM with a key derived from
 * PLINTH_SECRET by HKDF-SHA256 (empty salt, info "plinth settings encryption", DESIGN §10).
 * Sealed values read `enc:v1:<base64url(iv | tag | ciphertext)>`.
 */
export class SecretBox {
  private readonly key: Buffer;

  /** `info` names the purpose: each use of PLINTH_SECRET gets its own key (DESIGN §10). */
  constructor(secret: string, info = 'plinth settings encryption') {
    this.key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), info, 32));
  }

  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(PREFIX);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The plaintext of a sealed value; throws when it was tampered with or sealed under another secret. */
  open(sealed: string): string {
    if (!SecretBox.isSealed(sealed)) throw new Error('Not a sealed secret');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('Sealed secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  }
}
