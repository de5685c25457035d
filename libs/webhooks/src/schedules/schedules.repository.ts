import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Where a schedule's tick goes: a signed POST to a URL, or a built-in job. */
export type ScheduleTarget = { type: 'url'; url: string } | { type: 'job'; job: SchedulableJob };

/** The built-in jobs a schedule may run. */
export const SCHEDULABLE_JOBS = ['maintenance.cleanup', 'backups.create'] as const;
export type SchedulableJob = (typeof SCHEDULABLE_JOBS)[number];

export interface ScheduleRow {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  target: ScheduleTarget;
  /** Sealed (SecretBox). */
  secret: string;
  created: Date;
  updated: Date;
  /** The newest run, joined in by `all` and `find`. */
  last_run_status: RunStatus | null;
  last_run_at: Date | null;
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface RunRow {
  id: string;
  schedule_id: string;
  trigger: 'schedule' | 'manual';
  scheduled_for: Date;
  status: RunStatus;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
  http_status: number | null;
  response: string;
  error: string | null;
  created: Date;
}

export interface RunOutcome {
  ok: boolean;
  durationMs: number;
  httpStatus: number | null;
  response: string;
  error: string | null;
}

/** The run log keeps this many runs per schedule. */
export const RUNS_KEPT = 500;

const SELECT = `SELECT s.*, r.status AS last_run_status, r.scheduled_for AS last_run_at
  FROM plinth.schedule s
  LEFT JOIN LATERAL (SELECT status, scheduled_for FROM plinth.schedule_run
    WHERE schedule_id = s.id ORDER BY seq DESC LIMIT 1) r ON true`;

/** Schedules and their run log (plinth.schedule, plinth.schedule_run). */
@Injectable()
export class SchedulesRepository {
  constructor(private readonly dataSource: DataSource) {}

  all(): Promise<ScheduleRow[]> {
    return this.dataSource.query(`${SELECT} ORDER BY s.name, s.id`);
  }

  async find(id: string): Promise<ScheduleRow | undefined> {
    const [row] = await this.dataSource.query(`${SELECT} WHERE s.id = $1`, [id]);
    return row;
  }

  /** False when the name is taken. */
  async insert(
    row: Pick<ScheduleRow, 'id' | 'name' | 'cron' | 'timezone' | 'enabled' | 'target' | 'secret'>,
  ): Promise<boolean> {
    const inserted = await this.dataSource.query(
      `INSERT INTO plinth.schedule (id, name, cron, timezone, enabled, target, secret)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING RETURNING id`,
      [row.id, row.name, row.cron, row.timezone, row.enabled, JSON.stringify(row.target), row.secret],
    );
    return inserted.length === 1;
  }

  /** False when the new name is taken by another schedule. */
  async update(
    id: string,
    patch: Partial<Pick<ScheduleRow, 'name' | 'cron' | 'timezone' | 'enabled' | 'target'>>,
  ): Promise<boolean> {
    if (patch.name !== undefined) {
      const [other] = await this.dataSource.query(
        'SELECT 1 FROM plinth.schedule WHERE name = $1 AND id <> $2',
        [patch.name, id],
      );
      if (other) return false;
    }
    await this.dataSource.query(
      `UPDATE plinth.schedule SET name = COALESCE($2, name), cron = COALESCE($3, cron),
         timezone = COALESCE($4, timezone), enabled = COALESCE($5, enabled),
         target = COALESCE($6, target), updated = now()
       WHERE id = $1`,
      [
        id,
        patch.name ?? null,
        patch.cron ?? null,
        patch.timezone ?? null,
        patch.enabled ?? null,
        patch.target ? JSON.stringify(patch.target) : null,
      ],
    );
    return true;
  }

  async delete(id: string): Promise<boolean> {
    const [, count] = await this.dataSource.query('DELETE FROM plinth.schedule WHERE id = $1', [id]);
    return count > 0;
  }

  /** A run-now request, waiting for a worker. */
  async queueRun(id: string, scheduleId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO plinth.schedule_run (id, schedule_id, trigger, scheduled_for, status)
       VALUES ($1, $2, 'manual', now(), 'queued')`,
      [id, scheduleId],
    );
  }

  /** Forgets a run-now that could not be queued (Redis down). */
  async dropQueuedRun(runId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM plinth.schedule_run WHERE id = $1 AND status = 'queued'`, [
      runId,
    ]);
  }

  /** Marks as failed the runs still `running` after `ms`: their worker was killed or lost its connection. */
  async failStale(scheduleId: string, ms: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE plinth.schedule_run SET status = 'failed', finished_at = now(),
         error = 'The worker stopped during this run (killed or cut off); the next tick runs as usual'
       WHERE schedule_id = $1 AND status = 'running' AND started_at < now() - make_interval(secs => $2)`,
      [scheduleId, ms / 1000],
    );
  }

  /** Starts a queued run-now; undefined when another worker already did. */
  async claimRun(runId: string): Promise<RunRow | undefined> {
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.schedule_run SET status = 'running', started_at = now()
       WHERE id = $1 AND status = 'queued' RETURNING *`,
      [runId],
    );
    return rows[0];
  }

  /** Starts the run of one tick; undefined when that tick has already run (BullMQ handed it out twice). */
  async startTick(id: string, scheduleId: string, scheduledFor: Date): Promise<RunRow | undefined> {
    const [row] = await this.dataSource.query(
      `INSERT INTO plinth.schedule_run (id, schedule_id, trigger, scheduled_for, status, started_at)
       VALUES ($1, $2, 'schedule', $3, 'running', now())
       ON CONFLICT (schedule_id, scheduled_for) WHERE trigger = 'schedule' DO NOTHING RETURNING *`,
      [id, scheduleId, scheduledFor],
    );
    return row;
  }

  /** Records how a run ended and trims the log to the newest RUNS_KEPT runs. */
  async finishRun(run: RunRow, outcome: RunOutcome): Promise<void> {
    await this.dataSource.query(
      `UPDATE plinth.schedule_run SET status = $2, finished_at = now(), duration_ms = $3,
         http_status = $4, response = $5, error = $6
       WHERE id = $1`,
      [
        run.id,
        outcome.ok ? 'succeeded' : 'failed',
        outcome.durationMs,
        outcome.httpStatus,
        outcome.response.replaceAll('\u0000', '').slice(0, 1024),
        outcome.error,
      ],
    );
    await this.dataSource.query(
      `DELETE FROM plinth.schedule_run WHERE schedule_id = $1 AND seq <= (
         SELECT seq FROM plinth.schedule_run WHERE schedule_id = $1 ORDER BY seq DESC OFFSET $2 LIMIT 1)`,
      [run.schedule_id, RUNS_KEPT],
    );
  }

  async runs(
    scheduleId: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: RunRow[]; total: number }> {
    const items = await this.dataSource.query(
      `SELECT * FROM plinth.schedule_run WHERE schedule_id = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3`,
      [scheduleId, page.limit, page.offset],
    );
    const [{ count }] = await this.dataSource.query(
      'SELECT count(*)::int AS count FROM plinth.schedule_run WHERE schedule_id = $1',
      [scheduleId],
    );
    return { items, total: count };
  }
}
