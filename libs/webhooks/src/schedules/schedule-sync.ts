import { Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { AppError } from '@plinth/core';
import { JobsService, JobsWorker } from '@plinth/jobs';
import { SchedulesRepository, type ScheduleRow } from './schedules.repository.js';

const PREFIX = 'schedule-';
/** How long a change waits for Redis before the admin gets 503 REDIS_UNAVAILABLE. */
const REDIS_WAIT_MS = 5000;
const schedulerId = (scheduleId: string) => `${PREFIX}${scheduleId}`;

/**
 * Keeps BullMQ's job schedulers in step with plinth.schedule (the source of truth): one scheduler
 * per enabled schedule, none for a disabled or deleted one. A scheduler's tick is one delayed job
 * whose id holds the tick's time, so however many replicas upsert it, each tick is queued once.
 * Synced on every change and again when a worker boots.
 */
@Injectable()
export class ScheduleSync implements OnApplicationBootstrap {
  private readonly logger = new Logger('Schedules');

  constructor(
    private readonly repo: SchedulesRepository,
    private readonly jobs: JobsService,
    @Optional() private readonly worker?: JobsWorker,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.worker) return;
    const { upserted, removed } = await this.syncAll();
    if (upserted || removed) {
      this.logger.log(`Synced job schedulers: ${upserted} schedule(s) active, ${removed} stale removed`);
    }
  }

  async syncAll(): Promise<{ upserted: number; removed: number }> {
    const rows = await this.repo.all();
    const wanted = new Set(rows.filter((r) => r.enabled).map((r) => schedulerId(r.id)));
    for (const row of rows) await this.sync(row);
    let removed = 0;
    for (const s of await this.jobs.queue('schedules').getJobSchedulers(0, -1)) {
      if (s.key.startsWith(PREFIX) && !wanted.has(s.key)) {
        await this.jobs.queue('schedules').removeJobScheduler(s.key);
        removed++;
      }
    }
    return { upserted: wanted.size, removed };
  }

  /**
   * `sync` for a change an admin made: answers 503 within seconds while Redis is down (a queue's first
   * connection would wait for it without limit). The row is saved; a worker's boot or the next change
   * brings the scheduler in step.
   */
  async syncChange(row: ScheduleRow | undefined, id = row?.id): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const syncing = this.sync(row, id);
    syncing.catch(() => undefined);
    const unavailable = new AppError(
      'REDIS_UNAVAILABLE',
      'The schedule is saved, but Redis cannot be reached to (re)schedule it. Save it again once Redis is back (or restart a worker).',
      { headers: { 'retry-after': '5' } },
    );
    try {
      await Promise.race([
        syncing.catch(() => Promise.reject(unavailable)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(unavailable), REDIS_WAIT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Upserts the scheduler of an enabled schedule; removes it when disabled or gone (`row` undefined). */
  async sync(row: ScheduleRow | undefined, id = row?.id): Promise<void> {
    const queue = this.jobs.queue('schedules');
    if (!row || !row.enabled) {
      await queue.removeJobScheduler(schedulerId(id!));
      return;
    }
    await queue.upsertJobScheduler(
      schedulerId(row.id),
      { pattern: row.cron, tz: row.timezone },
      {
        name: 'schedules.run',
        data: { scheduleId: row.id },
        // A failed run is logged and waits for the next tick; BullMQ does not retry it.
        opts: { attempts: 1, removeOnComplete: true, removeOnFail: { age: 24 * 3600 } },
      },
    );
  }
}
