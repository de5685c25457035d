import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The SQL of the per-collection push triggers. */
@Injectable()
export class PushTriggersRepository {
  constructor(private readonly dataSource: DataSource) {}

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
