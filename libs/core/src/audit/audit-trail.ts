import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { newId } from '../ids.js';
import { Metrics } from '../metrics/metrics.js';
import { currentActor } from './audit-context.js';
import { MAX_CHANGES, type AuditChange } from './audit-diff.js';
import { AuditWriteRepository } from './audit-write.repository.js';

/** What an admin did to what; who, from where and in which request come from the request served. */
export interface AuditEvent {
  /** `area.verb`: `collection.update`, `settings.update`, `api_key.create`, ... */
  action: string;
  targetType: string;
  targetId?: string;
  targetName?: string;
  /** One line a person reads, e.g. `rules changed: listRule, viewRule`. */
  summary?: string;
  changes?: AuditChange[];
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Untrusted text as stored: control characters removed, capped. */
export const auditText = (text: string | undefined, max: number): string =>
  (text ?? '')
    .slice(0, max * 2)
    .replace(CONTROL, '')
    .slice(0, max);

/**
 * The audit trail: one row per admin action in plinth.audit_log. Inside the change's transaction when
 * it has one (a rolled-back change leaves no entry), in a savepoint so that a failed audit write
 * never fails the change; lost entries are counted in `plinth_audit_entries_dropped_total`.
 */
@Injectable()
export class AuditTrail {
  private readonly logger = new Logger('Audit');
  private readonly dropped: Counter;
  private lastWarning = 0;

  constructor(
    private readonly repo: AuditWriteRepository,
    metrics: Metrics,
  ) {
    this.dropped =
      (metrics.registry.getSingleMetric('plinth_audit_entries_dropped_total') as Counter | undefined) ??
      new Counter({
        name: 'plinth_audit_entries_dropped_total',
        help: 'Audit trail entries that could not be stored (the change itself went through)',
        registers: [metrics.registry],
      });
  }

  async record(event: AuditEvent, tx?: EntityManager): Promise<void> {
    const actor = currentActor();
    const row = {
      id: newId(),
      action: auditText(event.action, 64),
      targetType: auditText(event.targetType, 64),
      targetId: auditText(event.targetId, 128),
      targetName: auditText(event.targetName, 256),
      actorKind: actor.kind,
      actorId: auditText(actor.id, 128),
      actorName: auditText(actor.name, 320),
      ip: auditText(actor.ip, 64),
      requestId: auditText(actor.requestId, 128),
      summary: auditText(event.summary, 1000),
      changes: (event.changes ?? []).slice(0, MAX_CHANGES),
    };
    try {
      if (!tx) return await this.repo.insert(row);
      await tx.query('SAVEPOINT plinth_audit');
      try {
        await this.repo.insert(row, tx);
        await tx.query('RELEASE SAVEPOINT plinth_audit');
      } catch (err) {
        await tx.query('ROLLBACK TO SAVEPOINT plinth_audit');
        throw err;
      }
    } catch (err) {
      this.dropped.inc();
      if (Date.now() - this.lastWarning > 60_000) {
        this.lastWarning = Date.now();
        this.logger.warn(
          `Could not store the audit entry of ${row.action}: ${(err as Error).message}. The change went through; lost entries are counted in plinth_audit_entries_dropped_total.`,
        );
      }
    }
  }
}
