import { AppError } from '@plinth/core';

export interface ListQuery {
  filter?: string;
  sort?: string;
  page: number;
  perPage: number;
  skipTotal: boolean;
  fields?: string[];
  expand?: string;
  /** Full-text search words (websearch_to_tsquery); items then carry `meta.rank`. */
  search?: string;
  /** Fields whose matches come back as snippets in `meta.highlight` (with `search`). */
  highlight?: string[];
}

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 500;

function int(name: string, raw: unknown, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new AppError('INVALID_QUERY', `${name} must be a whole number.`, {
      errors: [{ path: name, code: 'INVALID_TYPE', message: 'must be a whole number' }],
    });
  }
  return n;
}

function str(name: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') {
    throw new AppError('INVALID_QUERY', `${name} must be given once, as text.`, {
      errors: [{ path: name, code: 'INVALID_TYPE', message: 'must be given once' }],
    });
  }
  return raw;
}

/** Parses the list query string (PocketBase's names); perPage above 500 is clamped to 500. */
export function parseListQuery(q: Record<string, unknown>): ListQuery {
  const page = Math.max(1, int('page', q.page, 1));
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, int('perPage', q.perPage, DEFAULT_PER_PAGE)));
  const skip = str('skipTotal', q.skipTotal);
  return {
    filter: str('filter', q.filter),
    sort: str('sort', q.sort),
    page,
    perPage,
    skipTotal: skip === 'true' || skip === '1',
    fields: parseFields(str('fields', q.fields)),
    expand: str('expand', q.expand),
    search: str('search', q.search),
    highlight: parseFields(str('highlight', q.highlight)),
  };
}

export function parseFields(raw: string | undefined): string[] | undefined {
  if (!raw?.trim()) return undefined;
  return raw
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .slice(0, 200);
}
