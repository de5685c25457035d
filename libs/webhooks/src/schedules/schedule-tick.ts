import type { LookupFunction } from 'node:net';
import { postSigned } from '../signed-post.js';
import type { RunOutcome } from './schedules.repository.js';

/** The body a URL target receives on each tick (and on run-now). */
export interface ScheduleTickPayload {
  type: 'schedule.tick';
  timestamp: string;
  data: { schedule: { id: string; name: string }; scheduledFor: string };
}

/**
 * POSTs one tick to a URL target, signed as Standard Webhooks says (`webhook-id` is `msg_<run id>`),
 * with the webhooks' outbound guard and timeout. Every answer and failure becomes a logged outcome.
 */
export async function postTick(
  url: string,
  payload: ScheduleTickPayload,
  runId: string,
  secret: string,
  opts: { timeoutMs: number; allowPrivate: boolean; lookup?: LookupFunction },
): Promise<RunOutcome> {
  const started = Date.now();
  const o = await postSigned(url, JSON.stringify(payload), runId, [secret], {
    ...opts,
    userAgent: 'Plinth-Schedules/1',
  });
  return {
    ok: o.ok,
    httpStatus: o.status,
    response: o.response,
    error: o.error,
    durationMs: Date.now() - started,
  };
}
