import type { LookupFunction } from 'node:net';
import { assertPublicUrl, httpSend, snippet } from '@plinth/core';
import { signedHeaders } from '../webhook-signing.js';
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
  const body = JSON.stringify(payload);
  const started = Date.now();
  const ended = (o: Omit<RunOutcome, 'durationMs'>): RunOutcome => ({
    ...o,
    durationMs: Date.now() - started,
  });
  try {
    if (!opts.allowPrivate) assertPublicUrl(url);
    const res = await httpSend(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Plinth-Schedules/1',
        ...signedHeaders(runId, body, [secret]),
      },
      body,
      timeoutMs: opts.timeoutMs,
      lookup: opts.lookup,
    });
    const response = res.body.slice(0, 1024);
    if (res.status >= 200 && res.status < 300) {
      return ended({ ok: true, httpStatus: res.status, response, error: null });
    }
    const error =
      res.status >= 300 && res.status < 400
        ? `The URL answered a redirect (HTTP ${res.status}); schedules do not follow redirects, so configure the final URL`
        : `The URL answered HTTP ${res.status}${response ? `: ${snippet(response)}` : ''}`;
    return ended({ ok: false, httpStatus: res.status, response, error });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint =
      e.code === 'EPRIVATEADDRESS'
        ? ' (set PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS=true for local receivers)'
        : '';
    return ended({
      ok: false,
      httpStatus: null,
      response: '',
      error: `Calling the URL failed: ${e.message}${hint}`,
    });
  }
}
