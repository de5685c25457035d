import { Injectable } from '@nestjs/common';
import { compileFilter, compileSort, filterProblem, FilterError, parseListQuery } from '@plinth/collections';
import { AppError, isUuid, type Sql } from '@plinth/core';
import { AUDIT_COLLECTION } from './audit-filter.js';
import { AuditReadRepository, type AuditLogRow } from './audit-read.repository.js';
import { logFilterContext } from './log-filter.js';

const toView = (r: AuditLogRow) => ({
  id: r.id,
  created: new Date(r.created).toISOString(),
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  targetName: r.target_name,
  actorKind: r.actor_kind,
  actorId: r.actor_id,
  actorName: r.actor_name,
  ip: r.ip,
  requestId: r.request_id,
  summary: r.summary,
  changes: r.changes.map((c) => (c.secret ? { path: c.path, secret: true } : c)),
});

export type AuditView = ReturnType<typeof toView>;

/** Reads the audit trail with the record filter grammar, sort and paging of the records list. */
@Injectable()
export class AuditService {
  constructor(private readonly repo: AuditReadRepository) {}

  async list(query: Record<string, unknown>, signal?: AbortSignal) {
    const q = parseListQuery(query);
    const ctx = logFilterContext();
    let where: Sql;
    let orderBy: Sql;
    try {
      where = compileFilter(q.filter ?? '', AUDIT_COLLECTION, 't', ctx);
      orderBy = compileSort(q.sort?.trim() ? q.sort : '-created', AUDIT_COLLECTION, 't', ctx);
    } catch (err) {
      if (err instanceof FilterError)
        throw filterProblem(err, err.code.startsWith('SORT') ? 'sort' : 'filter');
      throw err;
    }
    const { rows, total } = await this.repo.list(
      { where, orderBy, limit: q.perPage, offset: (q.page - 1) * q.perPage },
      signal,
    );
    return {
      page: q.page,
      perPage: q.perPage,
      totalItems: total,
      totalPages: Math.ceil(total / q.perPage),
      items: rows.map(toView),
    };
  }

  async get(id: string): Promise<AuditView> {
    const row = isUuid(id) ? await this.repo.get(id) : undefined;
    if (!row) {
      throw new AppError(
        'AUDIT_ENTRY_NOT_FOUND',
        `No audit entry has the id ${JSON.stringify(id.slice(0, 64))}. It may be past retention (PLINTH_AUDIT_RETENTION_DAYS).`,
      );
    }
    return toView(row);
  }
}
