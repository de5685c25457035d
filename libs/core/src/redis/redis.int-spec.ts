import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { freePort } from '@plinth/testing';
import { Redis } from 'ioredis';
import { ensureRedis } from './redis.js';

describe('ensureRedis', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plinth-redis-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('uses a Redis that answers, starting nothing', async () => {
    const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const logs: string[] = [];
    // Not explicit: it would be allowed to start one, and must not since one answers.
    const handle = await ensureRedis({ url, explicit: false, dataDir, log: (m) => logs.push(m) });
    expect(handle.url).toBe(url);
    expect(logs).toEqual([]);
    expect(existsSync(path.join(dataDir, 'redis'))).toBe(false);
    await handle.stop();
    // Stopping a Redis it did not start leaves it running.
    const client = new Redis(url);
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('starts redis-server with its data in the data dir when none answers at the default address', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const logs: string[] = [];
    const handle = await ensureRedis({ url, explicit: false, dataDir, log: (m) => logs.push(m) });
    const client = new Redis(url);
    try {
      expect(await client.ping()).toBe('PONG');
      expect(await client.config('GET', 'dir')).toEqual(['dir', path.join(dataDir, 'redis')]);
    } finally {
      client.disconnect();
      await handle.stop();
    }
    expect(logs.join('\n')).toContain('starting redis-server');
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    await expect(probe.connect()).rejects.toThrow();
    probe.disconnect();
  });

  it('stops with one message saying how to get Redis when an explicit REDIS_URL does not answer', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    await expect(ensureRedis({ url, explicit: true, dataDir, log: () => undefined })).rejects.toThrow(
      /Redis does not answer at REDIS_URL .*Start Redis there, or fix REDIS_URL/,
    );
  });

  it('says how to install Redis when redis-server is not on PATH', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    await expect(
      ensureRedis({
        url,
        explicit: false,
        dataDir,
        log: () => undefined,
        command: 'redis-server-not-installed',
      }),
    ).rejects.toThrow(/redis-server is not installed.*apt-get install redis-server/);
  });
});
