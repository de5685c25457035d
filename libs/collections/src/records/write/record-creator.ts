import { Injectable } from '@nestjs/common';
import { newTokenKey, type Principal } from '@plinth/core';
import { newIdProblem } from '../../fields/id-field.js';
import type { RecordFieldError } from '../../validation/index.js';
import { CollectionsRegistry } from '../../registry/collections.registry.js';
import type { ColumnCast, CompiledCollection } from '../../registry/compiled-collection.js';
import { takeAdminVerified } from '../admin-auth-fields.js';
import { BeforeWrite, patched } from '../before-write.js';
import { actorOf } from '../record-events.js';
import type { Queryable } from '../pg.js';
import { presentFor } from '../present-record.js';
import { type BatchScope, type FormPart, RecordFilesPort, type Uploads } from '../record-ports.js';
import type { Row } from '../record-sql.js';
import { RecordsRepository } from '../records.repository.js';
import { type Caller, RecordRules } from '../rules/record-rules.js';
import { fileProblems, hasMultiRelationValues, hasOwnKey, invalid, writeError } from './write-problems.js';
import { change, passwordHash, WriteSteps } from './write-steps.js';

type Values = Map<string, { value: unknown; cast: ColumnCast }>;

/**
 * Creates records, rules first: the create rule is judged on the record as it would be stored before
 * anything is written (in the INSERT itself, or in one query ahead of held uploads and manageRule).
 */
