import { afterAll, describe, expect, it } from '@jest/globals';
import { AppError, type ResolvedConfig } from '@plinth/core';
import { JobsService } from '@plinth/jobs';
import { freePort } from '@plinth/testing';
import { ScheduleSync } from './schedule-sync.js';
import type { ScheduleRow, SchedulesRepository } from './schedules.repository.js';

describe('ScheduleSync while Redis is down', () => {
  let jobs: JobsService | undefined;
  afterAll(async () => jobs?.onApplicationShutdown());

  it('answers REDIS_UNAVAILABLE (503) within seconds for a change, saying the schedule is saved', async () => {
    // A port nothing listens on: the queue's first connection never becomes ready.
    const port = await freePort();
    jobs = new JobsService({
      redis: { url: `redis://127.0.0.1:${port}`, prefix: 'plinth-test-down' },
    } as ResolvedConfig);
    const sync = new ScheduleSync({} as SchedulesRepository, jobs);
    const row = {
      id: '0196f5a4-0000-7000-8000-000000000001',
      enabled: true,
      cron: '0 3 * * *',
      timezone: 'UTC',
    };
    const err = await sync.syncChange(row as ScheduleRow).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('REDIS_UNAVAILABLE');
    expect((err as AppError).status).toBe(503);
    expect((err as AppError).message).toMatch(/saved/);
  }, 20_000);
});
