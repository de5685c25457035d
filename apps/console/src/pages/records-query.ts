/** The list a records page shows, kept in the hash query so reload and Back keep it. */
export interface ListState {
  filter: string;
  sort: string;
  page: number;
  perPage: number;
}

export const PER_PAGE = [10, 30, 100, 500];
const DEFAULTS: ListState = { filter: '', sort: '-created', page: 1, perPage: 30 };

const positive = (raw: string | null, fallback: number) => {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

export function readListState(q: URLSearchParams | undefined): ListState {
  return {
    filter: q?.get('filter') ?? DEFAULTS.filter,
    sort: q?.get('sort') ?? DEFAULTS.sort,
    page: positive(q?.get('page') ?? null, DEFAULTS.page),
    perPage: Math.min(500, positive(q?.get('perPage') ?? null, DEFAULTS.perPage)),
  };
}

/** `/collections/posts?filter=…&sort=…&page=2`: only what differs from the defaults. */
export function listPath(name: string, s: ListState): string {
  const q = new URLSearchParams();
  if (s.filter) q.set('filter', s.filter);
  if (s.sort !== DEFAULTS.sort) q.set('sort', s.sort);
  if (s.page !== DEFAULTS.page) q.set('page', String(s.page));
  if (s.perPage !== DEFAULTS.perPage) q.set('perPage', String(s.perPage));
  const qs = q.toString();
  return `/collections/${encodeURIComponent(name)}${qs ? `?${qs}` : ''}`;
}
