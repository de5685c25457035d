import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RecordChange } from './record-events.js';

/** One event as the outbox keeps it: its type (`posts.create`), what orders it, and what it says. */
export interface OutboxEvent {
  type: string;
  /** Events with the same key reach each subscriber in the order they were written. */
  orderKey: string;
  data: Record<string, unknown>;
}

/** What runs the INSERT: a write's transaction client, or the DataSource. */
interface Runs {
  query(text: string, params: unknown[]): Promise<unknown>;
}

/** Who reacts durably to events (webhooks): whether it wants one, and a nudge once some are committed. */
export interface OutboxSink {
  wants(event: OutboxEvent): boolean;
  written(): void;
}

/** The outbox event of a record change: `<collection>.<action>`, ordered per record. */
export function changeEvent(change: RecordChange): OutboxEvent {
  return {
    type: `${change.collectionName}.${change.action}`,
    orderKey: `${change.collectionId}:${String(change.record.id)}`,
    // Serialized as it is: no copy on the write path.
    data: change as unknown as Record<string, unknown>,
  };
}

/**
 * The transactional outbox (plinth.event_outbox). Writes call `write` inside their transaction, so
 * an event exists exactly when its change committed; with no durable subscriber that wants it (the
 * sink answers from memory) nothing is written and the write costs nothing more.
 */
@Injectable()
export class ChangeOutbox {
  private sink?: OutboxSink;

  constructor(private readonly dataSource: DataSource) {}

  /** Plugged in at boot by the lib that delivers events (webhooks). */
  use(sink: OutboxSink): void {
    this.sink = sink;
  }

  /** Whether any of these changes is wanted: a write then takes a transaction to write its event in. */
  wantsAny(changes: OutboxEvent[]): boolean {
    const sink = this.sink;
    return !!sink && changes.some((e) => sink.wants(e));
  }

  /** Writes the wanted events with `db` (the change's transaction); answers how many. */
  async write(db: Runs, events: OutboxEvent[]): Promise<number> {
    const sink = this.sink;
    const wanted = sink ? events.filter((e) => sink.wants(e)) : [];
    if (!wanted.length) return 0;
    await db.query(
      `INSERT INTO plinth.event_outbox (type, order_key, data)
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])`,
      [wanted.map((e) => e.type), wanted.map((e) => e.orderKey), wanted.map((e) => JSON.stringify(e.data))],
    );
    return wanted.length;
  }

  /**
   * Writes events of a change that was not a record write of ours (an account event after its
   * change), on its own, then nudges the sink. Answers once they are stored.
   */
  async add(events: OutboxEvent[]): Promise<void> {
    if (await this.write(this.dataSource, events)) this.written();
  }

  /** After the commit: the sink may fan the new events out now rather than at its next sweep. */
  written(): void {
    this.sink?.written();
  }
}