@Injectable()
export class RecordCreator {
  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly records: RecordsRepository,
    private readonly rules: RecordRules,
    private readonly steps: WriteSteps,
    private readonly files: RecordFilesPort,
    private readonly hooks: BeforeWrite,
  ) {}

  /**
   * `hooked`: the blocking hooks were asked already (about a record with this id), so the body
   * (patched by them) is judged again by validation and the rules, and the hooks not asked twice.
   */
  async create(
    collection: string,
    body: unknown,
    principal: Principal,
    batch?: BatchScope,
    form?: Uploads,
    hooked?: { id: string },
  ): Promise<Row> {
    const c = this.registry.get(collection);
    if (!hooked && this.hooks.wants(c, 'create')) {
      const asked = await this.askHooks(c, body, principal, batch, form);
      return this.create(collection, patched(body, asked.patch), principal, batch, form, { id: asked.id });
    }
    const { caller, asksVerified, verified, value, values } = await this.prepare(
      c,
      body,
      principal,
      batch,
      form,
      hooked?.id,
    );
    const rule = this.rules.condition(c, 'create', caller, body);
    let judged = !rule;
    if (asksVerified || (rule && form?.uploaded.length)) {
      await this.judgeFirst(c, values, caller, body, batch, asksVerified);
      if (asksVerified) values.set('verified', { value: verified.verified, cast: 'boolean' });
      judged = true;
    }
    // Uploads reach the storage only now that the rule allowed the record.
    await form?.store();
    const multi = hasMultiRelationValues(c, value);
    // A webhook on these creates: the event is written in the same transaction as the record.
    const durable = this.steps.wantsEvents(c, 'create');
    const insert = async (db: Queryable) => {
      const row = await (
        judged ? this.records.insert(db, c, values) : this.records.insertIf(db, c, values, rule!)
      ).catch((err) => {
        throw writeError(err, c);
      });
      if (!row) throw this.rules.refused(c, 'create');
      // Multi relations have no foreign key: their ids are checked once the rule allowed the record.
      if (multi) await this.steps.checkRelations(db, c, value);
      const created = change('create', c, row, { principal });
      if (durable) await this.steps.record(db, [created]);
      return { row, created };
    };
    const { row, created } =
      batch || multi || durable ? await this.steps.write(batch, insert) : await insert(this.records.pool);
    this.steps.emitLater(batch, created);
    return presentFor(c, row, caller);
  }

  /**
   * The record this create would store, validated and judged by the create rule (before the hooks
   * hear of it, outside any transaction but a batch's); then the blocking hooks' verdict on it.
   */
  private async askHooks(
    c: CompiledCollection,
    body: unknown,
    principal: Principal,
    batch: BatchScope | undefined,
    form: Uploads | undefined,
  ): Promise<{ id: string; patch?: Record<string, unknown> }> {
    const { caller, asksVerified, values } = await this.prepare(
      c,
      body,
      principal,
      batch,
      form,
      undefined,
      true,
    );
    if (asksVerified || this.rules.condition(c, 'create', caller, body)) {
      await this.judgeFirst(c, values, caller, body, batch, asksVerified);
    }
    const row = Object.fromEntries([...values].map(([k, v]) => [k, v.value]));
    delete row.password_hash;
    delete row.token_key;
    const id = String(row.id);
    const { patch } = await this.hooks.judge({
      collection: c,
      action: 'create',
      row,
      actor: actorOf(principal),
    });
    return { id, patch };
  }

  /** The body checked and turned into the new record's columns (`preview`: no password hashed). */
  private async prepare(
    c: CompiledCollection,
    body: unknown,
    principal: Principal,
    batch: BatchScope | undefined,
    form: Uploads | undefined,
    id?: string,
    preview = false,
  ) {
    const caller = this.rules.caller(c, principal, 'create');
    // `verified` is for admins, and for callers whom the manageRule grants the new record (judged below).
    const asksVerified = c.isAuth && !caller.bypass && hasOwnKey(body, 'verified');
    const verified = takeAdminVerified(c, body, caller.bypass || asksVerified);
    const result = c.validators.create(verified.body);
    if (!result.ok) {
      // Invalid anyway: answered as for anyone else, `verified` then being an unknown field too.
      const asIs = asksVerified ? c.validators.create(body) : result;
      throw invalid(asIs.ok ? result.errors : asIs.errors, `The record for "${c.def.name}" is invalid`);
    }
    const value = result.value;
    const idProblem = newIdProblemOf(c, value.id);
    if (idProblem) throw invalid([idProblem], `The record for "${c.def.name}" is invalid`);
    const files = fileProblems(c, value, undefined, new Set(form?.uploaded)).problems;
    if (files.length) throw invalid(files, `The record for "${c.def.name}" is invalid`);
    const values = await this.values(c, value, body, batch, id, preview);
    if (verified.verified !== undefined && caller.bypass)
      values.set('verified', { value: verified.verified, cast: 'boolean' });
    return { caller, asksVerified, verified, value, values };
  }

  /**
   * Create from multipart/form-data. With a rule to judge, the uploads are held out of storage until
   * it allowed the record; if anything fails, they are deleted again.
   */
  async createFromForm(
    collection: string,
    parts: AsyncIterable<FormPart>,
    principal: Principal,
  ): Promise<Row> {
    const c = this.registry.get(collection);
    const caller = this.rules.caller(c, principal, 'create');
    const hold = !caller.bypass && c.def.createRule !== '';
    const form = await this.files.require().receive(c, parts, undefined, { hold });
    try {
      return await this.create(collection, form.body, principal, undefined, form);
    } catch (err) {
      await form.discard();
      throw err;
    }
  }

  /** The columns of the new record (without `verified`, which only admins and managers set). */
  private async values(
    c: CompiledCollection,
    value: Record<string, unknown>,
    body: unknown,
    batch: BatchScope | undefined,
    presetId?: string,
    preview = false,
  ): Promise<Values> {
    const id = typeof value.id === 'string' ? value.id : (presetId ?? c.newRecordId()!);
    const values: Values = new Map([['id', { value: id, cast: c.idType }]]);
    for (const col of c.fieldColumns) {
      if (col.name in value) values.set(col.name, { value: value[col.name], cast: col.cast });
    }
    if (c.isAuth) {
      values.set('email', { value: value.email, cast: 'text' });
      values.set('emailVisibility', { value: value.emailVisibility ?? false, cast: 'boolean' });
      values.set('password_hash', {
        value: preview ? '' : await passwordHash(batch, body, String(value.password)),
        cast: 'text',
      });
      values.set('token_key', { value: newTokenKey(), cast: 'text' });
    }
    return values;
  }

  /** The create rule (403) and, for `verified`, the manageRule (else 400 as for anyone) ahead of the INSERT. */
  private async judgeFirst(
    c: CompiledCollection,
    values: Values,
    caller: Caller,
    body: unknown,
    batch: BatchScope | undefined,
    asksVerified: boolean,
  ): Promise<void> {
    const db = batch?.client ?? this.records.pool;
    const { manages } = await this.rules.judgeNew(db, c, values, caller, body);
    if (asksVerified && !manages) {
      // As for anyone else: `verified` is an unknown field.
      const asIs = c.validators.create(body);
      if (!asIs.ok) throw invalid(asIs.errors, `The record for "${c.def.name}" is invalid`);
    }
  }
}

/** A text id the client chose that the collection's id field refuses, or one it must choose and did not. */
function newIdProblemOf(c: CompiledCollection, id: unknown): RecordFieldError | undefined {
  if (!c.def.idField) return undefined;
  if (typeof id !== 'string' || id === '') {
    if (c.def.idField.autogeneratePattern) return undefined;
    return { path: 'id', code: 'REQUIRED', message: 'is required: this collection makes no ids of its own' };
  }
  const problem = newIdProblem(c.def.idField, id);
  return problem ? { path: 'id', code: 'INVALID_VALUE', message: problem } : undefined;
}
