import { Injectable } from '@nestjs/common';
import { compileFilter, compileSort, filterProblem, FilterError, parseListQuery } from '@plinth/collections';
import { AppError, isUuid, type Sql } from '@plinth/core';
import { LOG_COLLECTION, logFilterContext } from './log-filter.js';
import { RequestLogRepository, type LogRow } from './request-log.repository.js';

const toView = (r: LogRow) => ({
  id: r.id,
  created: new Date(r.created).toISOString(),
  method: r.method,
  route: r.route,
  url: r.url,
  status: r.status,
  duration: r.duration_ms,
  size: Number(r.size),
  ip: r.ip,
  userAgent: r.user_agent,
  authKind: r.auth_kind,
  authId: r.auth_id,
  requestId: r.request_id,
  errorCode: r.error_code,
  errorMessage: r.error_message,
});

export type LogView = ReturnType<typeof toView>;

/** Reads the request log with the record filter grammar, sort and paging of the records list. */
@Injectable()
export class LogsService {
  constructor(private readonly repo: RequestLogRepository) {}

  async list(query: Record<string, unknown>, signal?: AbortSignal) {
    const q = parseListQuery(query);
    const ctx = logFilterContext();
    let where: Sql;
    let orderBy: Sql;
    try {
      where = compileFilter(q.filter ?? '', LOG_COLLECTION, 't', ctx);
      orderBy = compileSort(q.sort?.trim() ? q.sort : '-created', LOG_COLLECTION, 't', ctx);
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

  async get(id: string): Promise<LogView> {
    const row = isUuid(id) ? await this.repo.get(id) : undefined;
    if (!row) {
      throw new AppError(
        'LOG_NOT_FOUND',
        `No request log entry has the id ${JSON.stringify(id.slice(0, 64))}. It may be past retention.`,
      );
    }
    return toView(row);
  }
}
