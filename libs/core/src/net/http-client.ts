import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const MAX_ANSWER = 64 * 1024;

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 128 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 128 }),
};
const guardedAgents = new Map<LookupFunction, { 'http:': http.Agent; 'https:': https.Agent }>();

function agentFor(protocol: 'http:' | 'https:', lookup?: LookupFunction): http.Agent {
  if (!lookup) return agents[protocol];
  let pair = guardedAgents.get(lookup);
  if (!pair) {
    pair = {
      'http:': new http.Agent({ keepAlive: true, maxSockets: 128, lookup }),
      'https:': new https.Agent({ keepAlive: true, maxSockets: 128, lookup }),
    };
    guardedAgents.set(lookup, pair);
  }
  return pair[protocol];
}

/**
 * One HTTP/1.1 request with keep-alive, a whole-request timeout and a capped answer. Rejects on
 * network errors and timeouts only; every HTTP status resolves.
 */
export function httpSend(
  url: string,
  opts: {
    method: string;
    headers: Record<string, string | number>;
    body?: string | Buffer;
    timeoutMs: number;
    lookup?: LookupFunction;
  },
): Promise<HttpAnswer> {
  const target = new URL(url);
  const protocol = target.protocol as 'http:' | 'https:';
  if (protocol !== 'http:' && protocol !== 'https:') {
    return Promise.reject(new Error(`unsupported URL scheme ${target.protocol}`));
  }
  const client = protocol === 'https:' ? https : http;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: opts.method,
        headers:
          opts.body !== undefined
            ? { ...opts.headers, 'content-length': Buffer.byteLength(opts.body) }
            : opts.headers,
        agent: agentFor(protocol, opts.lookup),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const answer = () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER),
          });
        };
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_ANSWER) chunks.push(c);
          // A huge answer is not read to its end: the first 64 KiB are all anyone looks at.
          else {
            answer();
            res.destroy();
          }
        });
        res.on('end', answer);
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(opts.body);
  });
}

/** `Retry-After` as milliseconds (seconds or an HTTP date), capped at an hour. */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const seconds = Number(v);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(v) - Date.now();
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, 3600_000);
}

/** A provider's answer shortened for an error column and a log line. */
export const snippet = (text: string, max = 200): string => {
  // Control characters (NUL above all) cannot go into a text column.
  const clean = text
    // eslint-disable-next-line no-control-regex -- matching them is the point
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? clean.slice(0, max) + '…' : clean;
};
