import { isUuid } from '@plinth/core';

/** One subscription: `posts`, `posts/*` (every record) or `posts/{id}`, with optional options. */
export interface Topic {
  /** The subscription exactly as the client sent it: events are named by it. */
  raw: string;
  /** Collection name or id. */
  collection: string;
  /** Set for a record topic (view rule); unset for a collection topic (list rule). */
  recordId?: string;
  filter?: string;
  expand?: string;
  /** Kind and options: subscribers with the same auth and key share one rule check per event. */
  key: string;
}

export class TopicError extends Error {}

export const MAX_TOPIC_LENGTH = 8192;
const MAX_FILTER_LENGTH = 4096;
const MAX_EXPAND_LENGTH = 1000;
const COLLECTION = /^[A-Za-z0-9_-]{1,100}$/;
// eslint-disable-next-line no-control-regex -- control characters would break the SSE framing
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Parses a topic. Options come as PocketBase sends them, `posts?options={"query":{"filter":"…",
 * "expand":"…"}}` (URL-encoded JSON; `headers` is ignored), or flat: `posts?filter=…&expand=…`.
 */
export function parseTopic(
  raw: string,
  /** Whether `id` can be a record id of `collection`: UUIDs unless told (text-id collections). */
  isRecordId: (collection: string, id: string) => boolean = (_collection, id) => isUuid(id),
): Topic {
  if (typeof raw !== 'string' || !raw) throw new TopicError('must be a non-empty string');
  if (raw.length > MAX_TOPIC_LENGTH) throw new TopicError(`must be at most ${MAX_TOPIC_LENGTH} characters`);
  if (CONTROL.test(raw)) throw new TopicError('must not contain control characters');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const parts = path.split('/');
  if (path === '*' || parts[0] === '*') {
    throw new TopicError(
      'subscribing to everything ("*") is not allowed: name a collection ("posts") or a record ("posts/{id}")',
    );
  }
  if (parts.length > 2 || !COLLECTION.test(parts[0]!)) {
    throw new TopicError('must be a collection ("posts"), "posts/*" or one record ("posts/{id}")');
  }
  let recordId: string | undefined;
  if (parts.length === 2 && parts[1] !== '*') {
    const id = parts[1]!;
    const shown = id.slice(0, 64);
    // A UUID (read lower-cased) or a text id (PocketBase's, case-sensitive), as the collection has them.
    if (!isRecordId(parts[0]!, id)) throw new TopicError(`"${shown}" is not a record id of "${parts[0]}"`);
    recordId = isUuid(id) ? id.toLowerCase() : id;
  }
  let filter: string | undefined;
  let expand: string | undefined;
  if (q >= 0) {
    let params: URLSearchParams;
    try {
      params = new URLSearchParams(raw.slice(q + 1));
    } catch {
      throw new TopicError('has options that are not a valid query string');
    }
    for (const [name, value] of params) {
      if (name === 'options') {
        const query = parseOptions(value);
        filter = query.filter ?? filter;
        expand = query.expand ?? expand;
      } else if (name === 'filter') filter = value;
      else if (name === 'expand') expand = value;
      else
        throw new TopicError(`has an unknown option "${name.slice(0, 64)}" (known: options, filter, expand)`);
    }
  }
  if (filter !== undefined && filter.length > MAX_FILTER_LENGTH) {
    throw new TopicError(`has a filter longer than ${MAX_FILTER_LENGTH} characters`);
  }
  if (expand !== undefined && expand.length > MAX_EXPAND_LENGTH) {
    throw new TopicError(`has an expand longer than ${MAX_EXPAND_LENGTH} characters`);
  }
  filter = filter?.trim() || undefined;
  expand = expand?.trim() || undefined;
  return {
    raw,
    collection: parts[0]!,
    recordId,
    filter,
    expand,
    key: `${recordId ? 'view' : 'list'}\u0000${filter ?? ''}\u0000${expand ?? ''}`,
  };
}

function parseOptions(value: string): { filter?: string; expand?: string } {
  let options: unknown;
  try {
    options = JSON.parse(value);
  } catch {
    throw new TopicError('has "options" that are not JSON');
  }
  if (!isObject(options)) throw new TopicError('has "options" that are not a JSON object');
  const query = options.query ?? {};
  if (!isObject(query)) throw new TopicError('has "options.query" that is not an object');
  const out: { filter?: string; expand?: string } = {};
  for (const [k, v] of Object.entries(query)) {
    if (k !== 'filter' && k !== 'expand') {
      throw new TopicError(`has an unknown query option "${k.slice(0, 64)}" (known: filter, expand)`);
    }
    if (typeof v !== 'string') throw new TopicError(`has "options.query.${k}" that is not a string`);
    out[k] = v;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
