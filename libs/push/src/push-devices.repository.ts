import { Injectable } from '@nestjs/common';
import { AppError } from '@plinth/core';
import { DataSource } from 'typeorm';
import type { DeviceAddress, Platform } from './push.types.js';

export const MAX_DEVICES_PER_USER = 50;

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

/** A device as the worker reads it before a send. */
export type StoredDevice = DeviceAddress & { active: boolean; inactiveReason: string | null };

/** The SQL of push devices and their topic subscriptions. */
@Injectable()
export class PushDevicesRepository {
  constructor(private readonly dataSource: DataSource) {}

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
}
