import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type FailurePolicy = 'deny' | 'allow';

export interface HookRow {
  id: string;
  name: string;
  url: string;
  events: string[];
  filter: string;
  timeout_ms: number;
  failure_policy: FailurePolicy;
  enabled: boolean;
  /** Sealed (SecretBox). */
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Date | null;
  created: Date;
  updated: Date;
}

type Settable = Pick<
  HookRow,
  'name' | 'url' | 'events' | 'filter' | 'timeout_ms' | 'failure_policy' | 'enabled'
>;

/** Blocking hooks (plinth.hook). */
@Injectable()
export class HooksRepository {
  constructor(private readonly dataSource: DataSource) {}

  all(): Promise<HookRow[]> {
    return this.dataSource.query('SELECT * FROM plinth.hook ORDER BY created, id');
  }

  async find(id: string): Promise<HookRow | undefined> {
    const [row] = await this.dataSource.query('SELECT * FROM plinth.hook WHERE id = $1', [id]);
    return row;
  }

  async insert(row: Settable & Pick<HookRow, 'id' | 'secret'>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO plinth.hook (id, name, url, events, filter, timeout_ms, failure_policy, enabled, secret)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        row.id,
        row.name,
        row.url,
        row.events,
        row.filter,
        row.timeout_ms,
        row.failure_policy,
        row.enabled,
        row.secret,
      ],
    );
  }

  async update(id: string, patch: Partial<Settable>): Promise<boolean> {
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.hook SET
         name = COALESCE($2, name), url = COALESCE($3, url), events = COALESCE($4, events),
         filter = COALESCE($5, filter), timeout_ms = COALESCE($6, timeout_ms),
         failure_policy = COALESCE($7, failure_policy), enabled = COALESCE($8, enabled), updated = now()
       WHERE id = $1 RETURNING id`,
      [
        id,
        patch.name ?? null,
        patch.url ?? null,
        patch.events ?? null,
        patch.filter ?? null,
        patch.timeout_ms ?? null,
        patch.failure_policy ?? null,
        patch.enabled ?? null,
      ],
    );
    return rows.length > 0;
  }

  async rotateSecret(id: string, sealed: string, keepOldMs: number): Promise<boolean> {
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.hook SET previous_secret = secret, secret = $2,
         previous_secret_until = now() + make_interval(secs => $3::double precision / 1000), updated = now()
       WHERE id = $1 RETURNING id`,
      [id, sealed, keepOldMs],
    );
    return rows.length > 0;
  }

  async delete(id: string): Promise<boolean> {
    const [, count] = await this.dataSource.query('DELETE FROM plinth.hook WHERE id = $1', [id]);
    return count > 0;
  }
}
