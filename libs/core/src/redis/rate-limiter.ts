import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '../core.tokens.js';
import { AppError } from '../errors/app-error.js';
import type { Redis } from 'ioredis';

const FAILURE_WINDOW_SECONDS = 300;

/** Fixed-window counters in Redis, shared by every replica (DESIGN §5): sign-in, sign-up and batch limits. */
@Injectable()
export class RateLimiter {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /**
   * Counts `cost` hits (a batch counts each sign-up it holds); throws 429 with Retry-After once
   * `limit` is passed within `windowSeconds`.
   */
  async hit(key: string, limit: number, windowSeconds: number, what: string, cost = 1): Promise<void> {
    const { count, ttl } = await this.increment(`rl:${key}`, windowSeconds, cost);
    if (count > limit) throw this.tooMany(what, ttl > 0 ? ttl : windowSeconds);
  }

  /** INCRBY and the window's expiry in one transaction, so no key can outlive its window. */
  private async increment(k: string, windowSeconds: number, by = 1): Promise<{ count: number; ttl: number }> {
    const [[, count], , [, ttl]] = (await this.redis
      .multi()
      .incrby(k, by)
      .expire(k, windowSeconds, 'NX')
      .ttl(k)
      .exec()) as [[null, number], unknown, [null, number]];
    return { count, ttl };
  }

  /**
   * Runs a sign-in attempt for one account: refused with 429 while the account has `limit`
   * failures within 5 minutes; an INVALID_CREDENTIALS failure counts, a success clears the count.
   */
  async signInAttempt<T>(account: string, limit: number, attempt: () => Promise<T>): Promise<T> {
    // Counted before the attempt, atomically: parallel guesses cannot all slip past the limit.
    const key = `rl:fail:${account}`;
    const { count, ttl } = await this.increment(key, FAILURE_WINDOW_SECONDS);
    if (count > limit)
      throw this.tooMany(
        'Too many failed sign-ins for this account.',
        ttl > 0 ? ttl : FAILURE_WINDOW_SECONDS,
      );
    try {
      const result = await attempt();
      await this.redis.del(key);
      return result;
    } catch (err) {
      // Only a wrong password counts as a failure.
      if (!(err instanceof AppError && err.code === 'INVALID_CREDENTIALS')) await this.redis.decr(key);
      throw err;
    }
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(`rl:${key}`);
  }

  private tooMany(what: string, retryAfter: number): AppError {
    return new AppError('TOO_MANY_REQUESTS', `${what} Try again in ${retryAfter} s.`, {
      headers: { 'retry-after': String(retryAfter) },
    });
  }
}
