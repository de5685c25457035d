import type { LookupFunction } from 'node:net';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { newId, PLINTH_CONFIG, publicOnlyLookup, SecretBox, type ResolvedConfig } from '@plinth/core';
import { JobHandler, JobsWorker, type HandlesJob } from '@plinth/jobs';
import type { Job } from 'bullmq';
import { postTick } from './schedule-tick.js';
import {
  SchedulesRepository,
  type RunOutcome,
  type RunRow,
  type ScheduleRow,
} from './schedules.repository.js';

/** A run still `running` this long after the call's timeout lost its worker. */
const STALE_AFTER_MS = 60_000;

/** The key schedule secrets are sealed with at rest: its own, derived from PLINTH_SECRET. */
export const scheduleSecretBox = (config: ResolvedConfig): SecretBox =>
  new SecretBox(config.secret, 'plinth schedule secrets');

/**
 * Runs one tick of a schedule (or a run-now): POSTs the signed tick to its URL or runs its built-in
 * job here, and logs the outcome. The run row decides whether the tick still has to run, so a job
 * BullMQ hands out twice runs once.
 */
@Injectable()
@JobHandler('schedules.run')
export class ScheduleRunHandler implements HandlesJob<'schedules.run'> {
  private readonly box: SecretBox;
  private readonly lookup?: LookupFunction;

  constructor(
    private readonly repo: SchedulesRepository,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
    // Present where the process consumes queues: the only place this handler runs.
    @Optional() private readonly worker?: JobsWorker,
  ) {
    this.box = scheduleSecretBox(config);
    this.lookup = config.webhooks.allowPrivateEndpoints ? undefined : publicOnlyLookup();
  }

  async handle(data: { scheduleId: string; runId?: string }, job: Job): Promise<{ outcome: string }> {
    const schedule = await this.repo.find(data.scheduleId);
    if (!schedule) return { outcome: 'schedule deleted' };
    await this.repo.failStale(schedule.id, this.config.webhooks.timeoutMs + STALE_AFTER_MS);
    let run: RunRow | undefined;
    if (data.runId) {
      run = await this.repo.claimRun(data.runId);
    } else {
      // A tick queued before the schedule was disabled.
      if (!schedule.enabled) return { outcome: 'schedule disabled' };
      // The scheduler's tick time (BullMQ keeps it as prevMillis), the same on every replica.
      const scheduledFor = new Date(job.opts.prevMillis ?? job.timestamp);
      run = await this.repo.startTick(newId(), schedule.id, scheduledFor);
    }
    if (!run) return { outcome: 'already run' };
    const outcome = await this.execute(schedule, run, job);
    await this.repo.finishRun(run, outcome);
    return { outcome: outcome.ok ? 'succeeded' : 'failed' };
  }

  private async execute(schedule: ScheduleRow, run: RunRow, job: Job): Promise<RunOutcome> {
    const target = schedule.target;
    if (target.type === 'url') {
      return postTick(
        target.url,
        {
          type: 'schedule.tick',
          timestamp: new Date().toISOString(),
          data: {
            schedule: { id: schedule.id, name: schedule.name },
            scheduledFor: new Date(run.scheduled_for).toISOString(),
          },
        },
        run.id,
        this.box.open(schedule.secret),
        {
          timeoutMs: this.config.webhooks.timeoutMs,
          allowPrivate: this.config.webhooks.allowPrivateEndpoints,
          lookup: this.lookup,
        },
      );
    }
    const started = Date.now();
    try {
      if (!this.worker) throw new Error('this process does not run jobs');
      const result = await this.worker.runHere(target.job, { reason: 'schedule' }, job);
      return {
        ok: true,
        durationMs: Date.now() - started,
        httpStatus: null,
        response: JSON.stringify(result ?? null).slice(0, 1024),
        error: null,
      };
    } catch (err) {
      return {
        ok: false,
        durationMs: Date.now() - started,
        httpStatus: null,
        response: '',
        error: `The job ${target.job} failed: ${(err as Error).message}`,
      };
    }
  }
}
