import { Injectable } from '@nestjs/common';
import { type CompiledCollection, snapshotTable } from '@plinth/collections';
import { sql, type Sql, toQuery } from '@plinth/core';
import { DataSource, type EntityManager } from 'typeorm';

export interface WebhookRow {
  id: string;
  name: string;
  url: string;
  events: string[];
  filter: string;
  include_hidden: boolean;
  enabled: boolean;
  /** Sealed (SecretBox). */
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Date | null;
  consecutive_failures: number;
  disabled_reason: string | null;
  created: Date;
  updated: Date;
}

export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'dead';

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_type: string;
  order_key: string;
  payload: unknown;
  status: DeliveryStatus;
  attempts: number;
  replayed_after: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  created: Date;
}

export interface AttemptRow {
  attempt: number;
  at: Date;
  duration_ms: number;
  status: number | null;
  response: string;
  error: string | null;
}

export interface NewDelivery {
  id: string;
  webhookId: string;
  eventType: string;
  orderKey: string;
  payload: unknown;
}

/** An attempt's outcome as stored: the answer's first KiB, no NUL (PostgreSQL text refuses it). */
export interface AttemptResult {
  deliveryId: string;
  attempt: number;
  durationMs: number;
  status: number | null;
  response: string;
  error: string | null;
  /** 'delivered', 'dead', or a retry at this time. */
  next: 'delivered' | 'dead' | Date;
}

/** An event as the relay takes it out of the outbox. */
export interface OutboxRow {
  seq: string;
  type: string;
  order_key: string;
  data: Record<string, unknown>;
  created: Date;
}

const clean = (text: string, max: number): string => text.replaceAll('\u0000', '').slice(0, max);

const OPEN = `status IN ('pending', 'sending')`;

