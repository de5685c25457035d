import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@plinth/core';
import type { Redis } from 'ioredis';
import { sha256 } from '../tokens.service.js';

/** How long a started sign-in may take at the provider. */
export const STATE_TTL_SECONDS = 600;

/** What the start route remembers for its callback, under the `state` it sent to the provider. */
export interface OAuth2StateEntry {
  collectionId: string;
  provider: string;
  /** The allow-listed app URL that receives the one-time code or the error. */
  redirect: string;
  /** The redirect_uri sent to the provider; the token request must repeat it. */
  callbackUrl: string;
  /** PKCE code_verifier (S256). */
  verifier?: string;
  /** OpenID Connect nonce, checked against the ID token. */
  nonce?: string;
}

/** Started sign-ins in Redis, shared by every replica; a state can be taken once. */
@Injectable()
export class OAuth2StateRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  private key(handle: string): string {
    // Only a hash of the state is kept, so a Redis dump holds no usable state.
    return `oauth2:state:${sha256(handle)}`;
  }

  async save(entry: OAuth2StateEntry): Promise<string> {
    const handle = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(handle), JSON.stringify(entry), 'EX', STATE_TTL_SECONDS);
    return handle;
  }

  /** The entry of this state, removed in the same step: a replayed callback finds nothing. */
  async take(handle: string | undefined): Promise<OAuth2StateEntry | null> {
    if (!handle || handle.length > 200) return null;
    const raw = await this.redis.getdel(this.key(handle));
    return raw ? (JSON.parse(raw) as OAuth2StateEntry) : null;
  }
}

type Done = (err: Error | null, ok?: unknown, info?: unknown) => void;

/**
 * The state store passport-oauth2 (Google, GitHub) calls. `store` takes five arguments, which is how
 * passport-oauth2 knows to hand it the PKCE verifier (PITFALLS). At the start it saves; at the
 * callback it answers from the entry the service already took from Redis.
 */
export class OAuth2StateStore {
  constructor(
    private readonly save: (extra: { verifier?: string }) => Promise<string>,
    private readonly taken?: { handle: string; entry: OAuth2StateEntry },
  ) {}

  store(_req: unknown, verifier: string | undefined, _state: unknown, _meta: unknown, cb: Done): void {
    this.save({ verifier }).then((handle) => cb(null, handle), cb);
  }

  verify(_req: unknown, state: string | undefined, _meta: unknown, cb: Done): void {
    if (!this.taken || state !== this.taken.handle) {
      cb(null, false, { message: 'Unknown, used or expired sign-in state.' });
      return;
    }
    cb(null, this.taken.entry.verifier ?? true);
  }
}
