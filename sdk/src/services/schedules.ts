import type { PlinthClient } from '../client.js';
import type { ApiAnswer, RequestOptions } from '../types.js';

const req = (opts?: RequestOptions) => ({ signal: opts?.signal, headers: opts?.headers });
const path = (id: string) => `/api/schedules/${encodeURIComponent(id)}`;

export type ScheduleModel = ApiAnswer<'/api/schedules', 'get'>['items'][number];
/** The answer of `schedules.create`: the only time `secret` is shown. */
export type NewSchedule = ApiAnswer<'/api/schedules', 'post'>;
export type ScheduleRunList = ApiAnswer<'/api/schedules/{id}/runs', 'get'>;
export type ScheduleRun = ScheduleRunList['items'][number];

export type ScheduleTarget =
  { type: 'url'; url: string } | { type: 'job'; job: 'maintenance.cleanup' | 'backups.create' };

export interface ScheduleInput {
  name?: string;
  /** Five fields (`0 3 * * *`), or six with seconds first. */
  cron?: string;
  /** IANA time zone the cron is read in (default UTC). */
  timezone?: string;
  enabled?: boolean;
  target?: ScheduleTarget;
}

/** Admin: schedules (`/api/schedules`): cron ticks to a signed URL or a built-in job, run now, run log. */
export class SchedulesService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  async list(options: RequestOptions = {}): Promise<ScheduleModel[]> {
    return (await this.client.send<{ items: ScheduleModel[] }>('/api/schedules', req(options))).items;
  }

  get(id: string, options: RequestOptions = {}): Promise<ScheduleModel> {
    return this.client.send(path(id), req(options));
  }

  /** The answer carries the signing secret of URL calls (`whsec_...`): store it now, it is not shown again. */
  create(
    input: ScheduleInput & { name: string; cron: string; target: ScheduleTarget },
    options: RequestOptions = {},
  ): Promise<NewSchedule> {
    return this.client.send('/api/schedules', { method: 'POST', body: input, ...req(options) });
  }

  update(id: string, input: ScheduleInput, options: RequestOptions = {}): Promise<ScheduleModel> {
    return this.client.send(path(id), { method: 'PATCH', body: input, ...req(options) });
  }

  async delete(id: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(path(id), { method: 'DELETE', ...req(options) });
  }

  /** Queues a run now (even while disabled); follow it in `runs`. */
  run(id: string, options: RequestOptions = {}): Promise<{ runId: string }> {
    return this.client.send(`${path(id)}/run`, { method: 'POST', ...req(options) });
  }

  runs(
    id: string,
    query: { page?: number; perPage?: number } = {},
    options: RequestOptions = {},
  ): Promise<ScheduleRunList> {
    return this.client.send(`${path(id)}/runs`, { query, ...req(options) });
  }
}
