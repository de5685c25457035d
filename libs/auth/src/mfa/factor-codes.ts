import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PLINTH_CONFIG, type ResolvedConfig, SecretBox } from '@plinth/core';
import { deriveKey } from '../tokens.service.js';

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * Secrets of the second factors: one-time codes and recovery codes are stored as HMAC-SHA256 under a
 * key derived from PLINTH_SECRET (an 8-digit code's plain SHA-256 would fall to a search of 10^8
 * values), scoped to what they belong to; TOTP secrets are sealed (they must be read back).
 */
@Injectable()
export class FactorCodes {
  private readonly key: Uint8Array;
  readonly box: SecretBox;

  constructor(@Inject(PLINTH_CONFIG) config: ResolvedConfig) {
    this.key = deriveKey(config.secret, 'plinth sign-in codes');
    this.box = new SecretBox(config.secret, 'plinth totp secrets');
  }

  hash(scope: string, code: string): string {
    return createHmac('sha256', this.key).update(`${scope}\n${code}`).digest('hex');
  }

  /** `length` random decimal digits (PocketBase's OTP). */
  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += String(randomInt(10));
    return out;
  }

  /** The one-time code a magic link carries: 32 random bytes, base64url. */
  linkCode(): string {
    return randomBytes(32).toString('base64url');
  }

  /** A recovery code: `xxxxx-xxxxx` from an alphabet without look-alikes (about 49 bits). */
  recoveryCode(): string {
    const pick = () =>
      Array.from({ length: 5 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
    return `${pick()}-${pick()}`;
  }
}

/** A recovery code as typed: case and spaces ignored. */
export const normalizeRecoveryCode = (code: string): string => code.trim().toLowerCase().replace(/\s+/g, '');
