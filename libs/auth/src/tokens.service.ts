import { createHash, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PLINTH_CONFIG, type ResolvedConfig } from '@plinth/core';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

export interface AccessClaims {
  /** 'admin' for admins, 'auth' for app users of an auth collection. */
  typ: 'admin' | 'auth';
  sub: string;
  /** Auth collection id (typ 'auth'). */
  col?: string;
  /** Fingerprint of the account's token key: changing the key revokes every token. */
  tk: string;
  /**
   * The session the token belongs to: an admin's plinth.admin_session, or an app user's refresh-token
   * family (bearer refresh); `auth_time` is an admin session's sign-in time (s).
   */
  sid?: string;
  auth_time?: number;
  exp: number;
}

/** Derives a 32-byte key from PLINTH_SECRET for one purpose (DESIGN §10: HKDF-SHA256, empty salt). */
export function deriveKey(secret: string, info: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), info, 32));
}

/** The token-key fingerprint lives in core (realtime and storage check tokens too); kept here for auth's API. */
export { fingerprint } from '@plinth/core';

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** How many verified tokens are remembered (about 0.5 KiB each). */
const VERIFIED_CACHE_SIZE = 5000;

/** Access tokens: HS256 JWTs, algorithm pinned, lifetime PLINTH_ACCESS_TOKEN_TTL. */
@Injectable()
export class TokensService {
  // A KeyObject made once: jose would otherwise import raw key bytes on every sign and verify.
  private readonly key: KeyObject;
  private readonly ttl: number;

  constructor(@Inject(PLINTH_CONFIG) config: ResolvedConfig) {
    this.key = createSecretKey(deriveKey(config.secret, 'plinth access token'));
    this.ttl = config.auth.accessTokenTtlSeconds;
  }

  /** Signs an access token living PLINTH_ACCESS_TOKEN_TTL, or less when `notAfter` (s) comes first. */
  async sign(claims: Omit<AccessClaims, 'exp'>, notAfter = Infinity): Promise<string> {
    const { sub, ...rest } = claims;
    // `type: 'auth'` is what PocketBase's SDK reads (authStore.isSuperuser); Plinth reads `typ`.
    return new SignJWT({ ...rest, type: 'auth' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(Math.min(Math.floor(Date.now() / 1000) + this.ttl, Math.floor(notAfter)))
      .sign(this.key);
  }

  /**
   * Tokens whose signature was checked, by their exact text: a client sends the same token on
   * every request, and an HMAC through WebCrypto costs more than the rest of a small read. A hit
   * still checks the expiry; revocation (the token key) is the resolver's check on every request.
   */
  private readonly verified = new Map<string, AccessClaims>();

  /** The claims of a valid, unexpired token; null for anything else. */
  async verify(token: string): Promise<AccessClaims | null> {
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > Date.now()) return known;
      this.verified.delete(token);
      return null;
    }
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      if (
        (payload.typ !== 'admin' && payload.typ !== 'auth') ||
        typeof payload.sub !== 'string' ||
        typeof payload.tk !== 'string' ||
        typeof payload.exp !== 'number'
      ) {
        return null;
      }
      const claims = payload as unknown as AccessClaims;
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.clear();
      this.verified.set(token, claims);
      return claims;
    } catch (err) {
      if (err instanceof joseErrors.JOSEError || err instanceof TypeError) return null;
      throw err;
    }
  }
}
