import type { LookupFunction } from 'node:net';
import { assertPublicUrl, httpSend, retryAfterMs, snippet } from '@plinth/core';
import { signedHeaders } from './webhook-signing.js';

/** What one signed POST came to: an answer (any status) or a failure, in words for the log. */
export interface PostOutcome {
  ok: boolean;
  status: number | null;
  /** The first KiB of the answer (or `keep` characters). */
  response: string;
  error: string | null;
  retryAfterMs?: number;
  /** No retry can help: the outbound guard refused the address. */
  final?: boolean;
}

/**
 * POSTs `body` signed as Standard Webhooks (`webhook-id` is `msg_<id>`, one signature per secret) to
 * `url`, through the outbound guard (unless private endpoints are allowed), with a whole-request
 * timeout and no redirects. Webhook deliveries and schedule ticks both send this way.
 */
export async function postSigned(
  url: string,
  body: string,
  id: string,
  secrets: string[],
  opts: {
    timeoutMs: number;
    allowPrivate: boolean;
    lookup?: LookupFunction;
    userAgent: string;
    /** Characters of the answer kept in `response` (default 1024, the log's). */
    keep?: number;
  },
): Promise<PostOutcome> {
  try {
    if (!opts.allowPrivate) assertPublicUrl(url);
    const res = await httpSend(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': opts.userAgent,
        ...signedHeaders(id, body, secrets),
      },
      body,
      timeoutMs: opts.timeoutMs,
      lookup: opts.lookup,
    });
    const response = res.body.slice(0, opts.keep ?? 1024);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, response, error: null };
    const error =
      res.status >= 300 && res.status < 400
        ? `The URL answered a redirect (HTTP ${res.status}); redirects are not followed, so configure the final URL`
        : `The URL answered HTTP ${res.status}${response ? `: ${snippet(response)}` : ''}`;
    return {
      ok: false,
      status: res.status,
      response,
      error,
      retryAfterMs: retryAfterMs(res.headers['retry-after']),
    };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EPRIVATEADDRESS') {
      return {
        ok: false,
        status: null,
        response: '',
        final: true,
        error: `${e.message} (set PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS=true for local receivers)`,
      };
    }
    return { ok: false, status: null, response: '', error: `Sending failed: ${e.message}` };
  }
}
