import { Inject, Injectable } from '@nestjs/common';
import { AppError, isUuid, newId, PLINTH_CONFIG, type FieldProblem, type ResolvedConfig } from '@plinth/core';
import { JobsService } from '@plinth/jobs';
import { endpointUrlProblem, iso, pageOf, throwIfInvalid } from '../signed-endpoints.js';
import { newWebhookSecret } from '../webhook-signing.js';
import { scheduleSecretBox } from './schedule-run.handler.js';
import { cronProblems, nextTick } from './schedule-cron.js';
import { ScheduleSync } from './schedule-sync.js';
import {
  SchedulesRepository,
  type RunRow,
  type ScheduleRow,
  type ScheduleTarget,
} from './schedules.repository.js';

export interface ScheduleBody {
  name?: string;
  cron?: string;
  timezone?: string;
  enabled?: boolean;
  target?: ScheduleTarget;
}

function toView(s: ScheduleRow, secret?: string) {
  return {
    id: s.id,
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    enabled: s.enabled,
    target: s.target,
    nextRunAt: s.enabled ? iso(nextTick(s.cron, s.timezone)) : null,
    lastRun:
      s.last_run_status && s.last_run_at
        ? { status: s.last_run_status, scheduledFor: iso(s.last_run_at)! }
        : null,
    ...(secret ? { secret } : {}),
    created: iso(s.created)!,
    updated: iso(s.updated)!,
  };
}

const runView = (r: RunRow) => ({
  id: r.id,
  trigger: r.trigger,
  scheduledFor: iso(r.scheduled_for)!,
  status: r.status,
  startedAt: iso(r.started_at),
  finishedAt: iso(r.finished_at),
  durationMs: r.duration_ms,
  httpStatus: r.http_status,
  response: r.response,
  error: r.error,
});

/** The admin side of schedules: configure them (kept in step with BullMQ), run one now, read the run log. */
@Injectable()
export class SchedulesService {
  constructor(
    private readonly repo: SchedulesRepository,
    private readonly sync: ScheduleSync,
    private readonly jobs: JobsService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async list() {
    return { items: (await this.repo.all()).map((s) => toView(s)) };
  }

  async get(id: string) {
    return toView(await this.find(id));
  }

  async create(body: ScheduleBody) {
    const timezone = body.timezone ?? 'UTC';
    this.check({ ...body, timezone });
    const secret = newWebhookSecret();
    const id = newId();
    const inserted = await this.repo.insert({
      id,
      name: body.name!,
      cron: body.cron!.trim(),
      timezone,
      enabled: body.enabled ?? true,
      target: body.target!,
      secret: scheduleSecretBox(this.config).seal(secret),
    });
    if (!inserted) throw nameTaken(body.name!);
    const row = await this.find(id);
    await this.sync.syncChange(row);
    return toView(row, secret);
  }

  async update(id: string, body: ScheduleBody) {
    const current = await this.find(id);
    this.check({ ...body, cron: body.cron ?? current.cron, timezone: body.timezone ?? current.timezone });
    if (!(await this.repo.update(id, { ...body, cron: body.cron?.trim() }))) throw nameTaken(body.name!);
    const row = await this.find(id);
    await this.sync.syncChange(row);
    return toView(row);
  }

  async delete(id: string): Promise<void> {
    if (!isUuid(id) || !(await this.repo.delete(id))) throw notFound(id);
    await this.sync.syncChange(undefined, id);
  }

  /** Queues a run now, whether the schedule is enabled or not. */
  async runNow(id: string) {
    await this.find(id);
    const runId = newId();
    await this.repo.queueRun(runId, id);
    try {
      await this.jobs.enqueue(
        'schedules.run',
        { scheduleId: id, runId },
        {
          jobId: `schedule-run-${runId}`,
          attempts: 1,
          removeOnComplete: true,
          removeOnFail: { age: 24 * 3600 },
        },
      );
    } catch (err) {
      await this.repo.dropQueuedRun(runId);
      throw err;
    }
    return { runId };
  }

  async runs(id: string, query: Record<string, unknown>) {
    await this.find(id);
    return pageOf(query, (range) => this.repo.runs(id, range), runView);
  }

  private async find(id: string): Promise<ScheduleRow> {
    const s = isUuid(id) ? await this.repo.find(id) : undefined;
    if (!s) throw notFound(id);
    return s;
  }

  /** The cron and time zone (read together) and a URL target against the outbound guard (also for imports). */
  check(body: ScheduleBody): void {
    const errors: FieldProblem[] = [];
    if (body.cron !== undefined || body.timezone !== undefined) {
      errors.push(...cronProblems(body.cron!, body.timezone!));
    }
    const target = body.target as { type?: string; url?: string; job?: string } | undefined;
    if (target?.type === 'url' && target.url === undefined) {
      errors.push({ path: 'target.url', code: 'REQUIRED', message: 'is required for a URL target' });
    } else if (target?.type === 'job' && target.job === undefined) {
      errors.push({ path: 'target.job', code: 'REQUIRED', message: 'is required for a job target' });
    }
    const other = target?.type === 'url' ? 'job' : 'url';
    if (target?.[other] !== undefined) {
      errors.push({
        path: `target.${other}`,
        code: 'INVALID_VALUE',
        message: `has no use in a ${target.type} target`,
      });
    }
    if (body.target?.type === 'url' && body.target.url !== undefined) {
      errors.push(
        ...endpointUrlProblem(body.target.url, 'target.url', this.config.webhooks.allowPrivateEndpoints),
      );
    }
    throwIfInvalid('schedule', errors);
  }
}

const notFound = (id: string) =>
  new AppError('SCHEDULE_NOT_FOUND', `There is no schedule ${id}; list them with GET /api/schedules.`);

const nameTaken = (name: string) =>
  new AppError('SCHEDULE_NAME_TAKEN', `A schedule named "${name}" exists already; choose another name.`);
