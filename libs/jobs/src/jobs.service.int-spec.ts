import { afterAll, describe, expect, it } from '@jest/globals';
import { AppError, type ResolvedConfig } from '@plinth/core';
import { freePort } from '@plinth/testing';
import { JobsService } from './jobs.service.js';

describe('JobsService while Redis is down', () => {
  let jobs: JobsService | undefined;
  afterAll(async () => jobs?.onApplicationShutdown());

  it('answers REDIS_UNAVAILABLE (503) within seconds when the first enqueue finds no Redis', async () => {
    // A port nothing listens on: the queue's first connection never becomes ready.
    const port = await freePort();
    const config = {
      redis: { url: `redis://127.0.0.1:${port}`, prefix: 'plinth-test-down' },
    } as ResolvedConfig;
    jobs = new JobsService(config);
    const err = await jobs.enqueue('maintenance.cleanup', { reason: 'manual' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('REDIS_UNAVAILABLE');
    expect((err as AppError).status).toBe(503);
    expect((err as AppError).extra.headers).toEqual({ 'retry-after': '5' });
  });
});
