import { Inject, Injectable, Logger } from '@nestjs/common';
import { PrincipalResolver } from '@plinth/auth';
import { AppError, PLINTH_CONFIG, SecretBox, type Principal, type ResolvedConfig } from '@plinth/core';

/** How often a quiet stream's credential is asked again (a delivery always asks). */
export const SWEEP_MS = 5000;
/** Credential checks that run at the same time (each may be one query). */
const CHECK_CONCURRENCY = 8;

/** The part of a stream that credential checks read and update. */
export interface CheckedStream {
  /** The Authorization value it subscribed with, asked again before anything is sent (memory only). */
  credential?: string;
  /** What the credential stood for at its last check. */
  principal: Principal;
  /** When its token expires (ms): the stream ends then unless the client subscribes again. */
  exp?: number;
  /** Until when the sweep leaves it alone; deliveries check every time. */
  checkedUntil: number;
  /** Ended because its credential no longer holds. */
  revoked?: boolean;
}

/** What a stream's credentials stand for now; `exp` (ms) when they lapse on their own (a JWT's). */
export type Validation =
  | { valid: true; principal: Principal; exp?: number }
  /** Revoked, expired or deleted: the stream ends. */
  | { valid: false };

/**
 * The auth side of realtime. A stream keeps the Authorization value it subscribed with and asks the
 * principal resolver again before it is sent anything, so whatever ends a credential for REST
 * (a key deleted or expired, an admin deleted or signed out, a user's sessions revoked, a token's
 * `exp`) ends its streams too, without realtime knowing how each is revoked.
 */
@Injectable()
export class RealtimeAuth {
  private readonly logger = new Logger('Realtime');
  /** Credentials travel between replicas (Redis pub/sub) sealed with their own key. */
  private readonly box: SecretBox;

  constructor(
    @Inject(PLINTH_CONFIG) config: ResolvedConfig,
    private readonly resolver: PrincipalResolver,
  ) {
    this.box = new SecretBox(config.secret, 'plinth realtime credentials');
  }

  /** Who a client belongs to: `''` for anonymous, otherwise the account (not the token). */
  identity(p: Principal): string {
    switch (p.kind) {
      case 'anonymous':
        return '';
      case 'admin':
        return `admin:${p.id}`;
      case 'key':
        return `key:${p.id}`;
      case 'user':
        return `user:${p.collectionId}:${p.id}`;
    }
  }

  /** Resolves the credential again (the resolver keeps its own short caches). */
  async validate(authorization: string): Promise<Validation> {
    let principal: Principal;
    try {
      principal = await this.resolver.resolve(authorization);
    } catch (err) {
      if (err instanceof AppError && err.status === 401) return { valid: false };
      throw err;
    }
    if (principal.kind === 'anonymous') return { valid: false };
    return { valid: true, principal, exp: tokenExpiry(authorization) };
  }

  /**
   * Resolves the credentials of `streams` again (once per distinct credential) and hands those whose
   * credential no longer holds to `revoke`. Answers the streams that may be sent something now; one
   * whose check failed for another reason (the database is down) is skipped this time and kept.
   */
  async recheck<T extends CheckedStream>(streams: T[], revoke: (stream: T) => void): Promise<Set<T>> {
    const ok = new Set<T>();
    const byCredential = new Map<string, T[]>();
    for (const stream of streams) {
      if (stream.revoked) continue;
      if (!stream.credential) {
        ok.add(stream);
        continue;
      }
      const same = byCredential.get(stream.credential);
      if (same) same.push(stream);
      else byCredential.set(stream.credential, [stream]);
    }
    const pending = [...byCredential];
    const worker = async () => {
      for (let next = pending.shift(); next; next = pending.shift()) {
        const [credential, members] = next;
        let validation: Validation;
        try {
          validation = await this.validate(credential);
        } catch (err) {
          this.logger.warn(`A realtime credential could not be checked: ${(err as Error).message}`);
          continue;
        }
        const now = Date.now();
        for (const stream of members) {
          if (stream.credential !== credential || stream.revoked) continue; // changed meanwhile
          if (!validation.valid || (validation.exp !== undefined && validation.exp <= now)) {
            revoke(stream);
            continue;
          }
          stream.principal = validation.principal;
          stream.exp = validation.exp;
          stream.checkedUntil = now + SWEEP_MS;
          ok.add(stream);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, pending.length) }, worker));
    return ok;
  }

  seal(value: string): string {
    return this.box.seal(value);
  }

  /** The plaintext, or undefined for anything not sealed by a replica of this deployment. */
  open(sealed: string): string | undefined {
    try {
      return this.box.open(sealed);
    } catch {
      return undefined;
    }
  }
}

/** A JWT's `exp` in ms (the resolver has just verified it); undefined for API keys. */
export function tokenExpiry(authorization: string): number | undefined {
  const parts = authorization
    .replace(/^Bearer\s+/i, '')
    .trim()
    .split('.');
  if (parts.length !== 3) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
