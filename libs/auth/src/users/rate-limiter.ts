import { Inject, Injectable } from '@nestjs/common';
import { AppError, REDIS } from '@plinth/core';
import type { Redis } from 'ioredis';

const FAILURE_WINDOW_SECONDS = 300;

/** Fixed-window counters in Redis, shared by every replica (DESIGN §5). */
@Injectable()
export class RateLimiter {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Counts one hit; throws 429 with Retry-After once `limit` is passed within `windowSeconds`. */
  async hit(key: string, limit: number, windowSeconds: number, what: string): Promise<void> {
    const k = `rl:${key}`;
    const [[, count], [, ttl]] = (await this.redis.multi().incr(k).ttl(k).exec()) as [
      [null, number],
      [null, number],
    ];
    if (ttl < 0) await this.redis.expire(k, windowSeconds);
    if (count > limit) throw this.tooMany(what, ttl > 0 ? ttl : windowSeconds);
  }

  /** Throws 429 when the counter is already over `limit`, without counting. */
  async check(key: string, limit: number, what: string): Promise<void> {
    const k = `rl:${key}`;
    const [[, count], [, ttl]] = (await this.redis.multi().get(k).ttl(k).exec()) as [
      [null, string | null],
      [null, number],
    ];
    if (Number(count ?? 0) >= limit) throw this.tooMany(what, ttl > 0 ? ttl : 60);
  }

  /**
   * Runs a sign-in attempt for one account: refused with 429 while the account has `limit`
   * failures within 5 minutes; an INVALID_CREDENTIALS failure counts, a success clears the count.
   */
  async signInAttempt<T>(account: string, limit: number, attempt: () => Promise<T>): Promise<T> {
    const key = `fail:${account}`;
    await this.check(key, limit, 'Too many failed sign-ins for this account.');
    try {
      const result = await attempt();
      await this.reset(key);
      return result;
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_CREDENTIALS') {
        await this.hit(key, Number.MAX_SAFE_INTEGER, FAILURE_WINDOW_SECONDS, '');
      }
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
