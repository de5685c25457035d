import { Inject, Injectable } from '@nestjs/common';
import { AppError, PLINTH_CONFIG, RateLimiter, type PlinthConfig, type Principal } from '@plinth/core';
import { CollectionsRegistry } from '../registry/collections.registry.js';

const MINUTE = 60;

/**
 * Per-IP limits on the writes that cost the most (issue 16, DESIGN §11): sign-ups (each hashes a
 * password) and batches. Counters live in Redis, shared by replicas; the concurrent-batch cap is per
 * server, as the pool it protects is. Admins and API keys (servers) are not limited.
 */
@Injectable()
export class WriteLimits {
  private readonly runningBatches = new Map<string, number>();

  constructor(
    private readonly limiter: RateLimiter,
    private readonly registry: CollectionsRegistry,
    @Inject(PLINTH_CONFIG) private readonly config: PlinthConfig,
  ) {}

  /** Counts `count` creates in `collection` from `ip` when it is an auth collection (sign-ups). */
  async signUps(collection: string, count: number, ip: string, principal: Principal): Promise<void> {
    if (count === 0 || exempt(principal) || !this.registry.find(collection)?.isAuth) return;
    await this.limiter.hit(
      `signup:${ip}`,
      this.config.limits.signupsPerIpPerMinute,
      MINUTE,
      'Too many sign-ups from this address (PLINTH_SIGNUP_RATE_PER_IP).',
      count,
    );
  }

  /** Counts a batch and holds one of the IP's concurrent batch slots until `work` ends. */
  async batch<T>(ip: string, principal: Principal, work: () => Promise<T>): Promise<T> {
    if (exempt(principal)) return work();
    await this.limiter.hit(
      `batch:${ip}`,
      this.config.limits.batchesPerIpPerMinute,
      MINUTE,
      'Too many batch requests from this address (PLINTH_BATCH_RATE_PER_IP).',
    );
    const running = this.runningBatches.get(ip) ?? 0;
    if (running >= this.config.limits.batchConcurrencyPerIp) {
      throw new AppError(
        'TOO_MANY_REQUESTS',
        `This address already has ${running} batch requests running at once (PLINTH_BATCH_CONCURRENCY_PER_IP). Wait for them to finish, then try again in 1 s.`,
        { headers: { 'retry-after': '1' } },
      );
    }
    this.runningBatches.set(ip, running + 1);
    try {
      return await work();
    } finally {
      const left = (this.runningBatches.get(ip) ?? 1) - 1;
      if (left > 0) this.runningBatches.set(ip, left);
      else this.runningBatches.delete(ip);
    }
  }
}

/** Admins and API keys (servers): not limited, and trusted to have their work done up front. */
export function exempt(principal: Principal): boolean {
  return principal.kind === 'admin' || principal.kind === 'key';
}
