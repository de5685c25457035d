import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditChange } from './audit-diff.js';

/** One row of plinth.audit_log as written: every text already cleaned and capped. */
export interface AuditRow {
  id: string;
  action: string;
  targetType: string;
  targetId: string;
  targetName: string;
  actorKind: string;
  actorId: string;
  actorName: string;
  ip: string;
  requestId: string;
  summary: string;
  changes: AuditChange[];
}

/** Writes plinth.audit_log (in the caller's transaction when it has one) and enforces its retention. */
@Injectable()
export class AuditWriteRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(row: AuditRow, tx?: EntityManager): Promise<void> {
    await (tx ?? this.dataSource).query(
      `INSERT INTO plinth.audit_log (id, action, target_type, target_id, target_name, actor_kind, actor_id,
         actor_name, ip, request_id, summary, changes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        row.id,
        row.action,
        row.targetType,
        row.targetId,
        row.targetName,
        row.actorKind,
        row.actorId,
        row.actorName,
        row.ip,
        row.requestId,
        row.summary,
        JSON.stringify(row.changes),
      ],
    );
  }

  /** Deletes entries created more than `days` days ago; answers how many. */
  async deleteOlderThan(days: number): Promise<number> {
    const [, count] = await this.dataSource.query(
      `DELETE FROM plinth.audit_log WHERE created < now() - make_interval(days => $1)`,
      [days],
    );
    return Number(count ?? 0);
  }
}
