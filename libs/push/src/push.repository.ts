import { Injectable } from '@nestjs/common';
import { AppError } from '@plinth/core';
import { DataSource, type EntityManager } from 'typeorm';
import type { DeliveryStatus, DeviceAddress, Platform, PushPayload, PushTargets } from './push.types.js';

export const MAX_DEVICES_PER_USER = 50;

/** A reason as stored: at most 1000 characters, no NUL (PostgreSQL text refuses it). */
const cleanError = (e: string): string => e.replaceAll('\u0000', '').slice(0, 1000);

export interface DeviceRow {
  id: string;
  collection_id: string;
  user_id: string;
  platform: Platform;
  token: string;
  keys: { p256dh: string; auth: string } | null;
  app_id: string | null;
  locale: string | null;
  active: boolean;
  inactive_reason: string | null;
  created: Date;
  updated: Date;
}

export interface DeviceInput {
  platform: Platform;
  token: string;
  keys: { p256dh: string; auth: string } | null;
  appId: string | null;
  locale: string | null;
}

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

/** A device as the worker reads it before a send. */
export type StoredDevice = DeviceAddress & { active: boolean; inactiveReason: string | null };

/** A SQL condition over push_device `d` selecting the targeted devices, with its parameters. */
export interface TargetSql {
  sql: string;
  params: unknown[];
}

/** Every SQL statement of the push lib. */
@Injectable()
export class PushRepository {
  constructor(private readonly dataSource: DataSource) {}

  // --- devices ---

  /** Registers or updates a device (by platform + token) for a user, within the per-user limit. */
  upsertDevice(
    user: { collectionId: string; userId: string },
    id: string,
    d: DeviceInput,
  ): Promise<DeviceRow> {
    return this.dataSource.transaction(async (m) => {
      // One registration per user at a time, so the limit holds under concurrent requests.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`push-device:${user.userId}`]);
      const [mine] = await m.query(
        `SELECT id FROM plinth.push_device WHERE platform = $1 AND token = $2 AND user_id = $3 AND collection_id = $4`,
        [d.platform, d.token, user.userId, user.collectionId],
      );
      if (!mine) {
        const [{ n }] = await m.query(
          `SELECT count(*)::int AS n FROM plinth.push_device WHERE collection_id = $1 AND user_id = $2 AND active`,
          [user.collectionId, user.userId],
        );
        if (n >= MAX_DEVICES_PER_USER) {
          throw new AppError(
            'PUSH_DEVICE_LIMIT',
            `This user already has ${MAX_DEVICES_PER_USER} devices registered: remove one with DELETE /api/push/devices/{id} first.`,
          );
        }
      }
      // The same token registered by someone else moves to this user (a shared device signed in anew,
      // FCM's model): the previous owner's topic subscriptions stay behind, so they no longer reach it.
      await m.query(
        `DELETE FROM plinth.push_topic WHERE device_id IN (SELECT id FROM plinth.push_device
           WHERE platform = $1 AND token = $2 AND (user_id <> $3 OR collection_id <> $4))`,
        [d.platform, d.token, user.userId, user.collectionId],
      );
      const [row] = await m.query(
        `INSERT INTO plinth.push_device (id, collection_id, user_id, platform, token, keys, app_id, locale)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (platform, token) DO UPDATE SET collection_id = EXCLUDED.collection_id,
           user_id = EXCLUDED.user_id, keys = EXCLUDED.keys, app_id = EXCLUDED.app_id, locale = EXCLUDED.locale,
           active = true, inactive_reason = NULL, updated = now()
         RETURNING *`,
        [
          id,
          user.collectionId,
          user.userId,
          d.platform,
          d.token,
          d.keys && JSON.stringify(d.keys),
          d.appId,
          d.locale,
        ],
      );
      return row as DeviceRow;
    });
  }

  async deleteDevice(id: string, userId: string): Promise<boolean> {
    const res = await this.dataSource.query('DELETE FROM plinth.push_device WHERE id = $1 AND user_id = $2', [
      id,
      userId,
    ]);
    return Number(res[1]) > 0;
  }

