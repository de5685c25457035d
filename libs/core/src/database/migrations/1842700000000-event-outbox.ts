import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event outbox: a change that something durable reacts to (a webhook) writes its event here in
 * the same transaction as the change, so a crash after the commit still delivers it and a rolled-back
 * write never does. The relay moves rows out in `seq` order (one relay at a time), which keeps each
 * record's events in order; a row exists only while its event waits to be fanned out.
 */
export class EventOutbox1842700000000 implements MigrationInterface {
  name = 'EventOutbox1842700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.event_outbox (
      seq bigserial PRIMARY KEY,
      type text NOT NULL,
      order_key text NOT NULL,
      data jsonb NOT NULL,
      created timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.event_outbox`);
  }
}
