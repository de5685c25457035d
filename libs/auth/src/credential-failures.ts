import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, PLINTH_CONFIG, RateLimiter, type ResolvedConfig } from '@plinth/core';
import { ExpiringLru } from './expiring-lru.js';

const WINDOW_SECONDS = 60;
const BLOCKED_ADDRESSES_CAP = 10_000;

/**
 * Failed credentials per client address (PLINTH_BAD_CREDENTIALS_PER_IP a minute), counted in Redis for
 * the whole replica group. Past the limit the address gets 429 for every request with credentials:
 * guessing API keys or tokens, or flooding the key lookup, stops there.
 */
@Injectable()
export class CredentialFailures {
  private readonly logger = new Logger('Auth');
  // Addresses this replica saw pass the limit, with the end of their window: refused without a lookup.
  private readonly blocked = new ExpiringLru<string, number>(BLOCKED_ADDRESSES_CAP);

  constructor(
    private readonly limiter: RateLimiter,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** Throws 429 while `ip` is over the limit, as far as this replica knows (no Redis round trip). */
  assertAllowed(ip: string, now = Date.now()): void {
    const until = this.blocked.get(ip, now);
    if (until !== undefined) throw tooMany(Math.max(1, Math.ceil((until - now) / 1000)));
  }

  /** Counts one failed credential of `ip`; throws 429 once it passes the limit. */
  async fail(ip: string): Promise<void> {
    try {
      await this.limiter.hit(`cred:${ip}`, this.config.auth.badCredentialsPerIp, WINDOW_SECONDS, '');
    } catch (err) {
      if (err instanceof AppError && err.code === 'TOO_MANY_REQUESTS') {
        const seconds = Number(err.extra.headers?.['retry-after']) || WINDOW_SECONDS;
        this.blocked.set(ip, Date.now() + seconds * 1000, seconds * 1000);
        throw tooMany(seconds);
      }
      // Without Redis the failure is still refused (401); only the count is lost.
      this.logger.warn(`Could not count a failed credential: ${(err as Error).message}`);
    }
  }
}

function tooMany(seconds: number): AppError {
  return new AppError(
    'TOO_MANY_REQUESTS',
    `Too many failed credentials from this address. Check the API key or token, and try again in ${seconds} s.`,
    { headers: { 'retry-after': String(seconds) } },
  );
}
