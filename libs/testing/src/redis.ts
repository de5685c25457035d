import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A key prefix of its own for one test file, so files share one Redis without seeing each other. */
export function createRedisPrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `plinth_t_${randomBytes(4).toString('hex')}`;
  return {
    prefix,
    cleanup: async () => {
      const redis = new Redis(testRedisUrl(), { lazyConnect: true });
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
