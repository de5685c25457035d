import type { PlinthClient } from '../client.js';
import type { RequestOptions } from '../types.js';

const req = (opts?: RequestOptions) => ({ signal: opts?.signal, headers: opts?.headers });

/** One changed value; a secret says only that it changed. */
export interface AuditChange {
  path: string;
  before?: unknown;
  after?: unknown;
  secret?: boolean;
}

/** One admin action (`GET /api/audit/{id}`). */
export interface AuditEntry {
  id: string;
  created: string;
  action: string;
  targetType: string;
  targetId: string;
  targetName: string;
  actorKind: 'admin' | 'key' | 'user' | 'anonymous' | 'system';
  actorId: string;
  actorName: string;
  ip: string;
  requestId: string;
  summary: string;
  changes: AuditChange[];
}

export interface AuditList {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: AuditEntry[];
}

export interface AuditListQuery {
  /** Record filter grammar over the entry's fields: `action ~ "collection." && actorName = "a@b.c"`. */
  filter?: string;
  /** Default `-created`. */
  sort?: string;
  page?: number;
  perPage?: number;
}

/** Admin: the audit trail (`/api/audit`), read-only. */
export class AuditService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  list(query: AuditListQuery = {}, options: RequestOptions = {}): Promise<AuditList> {
    return this.client.send('/api/audit', { query: { ...query }, ...req(options) });
  }

  get(id: string, options: RequestOptions = {}): Promise<AuditEntry> {
    return this.client.send(`/api/audit/${encodeURIComponent(id)}`, req(options));
  }
}

/**
 * The changes as lines of text: `- path: before` / `+ path: after` (an added value has no `-` line, a
 * removed one no `+` line), a secret as `~ path: (secret changed)`.
 */
export function auditDiffText(changes: readonly AuditChange[]): string {
  const has = (v: unknown) => v !== null && v !== undefined;
  return changes
    .flatMap((c) =>
      c.secret
        ? [`~ ${c.path}: (secret changed)`]
        : [
            ...(has(c.before) ? [`- ${c.path}: ${JSON.stringify(c.before)}`] : []),
            ...(has(c.after) || !has(c.before) ? [`+ ${c.path}: ${JSON.stringify(c.after ?? null)}`] : []),
          ],
    )
    .join('\n');
}
