import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Platform } from './push.types.js';

/** A reason as stored: at most 1000 characters, no NUL (PostgreSQL text refuses it). */
const cleanError = (e: string): string => e.replaceAll('\u0000', '').slice(0, 1000);

export interface ClaimedDelivery {
  id: string;
  device_id: string | null;
  platform: Platform;
  attempts: number;
}

/** Where a delivery stands after one attempt. */
export type DeliveryResult =
  | { id: string; status: 'sent' }
  | { id: string; status: 'failed'; error: string }
  | { id: string; status: 'pending'; error: string; delayMs: number };

/** A delivery that has just failed for good (a dead letter), with its device's owner. */
export interface FailedDelivery {
  id: string;
  device_id: string | null;
  platform: Platform;
  user_id: string | null;
  error: string;
}

/** Columns of a FailedDelivery, in a RETURNING of an UPDATE of push_delivery `p`. */
const FAILED_COLUMNS = `p.id, p.device_id, p.platform, p.error,
  (SELECT d.user_id FROM plinth.push_device d WHERE d.id = p.device_id) AS user_id`;

/** The SQL of the worker: claiming due deliveries, recording their results, completing messages. */
@Injectable()
export class PushClaimsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes the due deliveries among `ids`: pending ones whose time has come and ones a dead worker
   * left "sending" past their lease. A row already sent or failed is never taken again.
   */
  async claim(
    messageId: string,
    ids: string[],
    leaseMs: number,
    maxClaims: number,
  ): Promise<{ claimed: ClaimedDelivery[]; failed: FailedDelivery[] }> {
    // A delivery whose worker died `maxClaims` times is given up rather than tried forever.
    const [failed] = await this.dataSource.query(
      `UPDATE plinth.push_delivery p SET status = 'failed', lease_until = NULL, updated = now(),
         error = 'The worker sending it stopped ' || attempts || ' times; retry the message to try again'
       WHERE id = ANY($1::uuid[]) AND message_id = $2 AND status = 'sending' AND lease_until <= now() AND attempts >= $3
       RETURNING ${FAILED_COLUMNS}`,
      [ids, messageId, maxClaims],
    );
    // TypeORM answers an UPDATE … RETURNING with [rows, count].
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.push_delivery SET status = 'sending', attempts = attempts + 1,
         lease_until = now() + make_interval(secs => $3::double precision / 1000), updated = now()
       WHERE id = ANY($1::uuid[]) AND message_id = $2
         AND ((status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND lease_until <= now()))
       RETURNING id, device_id, platform, attempts`,
      [ids, messageId, leaseMs],
    );
    return { claimed: rows as ClaimedDelivery[], failed: failed as FailedDelivery[] };
  }

  /** Writes results; answers the deliveries that failed for good. */
  async record(results: DeliveryResult[]): Promise<FailedDelivery[]> {
    const sent = results.filter((r) => r.status === 'sent').map((r) => r.id);
    const failed = results.filter(
      (r): r is Extract<DeliveryResult, { status: 'failed' }> => r.status === 'failed',
    );
    const later = results.filter(
      (r): r is Extract<DeliveryResult, { status: 'pending' }> => r.status === 'pending',
    );
    if (sent.length) {
      await this.dataSource.query(
        `UPDATE plinth.push_delivery SET status = 'sent', sent_at = now(), error = NULL, lease_until = NULL, updated = now()
         WHERE id = ANY($1::uuid[]) AND status = 'sending'`,
        [sent],
      );
    }
    let dead: FailedDelivery[] = [];
    if (failed.length) {
      [dead] = await this.dataSource.query(
        `UPDATE plinth.push_delivery p SET status = 'failed', error = u.error, lease_until = NULL, updated = now()
         FROM unnest($1::uuid[], $2::text[]) AS u(id, error) WHERE p.id = u.id AND p.status = 'sending'
         RETURNING ${FAILED_COLUMNS}`,
        [failed.map((r) => r.id), failed.map((r) => cleanError(r.error))],
      );
    }
    if (later.length) {
      await this.dataSource.query(
        `UPDATE plinth.push_delivery p SET status = 'pending', error = u.error, lease_until = NULL, updated = now(),
           next_attempt_at = now() + make_interval(secs => u.delay / 1000)
         FROM unnest($1::uuid[], $2::text[], $3::double precision[]) AS u(id, error, delay)
         WHERE p.id = u.id AND p.status = 'sending'`,
        [later.map((r) => r.id), later.map((r) => cleanError(r.error)), later.map((r) => r.delayMs)],
      );
    }
    return dead;
  }

  /**
   * Marks the message completed when none of its deliveries is open, once: answers true only to the
   * caller whose update set `completed_at` (two workers finishing together: one wins).
   */
  async completeIfDone(messageId: string): Promise<boolean> {
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.push_message m SET completed_at = now()
       WHERE m.id = $1 AND m.completed_at IS NULL AND NOT EXISTS (SELECT 1 FROM plinth.push_delivery p
         WHERE p.message_id = m.id AND p.status IN ('pending', 'sending'))
       RETURNING m.id`,
      [messageId],
    );
    return rows.length > 0;
  }

  /** When the earliest of `ids` still open becomes due (ms since epoch), or undefined when none is open. */
  async nextDue(messageId: string, ids: string[]): Promise<number | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT min(CASE WHEN status = 'pending' THEN next_attempt_at ELSE lease_until END) AS due
       FROM plinth.push_delivery WHERE id = ANY($1::uuid[]) AND message_id = $2 AND status IN ('pending', 'sending')`,
      [ids, messageId],
    );
    return row?.due ? new Date(row.due).getTime() : undefined;
  }

  /**
   * Deliveries due for more than `graceMs` that no job took (pending), or left "sending" more than
   * `graceMs` past their lease, of messages whose time has come: the oldest `limit`, by message.
   */
  async stranded(graceMs: number, limit: number): Promise<Array<{ message_id: string; ids: string[] }>> {
    return this.dataSource.query(
      `SELECT message_id, array_agg(id::text ORDER BY id) AS ids FROM (
         SELECT d.id, d.message_id FROM plinth.push_delivery d
         JOIN plinth.push_message m ON m.id = d.message_id
         WHERE d.status IN ('pending', 'sending')
           AND d.next_attempt_at <= now() - make_interval(secs => $1::double precision / 1000)
           AND (d.status = 'pending' OR d.lease_until <= now() - make_interval(secs => $1::double precision / 1000))
           AND (m.scheduled_at IS NULL OR m.scheduled_at <= now())
         ORDER BY d.next_attempt_at LIMIT $2
       ) s GROUP BY message_id ORDER BY message_id`,
      [graceMs, limit],
    );
  }
}
