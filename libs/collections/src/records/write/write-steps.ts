import { Injectable } from '@nestjs/common';
import { hashPassword, type FieldProblem, type Principal } from '@plinth/core';
import { CollectionsRegistry } from '../../registry/collections.registry.js';
import type { CompiledCollection } from '../../registry/compiled-collection.js';
import { isMultiple } from '../../schema/collection.types.js';
import { ChangeOutbox, changeEvent } from '../change-outbox.js';
import type { Queryable } from '../pg.js';
import { actorOf, RecordEvents, type RecordChange } from '../record-events.js';
import type { BatchScope } from '../record-ports.js';
import { rowToRecord, type Row } from '../record-sql.js';
import { RecordsRepository } from '../records.repository.js';
import { invalid } from './write-problems.js';

/** Change events keep empty values as null: realtime reads them back as a table row to judge rules. */
const AS_STORED = { zeroValues: false } as const;

/** What creates, updates and deletes share: their transaction (or the batch's), events, relation checks. */
@Injectable()
export class WriteSteps {
  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly records: RecordsRepository,
    private readonly events: RecordEvents,
    private readonly outbox: ChangeOutbox,
  ) {}

  /** Runs `work` in the batch's transaction, or in a transaction of its own. */
  async write<T>(batch: BatchScope | undefined, work: (db: Queryable) => Promise<T>): Promise<T> {
    if (batch) return work(batch.client);
    return this.records.transaction(work);
  }

  /** Runs `work` now (the write committed) or, inside a batch, once the batch committed. */
  async afterCommit(batch: BatchScope | undefined, work: () => Promise<void>): Promise<void> {
    if (batch) (batch.afterCommit ??= []).push(work);
    else await work();
  }

  /**
   * Whether a durable subscriber (a webhook) wants this collection's `action` events: the write then
   * runs in a transaction, to write its events into the outbox with it.
   */
  wantsEvents(c: CompiledCollection, action: RecordChange['action']): boolean {
    return this.outbox.wantsAny([
      {
        type: `${c.def.name}.${action}`,
        orderKey: '',
        data: { collectionId: c.def.id, collectionName: c.def.name },
      },
    ]);
  }

  /** Writes the events of these changes that something wants into the outbox, in `db`'s transaction. */
  async record(db: Queryable, changes: RecordChange[]): Promise<void> {
    if (changes.length && this.outbox.wantsAny(changes.map(changeEvent))) {
      await this.outbox.write(db, changes.map(changeEvent));
    }
  }

  /** Publishes a change now, or once the batch committed. */
  emitLater(batch: BatchScope | undefined, change: RecordChange): void {
    if (batch) batch.events.push(change);
    else this.events.emit(change);
  }

  /** Multi relations have no FK: check every id exists (single ones fail on their FK). */
  async checkRelations(db: Queryable, c: CompiledCollection, value: Record<string, unknown>): Promise<void> {
    const problems: FieldProblem[] = [];
    for (const col of c.fieldColumns) {
      const f = col.field!;
      if (f.type !== 'relation' || !isMultiple(f) || !Array.isArray(value[col.name])) continue;
      const ids = [...new Set(value[col.name] as string[])];
      if (!ids.length) continue;
      const target = this.registry.get(f.collection!);
      if ((await this.records.countExisting(db, target, ids)) !== ids.length) {
        problems.push({
          path: col.name,
          code: 'RELATION_NOT_FOUND',
          message: `refers to records that do not exist in "${target.def.name}"`,
        });
      }
    }
    if (problems.length) throw invalid(problems, `The record for "${c.def.name}" is invalid`);
  }
}

/**
 * A change event of `row` (as stored) for realtime, webhooks and the other listeners: made by
 * `principal`, and of an update, with the row before it.
 */
export function change(
  action: RecordChange['action'],
  c: CompiledCollection,
  row: Row,
  made: { principal?: Principal; previous?: Row } = {},
): RecordChange {
  return {
    action,
    collectionId: c.def.id,
    collectionName: c.def.name,
    record: rowToRecord(row, c, AS_STORED),
    ...(made.previous ? { previous: rowToRecord(made.previous, c, AS_STORED) } : {}),
    ...(made.principal ? { actor: actorOf(made.principal) } : {}),
  };
}

/** The batch's hash of this body's password when it made one before its transaction; else hashes now. */
export function passwordHash(
  batch: BatchScope | undefined,
  body: unknown,
  password: string,
): Promise<string> {
  const pre =
    batch?.passwordHashes && body && typeof body === 'object' ? batch.passwordHashes.get(body) : undefined;
  return pre?.password === password ? Promise.resolve(pre.hash) : hashPassword(password);
}
