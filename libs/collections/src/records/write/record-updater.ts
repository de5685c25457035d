import { Injectable } from '@nestjs/common';
import { type Principal, sql } from '@plinth/core';
import { TRUE } from '../../filter/index.js';
import { CollectionsRegistry } from '../../registry/collections.registry.js';
import type { CompiledCollection } from '../../registry/compiled-collection.js';
import { takeAdminVerified } from '../admin-auth-fields.js';
import { BeforeWrite, patched } from '../before-write.js';
import { touchesManagedFields } from '../manage-access.js';
import type { Queryable } from '../pg.js';
import { actorOf } from '../record-events.js';
import { presentFor } from '../present-record.js';
import { type BatchScope, type FormPart, RecordFilesPort, type Uploads } from '../record-ports.js';
import type { ColumnValues, Row } from '../record-sql.js';
import { RecordsRepository } from '../records.repository.js';
import { type Caller, RecordRules } from '../rules/record-rules.js';
import { updateValues } from './update-values.js';
import { fileProblems, invalid, withoutReadOnlyKeys, writeError } from './write-problems.js';
import { change, passwordHash, WriteSteps } from './write-steps.js';

/** Field types whose update needs the current row or other records (files, relations). */
const NEEDS_CURRENT_ROW = new Set(['file', 'relation']);

