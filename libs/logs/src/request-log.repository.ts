import { Injectable } from '@nestjs/common';
import { RequestPool, sql, type Sql, toQuery } from '@plinth/core';
import { DataSource } from 'typeorm';
import type { LogEntry } from './log-entry.js';

export interface LogRow {
  id: string;
  created: Date;
  method: string;
  route: string;
  url: string;
  status: number;
  duration_ms: number;
  size: string;
  ip: string;
  user_agent: string;
  auth_kind: string;
  auth_id: string;
  request_id: string;
  error_code: string;
  error_message: string;
}

/** A WHERE and ORDER BY compiled by the record filter compiler, with their bound values. */
export interface LogQuery {
  where: Sql;
  orderBy: Sql;
  limit: number;
  offset: number;
}

/** plinth.request_log: batched inserts from every replica, and the admin's reads. */
@Injectable()
export class RequestLogRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly requests: RequestPool,
  ) {}

  /** One statement for the whole batch: a row per element of the parallel arrays. */
  async insertMany(entries: readonly LogEntry[]): Promise<void> {
    const col = <T>(pick: (e: LogEntry) => T): T[] => entries.map(pick);
    await this.dataSource.query(
      `INSERT INTO plinth.request_log (id, created, method, route, url, status, duration_ms, size, ip,
         user_agent, auth_kind, auth_id, request_id, error_code, error_message)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::int[],
         $7::float8[], $8::int8[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
         $14::text[], $15::text[])`,
      [
        col((e) => e.id),
        col((e) => e.created),
        col((e) => e.method),
        col((e) => e.route),
        col((e) => e.url),
        col((e) => e.status),
        col((e) => e.durationMs),
        col((e) => e.size),
        col((e) => e.ip),
        col((e) => e.userAgent),
        col((e) => e.authKind),
        col((e) => e.authId),
        col((e) => e.requestId),
        col((e) => e.errorCode),
        col((e) => e.errorMessage),
      ],
    );
  }

  /** A page of entries and the number of all that match (list queries run under the statement timeout). */
  async list(q: LogQuery, signal?: AbortSignal): Promise<{ rows: LogRow[]; total: number }> {
    const [page, count] = await Promise.all([
      this.requests.list<LogRow>(
        toQuery(
          sql`SELECT * FROM plinth.request_log t WHERE ${q.where} ORDER BY ${q.orderBy} LIMIT ${q.limit} OFFSET ${q.offset}`,
        ),
        signal,
      ),
      this.requests.list<{ total: string }>(
        toQuery(sql`SELECT count(*) AS total FROM plinth.request_log t WHERE ${q.where}`),
        signal,
      ),
    ]);
    return { rows: page.rows, total: Number(count.rows[0]?.total ?? 0) };
  }

  async get(id: string): Promise<LogRow | undefined> {
    const rows: LogRow[] = await this.dataSource.query('SELECT * FROM plinth.request_log WHERE id = $1', [
      id,
    ]);
    return rows[0];
  }
}
