import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** plinth.setting: one JSON object per settings section, keyed by the section's name. */
@Injectable()
export class SettingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The stored object of a section; undefined when it was never saved. */
  async read(key: string): Promise<Record<string, unknown> | undefined> {
    const rows: Array<{ value: Record<string, unknown> }> = await this.dataSource.query(
      'SELECT value FROM plinth.setting WHERE key = $1',
      [key],
    );
    return rows[0]?.value;
  }

  async write(key: string, value: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO plinth.setting (key, value, updated) VALUES ($1, $2, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated = now()`,
      [key, JSON.stringify(value)],
    );
  }

  /** Stores `value` unless the section exists, then answers what is stored (the first writer wins). */
  async writeOnce(key: string, value: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.dataSource.query(
      `INSERT INTO plinth.setting (key, value, updated) VALUES ($1, $2, now()) ON CONFLICT (key) DO NOTHING`,
      [key, JSON.stringify(value)],
    );
    return (await this.read(key))!;
  }
}