  async deleteUserDevices(collectionId: string, userId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM plinth.push_device WHERE collection_id = $1 AND user_id = $2', [
      collectionId,
      userId,
    ]);
  }

  async userDeviceIds(userId: string, deviceId?: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM plinth.push_device WHERE user_id = $1 AND ($2::uuid IS NULL OR id = $2)`,
      [userId, deviceId ?? null],
    );
    return rows.map((r) => r.id);
  }

  async listDevices(
    f: { user?: string; platform?: Platform; active?: boolean },
    page: number,
    perPage: number,
  ): Promise<{ items: Array<DeviceRow & { topics: string[] }>; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.user) where.push(`d.user_id = $${params.push(f.user)}`);
    if (f.platform) where.push(`d.platform = $${params.push(f.platform)}`);
    if (f.active !== undefined) where.push(`d.active = $${params.push(f.active)}`);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ n }] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM plinth.push_device d ${cond}`,
      params,
    );
    const items = await this.dataSource.query(
      `SELECT d.*, COALESCE((SELECT array_agg(t.topic ORDER BY t.topic) FROM plinth.push_topic t WHERE t.device_id = d.id), '{}') AS topics
       FROM plinth.push_device d ${cond} ORDER BY d.created DESC, d.id DESC
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, perPage, (page - 1) * perPage],
    );
    return { items, total: n };
  }

  async subscribe(topic: string, deviceIds: string[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO plinth.push_topic (topic, device_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [topic, deviceIds],
    );
  }

  async unsubscribe(topic: string, deviceIds: string[]): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM plinth.push_topic WHERE topic = $1 AND device_id = ANY($2::uuid[])`,
      [topic, deviceIds],
    );
  }

  async deactivate(ids: Array<{ id: string; reason: string }>): Promise<void> {
    if (!ids.length) return;
    await this.dataSource.query(
      `UPDATE plinth.push_device d SET active = false, inactive_reason = u.reason, updated = now()
       FROM unnest($1::uuid[], $2::text[]) AS u(id, reason) WHERE d.id = u.id`,
      [ids.map((i) => i.id), ids.map((i) => i.reason)],
    );
  }

  async devicesByIds(ids: string[]): Promise<Map<string, StoredDevice>> {
    if (!ids.length) return new Map();
    const rows: DeviceRow[] = await this.dataSource.query(
      'SELECT id, platform, token, keys, app_id, active, inactive_reason FROM plinth.push_device WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          platform: r.platform,
          token: r.token,
          keys: r.keys,
          appId: r.app_id,
          active: r.active,
          inactiveReason: r.inactive_reason,
        },
      ]),
    );
  }

  // --- messages ---

  /**
   * Writes the message and one pending delivery per active targeted device in one transaction. A repeated
   * idempotency key answers the first message (`existing`).
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

  // --- the worker ---

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
   * Marks the message completed when none of its deliveries is open, once: answers its counts only
   * to the caller whose update set `completed_at` (two workers finishing together: one wins).
   */
  async completeIfDone(messageId: string): Promise<Counts | undefined> {
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.push_message m SET completed_at = now()
       WHERE m.id = $1 AND m.completed_at IS NULL AND NOT EXISTS (SELECT 1 FROM plinth.push_delivery p
         WHERE p.message_id = m.id AND p.status IN ('pending', 'sending'))
       RETURNING m.id`,
      [messageId],
    );
    return rows.length ? (await this.counts([messageId])).get(messageId) : undefined;
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

  // --- triggers ---

  async allTriggers(): Promise<Array<{ collection_id: string; triggers: unknown[] }>> {
    return this.dataSource.query('SELECT collection_id, triggers FROM plinth.push_trigger');
  }

  async saveTriggers(collectionId: string, triggers: unknown[]): Promise<void> {
    if (!triggers.length) {
      await this.dataSource.query('DELETE FROM plinth.push_trigger WHERE collection_id = $1', [collectionId]);
      return;
    }
    await this.dataSource.query(
      `INSERT INTO plinth.push_trigger (collection_id, triggers, updated) VALUES ($1, $2, now())
       ON CONFLICT (collection_id) DO UPDATE SET triggers = EXCLUDED.triggers, updated = now()`,
      [collectionId, JSON.stringify(triggers)],
    );
  }
}
