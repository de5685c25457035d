import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Metrics, newId, REDIS } from '@plinth/core';
import type { Redis } from 'ioredis';

/** Redis hash: replica id → `<open realtime connections>:<ms timestamp>`. */
export const REALTIME_GAUGE_KEY = 'stats:realtime';
const REPORT_EVERY_MS = 15_000;
/** A replica that has not reported for this long is gone (its connections are too). */
export const REPLICA_STALE_MS = 60_000;

/**
 * Realtime connections live in each server's memory: every replica reports its count to Redis, and
 * the rollup (on whichever worker runs it) adds up the fresh reports. Never fails anything.
 */
@Injectable()
export class ReplicaGauges implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly replica = newId();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly metrics: Metrics,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.report(), REPORT_EVERY_MS);
    this.timer.unref();
    void this.report();
  }

  async report(): Promise<void> {
    try {
      const gauge = this.metrics.registry.getSingleMetric('plinth_realtime_connections');
      const value = gauge ? ((await gauge.get()).values[0]?.value ?? 0) : 0;
      await this.redis.hset(REALTIME_GAUGE_KEY, this.replica, `${value}:${Date.now()}`);
    } catch {
      // Redis is down: the statistics miss this replica for a while, nothing else.
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.hdel(REALTIME_GAUGE_KEY, this.replica).catch(() => undefined);
  }
}

/** The sum of the fresh reports; stale ones are removed. */
export async function realtimeConnections(redis: Redis, now = Date.now()): Promise<number> {
  const all = await redis.hgetall(REALTIME_GAUGE_KEY);
  let total = 0;
  for (const [replica, report] of Object.entries(all)) {
    const [count, at] = report.split(':').map(Number);
    if (now - (at ?? 0) > REPLICA_STALE_MS) await redis.hdel(REALTIME_GAUGE_KEY, replica);
    else total += count ?? 0;
  }
  return total;
}
