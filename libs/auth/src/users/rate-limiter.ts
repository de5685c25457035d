import { Inject, Injectable } from '@nestjs/common';
import { AppError, REDIS } from '@plinth/core';
import type { Redis } from 'ioredis';

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

  async reset(key: string): Promise<void> {
    await this.redis.del(`rl:${key}`);
  }

  private tooMany(what: string, retryAfter: number): AppError {
    return new AppError('TOO_MANY_REQUESTS', `${what} Try again in ${retryAfter} s.`, {
      headers: { 'retry-after': String(retryAfter) },
    });
  }
}