/** Webhooks, their deliveries and attempts (plinth.webhook*). */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Whether `row` (a record, maybe deleted since) read as a row of its collection's table satisfies `where`. */
  async recordMatches(c: CompiledCollection, row: Record<string, unknown>, where: Sql): Promise<boolean> {
    const { text, values } = toQuery(
      sql`SELECT EXISTS (SELECT 1 FROM ${snapshotTable(c, row)} WHERE ${where}) AS ok`,
    );
    const [answer] = await this.dataSource.query(text, values);
    return answer?.ok === true;
  }

  all(): Promise<WebhookRow[]> {
    return this.dataSource.query('SELECT * FROM plinth.webhook ORDER BY created, id');
  }

  async find(id: string): Promise<WebhookRow | undefined> {
    const [row] = await this.dataSource.query('SELECT * FROM plinth.webhook WHERE id = $1', [id]);
    return row;
  }

  async insert(
    row: Omit<
      WebhookRow,
      | 'created'
      | 'updated'
      | 'previous_secret'
      | 'previous_secret_until'
      | 'consecutive_failures'
      | 'disabled_reason'
    >,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO plinth.webhook (id, name, url, events, filter, include_hidden, enabled, secret)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.id, row.name, row.url, row.events, row.filter, row.include_hidden, row.enabled, row.secret],
    );
  }

  async update(
    id: string,
    patch: Partial<Pick<WebhookRow, 'name' | 'url' | 'events' | 'filter' | 'include_hidden' | 'enabled'>>,
  ): Promise<boolean> {
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.webhook SET
         name = COALESCE($2, name), url = COALESCE($3, url), events = COALESCE($4, events),
         filter = COALESCE($5, filter), include_hidden = COALESCE($6, include_hidden),
         enabled = COALESCE($7, enabled),
         -- Enabling again starts the failure count anew and clears the reason it was disabled.
         consecutive_failures = CASE WHEN $7 IS TRUE THEN 0 ELSE consecutive_failures END,
         disabled_reason = CASE WHEN $7 IS TRUE THEN NULL ELSE disabled_reason END,
         updated = now()
       WHERE id = $1 RETURNING id`,
      [
        id,
        patch.name ?? null,
        patch.url ?? null,
        patch.events ?? null,
        patch.filter ?? null,
        patch.include_hidden ?? null,
        patch.enabled ?? null,
      ],
    );
    return rows.length > 0;
  }

  async rotateSecret(id: string, sealed: string, keepOldMs: number): Promise<boolean> {
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.webhook SET previous_secret = secret, secret = $2,
         previous_secret_until = now() + make_interval(secs => $3::double precision / 1000), updated = now()
       WHERE id = $1 RETURNING id`,
      [id, sealed, keepOldMs],
    );
    return rows.length > 0;
  }

  async delete(id: string): Promise<boolean> {
    const [, count] = await this.dataSource.query('DELETE FROM plinth.webhook WHERE id = $1', [id]);
    return count > 0;
  }

  /** Events written outside a record write (push outcomes), in call order. */
  async insertOutbox(events: Array<{ type: string; orderKey: string; data: unknown }>): Promise<void> {
    if (!events.length) return;
    await this.dataSource.query(
      `INSERT INTO plinth.event_outbox (type, order_key, data)
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])`,
      [events.map((e) => e.type), events.map((e) => e.orderKey), events.map((e) => JSON.stringify(e.data))],
    );
  }

  /**
   * Takes up to `limit` of the oldest events out of the outbox and writes the deliveries `fanOut`
   * makes of them, in one transaction: an event is fanned out exactly once, or stays for the next
   * relay. One relay at a time (an advisory lock), so deliveries keep the events' order; undefined
   * when another relay holds the lock.
   */
  async drainOutbox(
    limit: number,
    fanOut: (events: OutboxRow[]) => Promise<NewDelivery[]>,
  ): Promise<{ taken: number; deliveries: NewDelivery[] } | undefined> {
    return this.dataSource.transaction(async (tx) => {
      const [lock] = await tx.query(
        `SELECT pg_try_advisory_xact_lock(hashtext('plinth.event_outbox')) AS locked`,
      );
      if (!lock?.locked) return undefined;
      const [rows] = (await tx.query(
        `DELETE FROM plinth.event_outbox WHERE seq IN (SELECT seq FROM plinth.event_outbox ORDER BY seq LIMIT $1)
         RETURNING seq, type, order_key, data, created`,
        [limit],
      )) as [OutboxRow[], number];
      rows.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      const deliveries = rows.length ? await fanOut(rows) : [];
      await this.insertDeliveries(deliveries, tx);
      return { taken: rows.length, deliveries };
    });
  }

  async insertDeliveries(
    rows: NewDelivery[],
    db: EntityManager | DataSource = this.dataSource,
  ): Promise<void> {
    if (!rows.length) return;
    await db.query(
      `INSERT INTO plinth.webhook_delivery (id, webhook_id, event_type, order_key, payload)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[])`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.webhookId),
        rows.map((r) => r.eventType),
        rows.map((r) => r.orderKey),
        rows.map((r) => JSON.stringify(r.payload)),
      ],
    );
  }

  /**
   * Takes a due delivery for one attempt, when its webhook is enabled and no earlier delivery of the
   * same record to the same webhook is still open (in order per record). Undefined: not due, or taken.
   */
  async claim(id: string, leaseMs: number): Promise<(DeliveryRow & { webhook: WebhookRow }) | undefined> {
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.webhook_delivery d SET status = 'sending', attempts = d.attempts + 1,
         lease_until = now() + make_interval(secs => $2::double precision / 1000)
       FROM plinth.webhook w
       WHERE d.id = $1 AND w.id = d.webhook_id AND w.enabled
         AND ((d.status = 'pending' AND d.next_attempt_at <= now()) OR (d.status = 'sending' AND d.lease_until <= now()))
         AND NOT EXISTS (SELECT 1 FROM plinth.webhook_delivery e
           WHERE e.webhook_id = d.webhook_id AND e.order_key = d.order_key AND e.seq < d.seq AND e.${OPEN})
       RETURNING d.*, to_jsonb(w) AS webhook`,
      [id, leaseMs],
    );
    const row = rows[0];
    if (!row) return undefined;
    const w = row.webhook as Record<string, unknown>;
    return {
      ...row,
      webhook: {
        ...w,
        previous_secret_until: w.previous_secret_until ? new Date(String(w.previous_secret_until)) : null,
      } as WebhookRow,
    };
  }

  /** Writes an attempt, moves its delivery on, and counts the webhook's failures (disabling it at `disableAfter`). */
  async recordAttempt(
    r: AttemptResult,
    webhookId: string,
    disableAfter: number,
  ): Promise<{ disabled: boolean }> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO plinth.webhook_attempt (delivery_id, attempt, duration_ms, status, response, error)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [
          r.deliveryId,
          r.attempt,
          r.durationMs,
          r.status,
          clean(r.response, 1024),
          r.error && clean(r.error, 1000),
        ],
      );
      const status = r.next instanceof Date ? 'pending' : r.next;
      await tx.query(
        `UPDATE plinth.webhook_delivery SET status = $2, lease_until = NULL, last_attempt_at = now(),
           last_status = $3, last_error = $4, next_attempt_at = COALESCE($5, next_attempt_at)
         WHERE id = $1`,
        [
          r.deliveryId,
          status,
          r.status,
          r.error && clean(r.error, 1000),
          r.next instanceof Date ? r.next : null,
        ],
      );
      if (r.next === 'delivered') {
        await tx.query(
          'UPDATE plinth.webhook SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0',
          [webhookId],
        );
        return { disabled: false };
      }
      const [rows] = await tx.query(
        `UPDATE plinth.webhook SET consecutive_failures = consecutive_failures + 1,
           enabled = CASE WHEN consecutive_failures + 1 >= $2 THEN false ELSE enabled END,
           disabled_reason = CASE WHEN consecutive_failures + 1 >= $2 AND enabled
             THEN 'Disabled after ' || $2 || ' failed attempts in a row; the last: ' || $3 ELSE disabled_reason END
         WHERE id = $1 RETURNING enabled`,
        [webhookId, disableAfter, clean(r.error ?? `HTTP ${r.status}`, 500)],
      );
      return { disabled: rows[0]?.enabled === false };
    });
  }

  /** The oldest open delivery of this record to this webhook, to be sent next in order. */
  async nextInOrder(
    webhookId: string,
    orderKey: string,
  ): Promise<{ id: string; next_attempt_at: Date } | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT id, next_attempt_at FROM plinth.webhook_delivery
       WHERE webhook_id = $1 AND order_key = $2 AND ${OPEN} ORDER BY seq LIMIT 1`,
      [webhookId, orderKey],
    );
    return row;
  }

  async deliveries(
    webhookId: string,
    opts: { status?: DeliveryStatus; limit: number; offset: number },
  ): Promise<{ items: DeliveryRow[]; total: number }> {
    const params = [webhookId, opts.status ?? null, opts.limit, opts.offset];
    const where = 'webhook_id = $1 AND ($2::text IS NULL OR status = $2)';
    const [items, [count]] = await Promise.all([
      this.dataSource.query(
        `SELECT id, webhook_id, event_type, order_key, payload, status, attempts, replayed_after, next_attempt_at,
           last_attempt_at, last_status, last_error, created
         FROM plinth.webhook_delivery WHERE ${where} ORDER BY seq DESC LIMIT $3 OFFSET $4`,
        params,
      ),
      this.dataSource.query(
        `SELECT count(*)::int AS total FROM plinth.webhook_delivery WHERE ${where}`,
        params.slice(0, 2),
      ),
    ]);
    return { items, total: count.total };
  }

  async delivery(
    webhookId: string,
    id: string,
  ): Promise<(DeliveryRow & { attempt_log: AttemptRow[] }) | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT d.*, COALESCE((SELECT jsonb_agg(to_jsonb(a) - 'delivery_id' ORDER BY a.attempt)
         FROM plinth.webhook_attempt a WHERE a.delivery_id = d.id), '[]') AS attempt_log
       FROM plinth.webhook_delivery d WHERE d.webhook_id = $1 AND d.id = $2`,
      [webhookId, id],
    );
    return row;
  }

  /** Dead letters (or one of them) back to pending, due now; answers their ids. */
  async replay(webhookId: string, deliveryId?: string): Promise<string[]> {
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.webhook_delivery SET status = 'pending', next_attempt_at = now(), replayed_after = attempts
       WHERE webhook_id = $1 AND ($2::uuid IS NULL OR id = $2) AND status IN ('dead', 'delivered')
         AND ($2::uuid IS NOT NULL OR status = 'dead')
       RETURNING id`,
      [webhookId, deliveryId ?? null],
    );
    return rows.map((r: { id: string }) => r.id);
  }

  /** Open deliveries due for a while whose jobs never ran (or whose worker died). */
  async stranded(graceMs: number, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT d.id FROM plinth.webhook_delivery d JOIN plinth.webhook w ON w.id = d.webhook_id
       WHERE w.enabled AND d.${OPEN}
         AND d.next_attempt_at <= now() - make_interval(secs => $1::double precision / 1000)
         AND (d.status = 'pending' OR d.lease_until <= now())
       ORDER BY d.next_attempt_at LIMIT $2`,
      [graceMs, limit],
    );
    return rows.map((r) => r.id);
  }
}
