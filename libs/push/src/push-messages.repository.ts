import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DeliveryStatus, Platform, PushPayload, PushTargets } from './push.types.js';

export interface MessageRow {
  id: string;
  created_by: string;
  source: string;
  targets: PushTargets;
  payload: PushPayload;
  scheduled_at: Date | null;
  created: Date;
}

export interface Counts {
  total: number;
  pending: number;
  sent: number;
  failed: number;
}

/** A SQL condition over push_device `d` selecting the targeted devices, with its parameters. */
export interface TargetSql {
  sql: string;
  params: unknown[];
}

/** The SQL of push messages as the API sees them: writing one with its deliveries, reading, retrying. */
@Injectable()
export class PushMessagesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Writes the message and one pending delivery per active targeted device in one transaction. A repeated
   * idempotency key answers the first message (`existing`). A message that reaches no device is
   * completed at once: no worker will ever finish it.
   */
  createMessage(
    m: {
      id: string;
      createdBy: string;
      idempotencyKey: string | null;
      source: string;
      targets: PushTargets;
      payload: PushPayload;
      scheduledAt: Date | null;
    },
    target: TargetSql,
  ): Promise<{ id: string; existing: boolean; deliveryIds: string[] }> {
    return this.dataSource.transaction(async (tx: EntityManager) => {
      const inserted: Array<{ id: string }> = await tx.query(
        `INSERT INTO plinth.push_message (id, created_by, idempotency_key, source, targets, payload, scheduled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id`,
        [
          m.id,
          m.createdBy,
          m.idempotencyKey,
          m.source,
          JSON.stringify(m.targets),
          JSON.stringify(m.payload),
          m.scheduledAt,
        ],
      );
      if (!inserted.length) {
        const [first] = await tx.query(
          'SELECT id FROM plinth.push_message WHERE created_by = $1 AND idempotency_key = $2',
          [m.createdBy, m.idempotencyKey],
        );
        const open: Array<{ id: string }> = await tx.query(
          `SELECT id FROM plinth.push_delivery WHERE message_id = $1 AND status IN ('pending', 'sending') ORDER BY id`,
          [first.id],
        );
        return { id: first.id as string, existing: true, deliveryIds: open.map((r) => r.id) };
      }
      const rows: Array<{ id: string; platform: Platform }> = await tx.query(
        `INSERT INTO plinth.push_delivery (id, message_id, device_id, platform, next_attempt_at)
         SELECT gen_random_uuid(), $1, d.id, d.platform, COALESCE($2::timestamptz, now())
         FROM plinth.push_device d WHERE d.active AND (${target.sql})
         RETURNING id, platform`,
        [m.id, m.scheduledAt, ...target.params],
      );
      if (!rows.length) {
        await tx.query('UPDATE plinth.push_message SET completed_at = now() WHERE id = $1', [m.id]);
      }
      return { id: m.id, existing: false, deliveryIds: rows.map((r) => r.id).sort() };
    });
  }

  /** Active devices matching a target condition, per platform. */
  async countTargets(target: TargetSql): Promise<Map<Platform, number>> {
    const rows: Array<{ platform: Platform; n: number }> = await this.dataSource.query(
      `SELECT d.platform, count(*)::int AS n FROM plinth.push_device d
       WHERE d.active AND (${target.sql}) GROUP BY d.platform`,
      target.params,
    );
    return new Map(rows.map((r) => [r.platform, r.n]));
  }

  async message(id: string): Promise<MessageRow | undefined> {
    const [row] = await this.dataSource.query('SELECT * FROM plinth.push_message WHERE id = $1', [id]);
    return row;
  }

  async counts(messageIds: string[]): Promise<Map<string, Counts>> {
    const rows: Array<{ message_id: string; status: DeliveryStatus; n: number }> =
      await this.dataSource.query(
        `SELECT message_id, status, count(*)::int AS n FROM plinth.push_delivery
       WHERE message_id = ANY($1::uuid[]) GROUP BY message_id, status`,
        [messageIds],
      );
    const out = new Map<string, Counts>(
      messageIds.map((id) => [id, { total: 0, pending: 0, sent: 0, failed: 0 }]),
    );
    for (const r of rows) {
      const c = out.get(r.message_id)!;
      c.total += r.n;
      if (r.status === 'sent') c.sent += r.n;
      else if (r.status === 'failed') c.failed += r.n;
      else c.pending += r.n;
    }
    return out;
  }

  deliveries(messageId: string): Promise<
    Array<{
      id: string;
      device_id: string | null;
      platform: Platform;
      status: DeliveryStatus;
      attempts: number;
      error: string | null;
      sent_at: Date | null;
      next_attempt_at: Date;
    }>
  > {
    return this.dataSource.query(
      `SELECT id, device_id, platform, status, attempts, error, sent_at, next_attempt_at
       FROM plinth.push_delivery WHERE message_id = $1 ORDER BY id`,
      [messageId],
    );
  }

  async listMessages(page: number, perPage: number): Promise<{ items: MessageRow[]; total: number }> {
    const [{ n }] = await this.dataSource.query('SELECT count(*)::int AS n FROM plinth.push_message');
    const items = await this.dataSource.query(
      'SELECT * FROM plinth.push_message ORDER BY created DESC, id DESC LIMIT $1 OFFSET $2',
      [perPage, (page - 1) * perPage],
    );
    return { items, total: n };
  }

  /** Dead letters whose device is still active go back to pending with fresh attempts. */
  async retryFailed(messageId: string): Promise<string[]> {
    const [rows]: [Array<{ id: string }>, number] = await this.dataSource.query(
      `UPDATE plinth.push_delivery p SET status = 'pending', attempts = 0, error = NULL, next_attempt_at = now(),
         lease_until = NULL, updated = now()
       FROM plinth.push_device d
       WHERE p.message_id = $1 AND p.status = 'failed' AND d.id = p.device_id AND d.active
       RETURNING p.id`,
      [messageId],
    );
    // Open again: it completes (push.message.completed) once more when the retries are done.
    if (rows.length) {
      await this.dataSource.query('UPDATE plinth.push_message SET completed_at = NULL WHERE id = $1', [
        messageId,
      ]);
    }
    return rows.map((r) => r.id).sort();
  }
}