/** Updates records: the view rule (404) and the update rule (403) are judged before anything is written. */
@Injectable()
export class RecordUpdater {
  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly records: RecordsRepository,
    private readonly rules: RecordRules,
    private readonly steps: WriteSteps,
    private readonly files: RecordFilesPort,
    private readonly hooks: BeforeWrite,
  ) {}

  /** `hooked`: the blocking hooks were asked already; the (patched) body is judged again here. */
  async update(
    collection: string,
    id: string,
    body: unknown,
    principal: Principal,
    batch?: BatchScope,
    form?: Uploads,
    hooked = false,
  ): Promise<Row> {
    const c = this.registry.get(collection);
    const caller = this.rules.caller(c, principal, 'update');
    const uploads = new Set(form?.uploaded);
    if (!hooked && this.hooks.wants(c, 'update')) {
      const db = batch?.client ?? this.records.pool;
      const { row, current } = await this.changed(db, c, id, body, caller, uploads, batch, true);
      delete row.password_hash;
      delete row.token_key;
      delete current.password_hash;
      delete current.token_key;
      const { patch } = await this.hooks.judge({
        collection: c,
        action: 'update',
        row,
        previous: current,
        actor: actorOf(principal),
      });
      return this.update(collection, id, patched(body, patch), principal, batch, form, true);
    }
    // With a webhook on these updates, the full path writes the event in the update's transaction.
    if (!batch && uploads.size === 0 && !this.steps.wantsEvents(c, 'update')) {
      const direct = await this.updateDirectly(c, id, body, caller);
      if (direct) {
        this.steps.emitLater(
          undefined,
          change('update', c, direct.row, { principal, previous: direct.previous }),
        );
        return presentFor(c, direct.row, caller);
      }
    }
    let replacedFiles: string[] = [];
    const { row, updatedChange } = await this.steps.write(batch, async (db) => {
      const { current, values, next, removed } = await this.changed(db, c, id, body, caller, uploads, batch);
      replacedFiles = removed;
      await this.steps.checkRelations(db, c, next);
      // The rules allowed the change: only now do its uploads reach the storage.
      await form?.store();
      const updated = await this.records.update(db, c, id, values).catch((err) => {
        throw writeError(err, c);
      });
      const updatedChange = change('update', c, updated, { principal, previous: current });
      await this.steps.record(db, [updatedChange]);
      return { row: updated, updatedChange };
    });
    this.steps.emitLater(batch, updatedChange);
    const files = this.files.current;
    if (replacedFiles.length && files) {
      const recordId = String(row.id);
      await this.steps.afterCommit(batch, () => files.remove(c.def.id, recordId, replacedFiles));
    }
    return presentFor(c, row, caller);
  }

  /**
   * The rules judged and the body validated against the stored record (locked unless `preview`):
   * the columns the update sets and the record as it would be stored (`row`). A preview (for the
   * blocking hooks, before the write's transaction) reads without a lock and hashes no password.
   */
  private async changed(
    db: Queryable,
    c: CompiledCollection,
    id: string,
    body: unknown,
    caller: Caller,
    uploads: Set<string>,
    batch: BatchScope | undefined,
    preview = false,
  ) {
    const current = await this.rules.visible(db, c, id, caller, { forUpdate: !preview, withSecrets: true });
    await this.rules.mayChange(db, c, id, 'update', caller, body);
    // Admins, and callers the collection's manageRule grants this record, set password, verified, email freely.
    const manages =
      caller.bypass || (touchesManagedFields(c, body) && (await this.rules.manages(db, c, id, caller, body)));
    const verified = takeAdminVerified(c, body, manages);
    const result = c.validators.update(withoutReadOnlyKeys(verified.body), { isAdmin: manages });
    if (!result.ok) throw invalid(result.errors, `The changes to the "${c.def.name}" record are invalid`);
    const { values, problems } = await updateValues(c, current, result.value, {
      manages,
      verified: verified.verified,
      hash: (password) => (preview ? Promise.resolve('') : passwordHash(batch, body, password)),
    });
    const next = Object.fromEntries([...values].map(([k, v]) => [k, v.value]));
    const files = fileProblems(c, next, current, uploads);
    problems.push(...files.problems);
    if (problems.length) throw invalid(problems, `The changes to the "${c.def.name}" record are invalid`);
    return { current, values, next, removed: files.removed, row: { ...current, ...next } as Row };
  }

  /**
   * Update from multipart/form-data, all or nothing. With an update rule to judge, the uploads are
   * held out of storage until it allowed the change; replaced files go after the commit.
   */
  async updateFromForm(
    collection: string,
    id: string,
    parts: AsyncIterable<FormPart>,
    principal: Principal,
  ): Promise<Row> {
    const c = this.registry.get(collection);
    const caller = this.rules.caller(c, principal, 'update');
    const files = this.files.require();
    // Nothing is read, nor stored, for a record the caller cannot see.
    const current = await this.rules.visible(this.records.pool, c, id, caller);
    const recordId = String(current.id);
    const hold = !caller.bypass && c.def.updateRule !== '';
    const form = await files.receive(c, parts, recordId, { hold });
    try {
      return await this.update(collection, recordId, form.body, principal, undefined, form);
    } catch (err) {
      await form.discard();
      throw err;
    }
  }

  /**
   * The common update (plain field values, no files, relations, list modifiers or credentials) as
   * one `UPDATE … WHERE id AND view rule AND update rule RETURNING`: one round trip instead of a
   * transaction with a locking read; the row before comes back from it too (for the change event).
   * Undefined when the update needs the full path, or matched no
   * row: the full path then answers 404 / 403 / 400 exactly as before.
   */
  private async updateDirectly(
    c: CompiledCollection,
    id: string,
    body: unknown,
    caller: Caller,
  ): Promise<{ row: Row; previous: Row } | undefined> {
    if (!c.isId(id) || (!caller.bypass && c.def.viewRule === null)) return undefined;
    const result = c.validators.update(withoutReadOnlyKeys(body), { isAdmin: caller.bypass });
    if (!result.ok) return undefined;
    const value = result.value;
    const values: ColumnValues = new Map();
    const columns = new Map(c.fieldColumns.map((col) => [col.name, col]));
    for (const key of Object.keys(value)) {
      const col = columns.get(key);
      if (col) {
        if (NEEDS_CURRENT_ROW.has(col.field!.type)) return undefined;
        values.set(key, { value: value[key], cast: col.cast });
      } else if (c.isAuth && key === 'emailVisibility') {
        values.set(key, { value: value[key], cast: 'boolean' });
      } else {
        return undefined; // modifiers (`tags+`), email, password: the full path
      }
    }
    const view = this.rules.condition(c, 'view', caller, body);
    const update = this.rules.condition(c, 'update', caller, body);
    const seen = view ?? TRUE;
    const where = caller.bypass ? TRUE : update ? sql`(${seen}) AND (${update})` : seen;
    return this.records.updateIf(c, id, values, where).catch((err) => {
      throw writeError(err, c);
    });
  }
}
