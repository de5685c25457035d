import { Injectable } from '@nestjs/common';
import { RequestPool, sql, toQuery, type AuditChange } from '@plinth/core';
import { DataSource } from 'typeorm';
import type { LogQuery } from './request-log.repository.js';

export interface AuditLogRow {
  id: string;
  created: Date;
  action: string;
  target_type: string;
  target_id: string;
  target_name: string;
  actor_kind: string;
  actor_id: string;
  actor_name: string;
  ip: string;
  request_id: string;
  summary: string;
  changes: AuditChange[];
}

/** Admins' reads of plinth.audit_log (libs/core writes it, in the transactions of the changes). */
@Injectable()
export class AuditReadRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly requests: RequestPool,
  ) {}

  async list(q: LogQuery, signal?: AbortSignal): Promise<{ rows: AuditLogRow[]; total: number }> {
    const [page, count] = await Promise.all([
      this.requests.list<AuditLogRow>(
        toQuery(
          sql`SELECT * FROM plinth.audit_log t WHERE ${q.where} ORDER BY ${q.orderBy} LIMIT ${q.limit} OFFSET ${q.offset}`,
        ),
        signal,
      ),
      this.requests.list<{ total: string }>(
        toQuery(sql`SELECT count(*) AS total FROM plinth.audit_log t WHERE ${q.where}`),
        signal,
      ),
    ]);
    return { rows: page.rows, total: Number(count.rows[0]?.total ?? 0) };
  }

  async get(id: string): Promise<AuditLogRow | undefined> {
    const rows: AuditLogRow[] = await this.dataSource.query('SELECT * FROM plinth.audit_log WHERE id = $1', [
      id,
    ]);
    return rows[0];
  }
}
