import { Injectable } from '@nestjs/common';
import { AppError, type Principal } from '@plinth/core';
import { CollectionsRegistry } from '../../registry/collections.registry.js';
import type { CompiledCollection } from '../../registry/compiled-collection.js';
import { isMultiple } from '../../schema/collection.types.js';
import { BeforeWrite } from '../before-write.js';
import type { Queryable } from '../pg.js';
import { actorOf, type RecordChange } from '../record-events.js';
import { type BatchScope, RecordFilesPort } from '../record-ports.js';
import type { Row } from '../record-sql.js';
import { RecordsRepository } from '../records.repository.js';
import { RecordRules } from '../rules/record-rules.js';
import { writeError } from './write-problems.js';
import { change, WriteSteps } from './write-steps.js';

/** Deletes records with their relations' onDelete, and their stored files once the delete committed. */
@Injectable()
export class RecordDeleter {
  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly records: RecordsRepository,
    private readonly rules: RecordRules,
    private readonly steps: WriteSteps,
    private readonly files: RecordFilesPort,
    private readonly hooks: BeforeWrite,
  ) {}

  async delete(collection: string, id: string, principal: Principal, batch?: BatchScope): Promise<void> {
    const c = this.registry.get(collection);
    const caller = this.rules.caller(c, principal, 'delete');
    if (this.hooks.wants(c, 'delete')) {
      // Judged by the rules, then by the blocking hooks, before the delete's transaction (whose rules judge again).
      const db = batch?.client ?? this.records.pool;
      const current = await this.rules.visible(db, c, id, caller);
      await this.rules.mayChange(db, c, id, 'delete', caller);
      // A patch means nothing to a delete: only the verdict counts.
      await this.hooks.judge({ collection: c, action: 'delete', row: current, actor: actorOf(principal) });
    }
    const changes: RecordChange[] = [];
    await this.steps.write(batch, async (db) => {
      const current = await this.rules.visible(db, c, id, caller, { forUpdate: true });
      await this.rules.mayChange(db, c, id, 'delete', caller);
      await this.deleteWithRelations(db, c, current, changes, new Set(), principal);
      await this.steps.record(db, changes);
    });
    for (const ch of changes) this.steps.emitLater(batch, ch);
    // Stored files of every deleted record (cascades included) go once the delete committed.
    const withFiles = changes.filter(
      (ch) =>
        ch.action === 'delete' &&
        this.registry.findById(ch.collectionId)?.def.fields.some((f) => f.type === 'file'),
    );
    const files = this.files.current;
    if (withFiles.length && files) {
      await this.steps.afterCommit(batch, async () => {
        for (const ch of withFiles) await files.remove(ch.collectionId, String(ch.record.id));
      });
    }
  }

  /**
   * Deletes a record, applying every relation's onDelete here rather than leaving single relations
   * to their PostgreSQL foreign keys (which stay as a safety net): records removed by a cascade then
   * apply their own relations' settings and publish their delete, and records cleared by set-null
   * publish their update.
   */
  private async deleteWithRelations(
    db: Queryable,
    c: CompiledCollection,
    current: Row,
    changes: RecordChange[],
    seen: Set<string>,
    principal: Principal,
  ) {
    const id = current.id as string;
    if (seen.has(id)) return;
    seen.add(id);
    for (const other of this.registry.all()) {
      for (const field of other.fields) {
        if (field.type !== 'relation' || field.collection !== c.def.name) continue;
        const oc = this.registry.get(other.id);
        const multiple = isMultiple(field);
        const onDelete = field.onDelete ?? 'set-null';
        if (onDelete === 'set-null') {
          for (const row of await this.records.clearReferences(db, oc, field.name, multiple, id)) {
            changes.push(change('update', oc, row, { principal }));
          }
          continue;
        }
        const refs = (await this.records.referencing(db, oc, field.name, multiple, id)).filter(
          (ref) => !seen.has(ref.id as string),
        );
        if (!refs.length) continue;
        if (onDelete === 'restrict') {
          throw new AppError(
            'RELATION_RESTRICTED',
            `This record is still referenced by "${other.name}.${field.name}" (onDelete: restrict). Remove those references first.`,
          );
        }
        for (const ref of refs) await this.deleteWithRelations(db, oc, ref, changes, seen, principal);
      }
    }
    const row = await this.records.delete(db, c, id).catch((err) => {
      throw writeError(err, c, 'delete');
    });
    // No row: a foreign key's cascade from a record of this same delete took it (a cycle).
    changes.push(change('delete', c, row ?? current, { principal }));
  }
}
