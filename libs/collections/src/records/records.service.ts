import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  PLINTH_CONFIG,
  type PlinthConfig,
  hashPassword,
  isAdminLike,
  isUuid,
  keyAllows,
  newId,
  newTokenKey,
  verifyPassword,
  type FieldProblem,
  type Principal,
} from '@plinth/core';
import type { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { compileFilter, compileRule, compileSort, FilterError, type FilterContext } from '../filter/index.js';
import { currentRequestInfo } from './request-info.js';
import { CollectionsRegistry } from '../registry/collections.registry.js';
import type { ColumnCast, CompiledCollection } from '../registry/compiled-collection.js';
import { isMultiple, type RuleName } from '../schema/collection.types.js';
import { declaredIndexName } from '../schema/index.js';
import { type ListQuery } from './list-query.js';
import { takeAdminVerified } from './admin-auth-fields.js';
import { manageRuleWhere, touchesManagedFields } from './manage-access.js';
import { withTransaction, type Queryable } from './pg.js';
import { RecordEvents, type RecordChange } from './record-events.js';
import { keyReads } from './key-reads.js';
import { presentRecord } from './present-record.js';
import { expandRecords, parseExpand, type ExpandTree, type ViewOf } from './record-expand.js';
import { rowToRecord, type Row } from './record-sql.js';
import { RecordsRepository } from './records.repository.js';

type Op = 'list' | 'view' | 'create' | 'update' | 'delete';

interface Access {
  /** Admins and scoped API keys: no rules. */
  bypass: boolean;
  canSeeHidden: boolean;
}

/** Passwords a batch hashed before its transaction, by the request body that sets them. */
export type PasswordHashes = WeakMap<object, { password: string; hash: string }>;

/** A running batch: its transaction client and the events to emit after it commits. */
export interface BatchScope {
  client: PoolClient;
  events: RecordChange[];
  /** Work to do once the batch committed (deleting stored files of removed or replaced files). */
  afterCommit?: Array<() => Promise<void>>;
  passwordHashes?: PasswordHashes;
}

/** One part of a multipart/form-data body, as @fastify/multipart yields it. */
export type FormPart =
  | {
      type: 'field';
      fieldname: string;
      value: unknown;
      valueTruncated?: boolean;
      fieldnameTruncated?: boolean;
    }
  | { type: 'file'; fieldname: string; filename: string; mimetype: string; file: Readable };

/** A multipart body after it was read: the record body (file fields hold the uploads' stored names). */
export interface ReceivedForm {
  recordId: string;
  body: Record<string, unknown>;
  /** Stored names of this request's uploads. */
  uploaded: string[];
  /** Puts held uploads into storage; called once the rule allowed the write (nothing to do if streamed there). */
  store(): Promise<void>;
  /** Deletes this request's uploads, held or stored, after the write failed. Never throws. */
  discard(): Promise<void>;
}

/** The uploads a write carries: their names, and how to store them once the write is allowed. */
export type Uploads = Pick<ReceivedForm, 'uploaded' | 'store'>;

/** The storage side of file fields, provided by the storage lib through `RecordsService.useFiles`. */
export interface RecordFiles {
  /**
   * Reads the form: file parts go under the record's prefix (`recordId`, or a new id for a create),
   * the other parts become the record body. With `hold`, files are kept out of storage until `store()`
   * (a rule is still to judge the write); else streamed there at once. Leaves nothing when it throws.
   */
  receive(
    c: CompiledCollection,
    parts: AsyncIterable<FormPart>,
    recordId: string | undefined,
    opts?: { hold?: boolean },
  ): Promise<ReceivedForm>;
  /** Deletes a record's stored files: the names given (with their thumbnails), or all of them. Never throws. */
  remove(collectionId: string, recordId: string, names?: string[]): Promise<void>;
}

/** Change events keep empty values as null: realtime reads them back as a table row to judge rules. */
const AS_STORED = { zeroValues: false } as const;

/** The file names a file field's value holds. */
function fileNames(v: unknown): string[] {
  return Array.isArray(v)
    ? v.filter((n): n is string => typeof n === 'string')
    : typeof v === 'string' && v
      ? [v]
      : [];
}

export interface ListResult {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: Row[];
}

export function filterProblem(err: FilterError, param: string): AppError {
  return new AppError(err.code, `${param}: ${err.message}`, {
    errors: [{ path: param, code: err.code, message: err.message }],
    ...(err.position !== undefined ? { position: err.position } : {}),
  });
}

const RULE_OF: Record<Op, RuleName> = {
  list: 'listRule',
  view: 'viewRule',
  create: 'createRule',
  update: 'updateRule',
  delete: 'deleteRule',
};

/** Records CRUD with rules, validation, expand and relation semantics (DESIGN §3, §4, §10). */
@Injectable()
export class RecordsService {
  private files?: RecordFiles;

  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly records: RecordsRepository,
    private readonly events: RecordEvents,
    @Inject(PLINTH_CONFIG) private readonly config: PlinthConfig,
  ) {}

  /** Called by the storage lib at boot: file uploads and deletions go through it. */
  useFiles(files: RecordFiles): void {
    this.files = files;
  }

  requireFiles(): RecordFiles {
    if (!this.files) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'File uploads are not enabled on this server; send JSON.');
    }
    return this.files;
  }

  // ---- access -------------------------------------------------------------------------------

  private access(c: CompiledCollection, principal: Principal, op: Op): Access {
    if (isAdminLike(principal)) return { bypass: true, canSeeHidden: true };
    if (principal.kind === 'key') {
      const need = op === 'list' || op === 'view' ? 'read' : 'write';
      if (!keyAllows(principal, c.def.name, need)) {
        throw new AppError('SCOPE_REQUIRED', `This API key lacks the "${c.def.name}:${need}" scope.`);
      }
      return { bypass: true, canSeeHidden: false };
    }
    if (c.def[RULE_OF[op]] === null) {
      throw new AppError(
        'ADMIN_REQUIRED',
        `Only admins may ${op} records of "${c.def.name}" (its ${RULE_OF[op]} is locked).`,
      );
    }
    return { bypass: false, canSeeHidden: false };
  }

  private context(
    principal: Principal,
    access: Access,
    params: unknown[],
    body?: Record<string, unknown>,
  ): FilterContext {
    return {
      schema: this.registry.filterSchema,
      params,
      now: new Date(),
      auth:
        principal.kind === 'user'
          ? {
              ...principal.record,
              id: principal.id,
              collectionId: principal.collectionId,
              collectionName: principal.collectionName,
            }
          : null,
      body,
      isAdmin: access.bypass,
      canSeeHidden: access.canSeeHidden,
      // PocketBase lets superusers filter by @request.* and @collection.*; here admins and keys.
      allowRequestMacros: access.bypass,
      ...keyReads(principal),
      ...requestInfo(),
    };
  }

  /** The rule as SQL for this caller ('TRUE' when rules are bypassed). */
  private rule(c: CompiledCollection, op: Op, ctx: FilterContext): string {
    if (ctx.isAdmin) return 'TRUE';
    const start = ctx.params.length;
    try {
      return compileRule(c.def[RULE_OF[op]], c.filter, 't', {
        ...ctx,
        allowRequestMacros: true,
        canSeeHidden: true,
      });
    } catch (err) {
      // Too many submitted items for `@request.body.x:each`: the body's fault, not the rule's.
      if (err instanceof FilterError && err.code === 'FILTER_TOO_COMPLEX') throw filterProblem(err, 'body');
      // A rule that no longer compiles (e.g. a field it names was removed) hides everything;
      // the values it bound before failing must go too, or PostgreSQL refuses the statement.
      ctx.params.length = start;
      return 'FALSE';
    }
  }

  private present(c: CompiledCollection, row: Row, principal: Principal, access: Access): Row {
    if (access.canSeeHidden) return rowToRecord(row, c);
    const own = principal.kind === 'user' && principal.collectionId === c.def.id && principal.id === row.id;
    // Scoped keys see emails, not hidden fields.
    return presentRecord(c, row, { viewerIsOwner: access.bypass || own });
  }

  /**
   * Runs `work` again once after reloading the schema when PostgreSQL says a table or column is
   * gone: another replica changed the collection a moment before this one heard of it.
   */
  async withFreshSchema<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== '42P01' && code !== '42703') throw err;
      await this.registry.reload();
      return work();
    }
  }

  // ---- reads --------------------------------------------------------------------------------

  /** `signal`: aborted when the client went away (the queries are cancelled). */
  async list(
    collection: string,
    q: ListQuery,
    principal: Principal,
    signal?: AbortSignal,
  ): Promise<ListResult> {
    const c = this.registry.get(collection);
    const access = this.access(c, principal, 'list');
    this.checkDepth(q);
    const params: unknown[] = [];
    const ctx = this.context(principal, access, params);
    const where: string[] = [];
    if (!access.bypass) where.push(this.rule(c, 'list', ctx));
    let order = 't."created" DESC, t."id" DESC';
    let whereParams: unknown[];
    try {
      if (q.filter?.trim()) where.push(compileFilter(q.filter, c.filter, 't', ctx));
      // The sort may bind values of its own (see visibilityGuard); the count query must not get them.
      whereParams = [...params];
      if (q.sort?.trim()) order = compileSort(q.sort, c.filter, 't', ctx).sql || order;
    } catch (err) {
      if (err instanceof FilterError)
        throw filterProblem(err, err.code.startsWith('SORT') ? 'sort' : 'filter');
      throw err;
    }
    const expand = q.expand ? this.parseExpand(c, q.expand, access) : undefined;
    const { rows, total } = await this.records.list(
      c,
      where.length ? where.map((w) => `(${w})`).join(' AND ') : 'TRUE',
      order,
      params,
      q.perPage,
      (q.page - 1) * q.perPage,
      !q.skipTotal,
      whereParams,
      signal,
    );
    let items = rows.map((r) => this.present(c, r, principal, access));
    if (expand) await this.expand(items, expand, principal);
    if (q.fields) items = items.map((r) => project(r, q.fields!));
    return {
      page: q.page,
      perPage: q.perPage,
      totalItems: total,
      totalPages: total < 0 ? -1 : Math.ceil(total / q.perPage),
      items,
    };
  }

  async view(
    collection: string,
    id: string,
    q: { fields?: string[]; expand?: string },
    principal: Principal,
  ): Promise<Row> {
    const c = this.registry.get(collection);
    const access = this.access(c, principal, 'view');
    const expand = q.expand ? this.parseExpand(c, q.expand, access) : undefined;
    const row = await this.visible(this.records.pool, c, id, principal, access);
    let record = this.present(c, row, principal, access);
    if (expand) await this.expand([record], expand, principal);
    if (q.fields) record = project(record, q.fields);
    return record;
  }

  /**
   * Realtime: the record as `principal` may receive it for a collection topic (list rule) or a
   * record topic (view rule), with the subscriber's filter and expand. The rule is judged on
   * `snapshot`, the state the change carries (for a delete, the row as it was before), not on
   * the table; undefined when the rule or the filter hides it. With no `snapshot`, only checks
   * that the filter and expand compile for this caller (bad ones throw their 400).
   */
  async viewSnapshot(
    collection: string,
    op: 'list' | 'view',
    q: { filter?: string; expand?: string },
    principal: Principal,
    snapshot?: Row,
  ): Promise<Row | undefined> {
    const c = this.registry.find(collection);
    if (!c) return undefined;
    let access: Access;
    try {
      access = this.access(c, principal, op);
    } catch {
      return undefined; // a locked rule: nothing is ever sent, whatever the options
    }
    const params: unknown[] = [];
    // PocketBase's `@request.context` of a realtime delivery.
    const ctx = { ...this.context(principal, access, params), request: REALTIME_REQUEST };
    const where: string[] = [];
    if (!access.bypass) where.push(this.rule(c, op, ctx));
    try {
      if (q.filter?.trim()) where.push(compileFilter(q.filter, c.filter, 't', ctx));
    } catch (err) {
      if (err instanceof FilterError) throw filterProblem(err, 'filter');
      throw err;
    }
    const expand = q.expand ? this.parseExpand(c, q.expand, access) : undefined;
    if (!snapshot) return undefined;
    const row = await this.records.findSnapshot(
      c,
      snapshot,
      where.length ? where.map((w) => `(${w})`).join(' AND ') : 'TRUE',
      params,
    );
    if (!row) return undefined;
    const record = this.present(c, row, principal, access);
    if (expand) await this.expand([record], expand, principal);
    return record;
  }

  /** The record if it exists and the caller's view rule shows it; 404 otherwise (no leak). */
  private async visible(
    db: Queryable,
    c: CompiledCollection,
    id: string,
    principal: Principal,
    access: Access,
    opts: { forUpdate?: boolean; withSecrets?: boolean } = {},
  ): Promise<Row> {
    // Built only when needed: an Error (with its stack) per request costs on the hot path.
    const notFound = () =>
      new AppError(
        'RECORD_NOT_FOUND',
        `There is no record "${String(id).slice(0, 64)}" in "${c.def.name}" that you can see.`,
      );
    if (!isUuid(id)) throw notFound();
    const params: unknown[] = [];
    const ctx = this.context(principal, access, params);
    const where = access.bypass ? 'TRUE' : c.def.viewRule === null ? 'FALSE' : this.rule(c, 'view', ctx);
    const row = await this.records.findOne(db, c, id, where, params, opts);
    if (!row) throw notFound();
    return row;
  }

  // ---- writes -------------------------------------------------------------------------------

  /**
   * The common update (plain field values, no files, relations, list modifiers or credentials) as
   * one `UPDATE … WHERE id AND view rule AND update rule RETURNING`: one round trip instead of a
   * transaction with a locking read. Undefined when the update needs the full path, or matched no
   * row: the full path then answers 404 / 403 / 400 exactly as before.
   */
  private async updateDirectly(
    c: CompiledCollection,
    id: string,
    body: unknown,
    principal: Principal,
    access: Access,
  ): Promise<Row | undefined> {
    if (!isUuid(id) || (!access.bypass && c.def.viewRule === null)) return undefined;
    const result = c.validators.update(withoutReadOnlyKeys(body), { isAdmin: access.bypass });
    if (!result.ok) return undefined;
    const value = result.value;
    const values = new Map<string, { value: unknown; cast: ColumnCast }>();
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
    const where = (params: unknown[]) => {
      if (access.bypass) return 'TRUE';
      const ctx = this.context(principal, access, params, bodyOf(body));
      const view = this.rule(c, 'view', ctx);
      return c.def.updateRule === '' ? view : `(${view}) AND (${this.rule(c, 'update', ctx)})`;
    };
    return this.records.updateIf(c, id, values, where).catch((err) => {
      throw writeError(err, c);
    });
  }

  async create(
    collection: string,
    body: unknown,
    principal: Principal,
    batch?: BatchScope,
    form?: Uploads,
  ): Promise<Row> {
    const c = this.registry.get(collection);
    const access = this.access(c, principal, 'create');
    // `verified` is for admins, and for callers whom the manageRule grants the new record (judged below).
    const asksVerified = c.isAuth && !access.bypass && hasOwnKey(body, 'verified');
    const verified = takeAdminVerified(c, body, access.bypass || asksVerified);
    const result = c.validators.create(verified.body);
    if (!result.ok) {
      // Invalid anyway: answered as for anyone else, `verified` then being an unknown field too.
      const asIs = asksVerified ? c.validators.create(body) : result;
      throw invalid(asIs.ok ? result.errors : asIs.errors, `The record for "${c.def.name}" is invalid`);
    }
    const value = result.value;
    const uploads = new Set(form?.uploaded);
    const fileProblems = this.fileProblems(c, value, undefined, uploads).problems;
    if (fileProblems.length) throw invalid(fileProblems, `The record for "${c.def.name}" is invalid`);
    const id = typeof value.id === 'string' ? value.id : newId();
    const values = new Map<string, { value: unknown; cast: ColumnCast }>([
      ['id', { value: id, cast: 'uuid' }],
    ]);
    for (const col of c.fieldColumns) {
      if (col.name in value) values.set(col.name, { value: value[col.name], cast: col.cast });
    }
    if (c.isAuth) {
      values.set('email', { value: value.email, cast: 'text' });
      values.set('emailVisibility', { value: value.emailVisibility ?? false, cast: 'boolean' });
      if (verified.verified !== undefined && access.bypass)
        values.set('verified', { value: verified.verified, cast: 'boolean' });
      values.set('password_hash', {
        value: await passwordHash(batch, body, String(value.password)),
        cast: 'text',
      });
      values.set('token_key', { value: newTokenKey(), cast: 'text' });
    }
    const db = batch?.client ?? this.records.pool;
    const ctx = (params: unknown[]) => this.context(principal, access, params, bodyOf(body));
    const rule =
      access.bypass || c.def.createRule === ''
        ? undefined
        : (params: unknown[]) => this.rule(c, 'create', ctx(params));
    // The rule is judged on the record as it would be stored, before anything is written: in the
    // INSERT itself, or first on its own when uploads wait for it or the manageRule is asked too.
    let judged = !rule;
    if (asksVerified || (rule && form?.uploaded.length)) {
      const manage = (params: unknown[]) => manageRuleWhere(c, ctx(params)) ?? 'FALSE';
      const [allowed, manages] = await this.records.judgeNew(db, c, values, [rule ?? (() => 'TRUE'), manage]);
      if (!allowed) throw refused(c, 'create');
      if (asksVerified && !manages) {
        // As for anyone else: `verified` is an unknown field.
        const asIs = c.validators.create(body);
        if (!asIs.ok) throw invalid(asIs.errors, `The record for "${c.def.name}" is invalid`);
      }
      if (asksVerified) values.set('verified', { value: verified.verified, cast: 'boolean' });
      judged = true;
    }
    await form?.store();
    const multi = hasMultiRelationValues(c, value);
    const insert = async (db: Queryable) => {
      const row = await (
        judged ? this.records.insert(db, c, values) : this.records.insertIf(db, c, values, rule!)
      ).catch((err) => {
        throw writeError(err, c);
      });
      if (!row) throw refused(c, 'create');
      // Multi relations have no foreign key: their ids are checked once the rule allowed the record.
      if (multi) await this.checkRelations(db, c, value);
      return row;
    };
    const row = batch || multi ? await this.write(batch, insert) : await insert(db);
    this.emitLater(batch, {
      action: 'create',
      collectionId: c.def.id,
      collectionName: c.def.name,
      record: rowToRecord(row, c, AS_STORED),
    });
    return this.present(c, row, principal, access);
  }

  async update(
    collection: string,
    id: string,
    body: unknown,
    principal: Principal,
    batch?: BatchScope,
    form?: Uploads,
  ): Promise<Row> {
    const c = this.registry.get(collection);
    const access = this.access(c, principal, 'update');
    const uploads = new Set(form?.uploaded);
    if (!batch && uploads.size === 0) {
      const direct = await this.updateDirectly(c, id, body, principal, access);
      if (direct) {
        this.events.emit({
          action: 'update',
          collectionId: c.def.id,
          collectionName: c.def.name,
          record: rowToRecord(direct, c, AS_STORED),
        });
        return this.present(c, direct, principal, access);
      }
    }
    let replacedFiles: string[] = [];
    const row = await this.write(batch, async (db) => {
      const current = await this.visible(db, c, id, principal, access, {
        forUpdate: true,
        withSecrets: true,
      });
      if (!access.bypass && c.def.updateRule !== '') {
        const params: unknown[] = [];
        const ctx = this.context(principal, access, params, bodyOf(body));
        if (!(await this.records.matches(db, c, id, this.rule(c, 'update', ctx), params))) {
          throw new AppError(
            'RULE_REFUSED',
            `The update rule of "${c.def.name}" does not allow changing this record.`,
          );
        }
      }
      // Admins, and callers the collection's manageRule grants this record, set password, verified, email freely.
      const manages = access.bypass || (await this.managesAccount(db, c, id, body, principal, access));
      const verified = takeAdminVerified(c, body, manages);
      const result = c.validators.update(withoutReadOnlyKeys(verified.body), { isAdmin: manages });
      if (!result.ok) throw invalid(result.errors, `The changes to the "${c.def.name}" record are invalid`);
      const value = result.value;
      const values = new Map<string, { value: unknown; cast: ColumnCast }>();
      const problems: FieldProblem[] = [];
      for (const col of c.fieldColumns) {
        const field = col.field!;
        let next: unknown = col.name in value ? value[col.name] : undefined;
        const add = value[`${col.name}+`];
        const prepend = value[`+${col.name}`];
        const remove = value[`${col.name}-`];
        if (isMultiple(field) && (add !== undefined || prepend !== undefined || remove !== undefined)) {
          const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
          const base = (next as unknown[] | undefined) ?? (current[col.name] as unknown[] | null) ?? [];
          const minus = new Set(list(remove));
          next = [...new Set([...list(prepend), ...base, ...list(add)])].filter((v) => !minus.has(v));
          if ((next as unknown[]).length > (field.maxSelect ?? 1)) {
            problems.push({
              path: col.name,
              code: 'TOO_MANY_ITEMS',
              message: `must have at most ${field.maxSelect} items`,
            });
          }
          if (field.required && (next as unknown[]).length === 0) {
            problems.push({ path: col.name, code: 'REQUIRED', message: 'must not be empty' });
          }
        }
        if (next !== undefined) values.set(col.name, { value: next, cast: col.cast });
      }
      if (c.isAuth) {
        if (
          value.email !== undefined &&
          String(value.email).toLowerCase() !== String(current.email).toLowerCase()
        ) {
          if (!manages) {
            // The address must be proven: request-email-change mails a link to the new one.
            problems.push({
              path: 'email',
              code: 'EMAIL_CHANGE_REQUIRES_CONFIRMATION',
              message: 'cannot be changed here; use request-email-change, which confirms the new address',
            });
          } else {
            // An admin's (or manager's) change is not a proof of the new mailbox, and ends the account's sessions.
            values.set('email', { value: value.email, cast: 'text' });
            values.set('verified', { value: false, cast: 'boolean' });
            values.set('token_key', { value: newTokenKey(), cast: 'text' });
          }
        }
        if (value.emailVisibility !== undefined)
          values.set('emailVisibility', { value: value.emailVisibility, cast: 'boolean' });
        if (verified.verified !== undefined)
          values.set('verified', { value: verified.verified, cast: 'boolean' });
        if (value.password !== undefined) {
          if (
            !manages &&
            !(await verifyPassword(String(current.password_hash), String(value.oldPassword ?? '')))
          ) {
            problems.push({
              path: 'oldPassword',
              code: 'INVALID_VALUE',
              message: 'is not the current password',
            });
          }
          values.set('password_hash', {
            value: await passwordHash(batch, body, String(value.password)),
            cast: 'text',
          });
          // A new token key signs every session of this account out.
          values.set('token_key', { value: newTokenKey(), cast: 'text' });
        }
      }
      const files = this.fileProblems(
        c,
        Object.fromEntries([...values].map(([k, v]) => [k, v.value])),
        current,
        uploads,
      );
      problems.push(...files.problems);
      replacedFiles = files.removed;
      if (problems.length) throw invalid(problems, `The changes to the "${c.def.name}" record are invalid`);
      await this.checkRelations(db, c, Object.fromEntries([...values].map(([k, v]) => [k, v.value])));
      // The rules allowed the change: only now do its uploads reach the storage.
      await form?.store();
      return this.records.update(db, c, id, values).catch((err) => {
        throw writeError(err, c);
      });
    });
    this.emitLater(batch, {
      action: 'update',
      collectionId: c.def.id,
      collectionName: c.def.name,
      record: rowToRecord(row, c, AS_STORED),
    });
    if (replacedFiles.length) {
      const recordId = String(row.id);
      await this.afterCommit(batch, () => this.files!.remove(c.def.id, recordId, replacedFiles));
    }
    return this.present(c, row, principal, access);
  }

  /** PocketBase's manageRule judged on the stored record, for an update that touches what it governs. */
  private async managesAccount(
    db: Queryable,
    c: CompiledCollection,
    id: string,
    body: unknown,
    principal: Principal,
    access: Access,
  ): Promise<boolean> {
    if (!touchesManagedFields(c, body)) return false;
    const params: unknown[] = [];
    const where = manageRuleWhere(c, this.context(principal, access, params, bodyOf(body)));
    return where !== undefined && this.records.matches(db, c, id, where, params);
  }

  async delete(collection: string, id: string, principal: Principal, batch?: BatchScope): Promise<void> {
    const c = this.registry.get(collection);
    const access = this.access(c, principal, 'delete');
    const changes: RecordChange[] = [];
    await this.write(batch, async (db) => {
      const current = await this.visible(db, c, id, principal, access, { forUpdate: true });
      if (!access.bypass && c.def.deleteRule !== '') {
        const params: unknown[] = [];
        const ctx = this.context(principal, access, params);
        if (!(await this.records.matches(db, c, id, this.rule(c, 'delete', ctx), params))) {
          throw new AppError(
            'RULE_REFUSED',
            `The delete rule of "${c.def.name}" does not allow deleting this record.`,
          );
        }
      }
      await this.deleteWithRelations(db, c, current, changes, new Set());
    });
    for (const ch of changes) this.emitLater(batch, ch);
    // Stored files of every deleted record (cascades included) go once the delete committed.
    const withFiles = changes.filter(
      (ch) =>
        ch.action === 'delete' &&
        this.registry.findById(ch.collectionId)?.def.fields.some((f) => f.type === 'file'),
    );
    if (withFiles.length && this.files) {
      const files = this.files;
      await this.afterCommit(batch, async () => {
        for (const ch of withFiles) await files.remove(ch.collectionId, String(ch.record.id));
      });
    }
  }

  /**
   * Create from multipart/form-data: the files are stored first under their final names, then the
   * record is written in its transaction; if anything fails, the stored files are deleted again.
   */
  async createFromForm(
    collection: string,
    parts: AsyncIterable<FormPart>,
    principal: Principal,
  ): Promise<Row> {
    const c = this.registry.get(collection);
    const access = this.access(c, principal, 'create');
    const files = this.requireFiles();
    // With a rule to judge, the uploads are held out of storage until it allowed the record.
    const form = await files.receive(c, parts, undefined, {
      hold: !access.bypass && c.def.createRule !== '',
    });
    try {
      return await this.create(collection, form.body, principal, undefined, form);
    } catch (err) {
      await form.discard();
      throw err;
    }
  }

  /** Update from multipart/form-data, all or nothing like `createFromForm`; replaced files go after the commit. */
  async updateFromForm(
    collection: string,
    id: string,
    parts: AsyncIterable<FormPart>,
    principal: Principal,
  ): Promise<Row> {
    const c = this.registry.get(collection);
    const access = this.access(c, principal, 'update');
    const files = this.requireFiles();
    // Nothing is stored for a record the caller cannot see.
    const current = await this.visible(this.records.pool, c, id, principal, access);
    const recordId = String(current.id);
    const hold = !access.bypass && c.def.updateRule !== '';
    const form = await files.receive(c, parts, recordId, { hold });
    try {
      return await this.update(collection, recordId, form.body, principal, undefined, form);
    } catch (err) {
      await form.discard();
      throw err;
    }
  }

  /**
   * File fields may only hold this record's stored names or this request's uploads: a JSON body
   * keeps, reorders or removes files, it cannot name new ones. Also returns the names the change drops.
   */
  private fileProblems(
    c: CompiledCollection,
    next: Record<string, unknown>,
    current: Row | undefined,
    uploads: ReadonlySet<string>,
  ): { problems: FieldProblem[]; removed: string[] } {
    const problems: FieldProblem[] = [];
    const removed: string[] = [];
    for (const col of c.fieldColumns) {
      if (col.field?.type !== 'file' || !(col.name in next)) continue;
      const before = new Set(fileNames(current?.[col.name]));
      const after = fileNames(next[col.name]);
      const unknown = after.find((n) => !before.has(n) && !uploads.has(n));
      if (unknown !== undefined) {
        problems.push({
          path: col.name,
          code: 'INVALID_VALUE',
          message: `"${unknown.slice(0, 100)}" is not a file of this record; upload new files with multipart/form-data`,
        });
      }
      const kept = new Set(after);
      for (const n of before) if (!kept.has(n)) removed.push(n);
    }
    return { problems, removed };
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
            changes.push(change('update', oc, row));
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
        for (const ref of refs) await this.deleteWithRelations(db, oc, ref, changes, seen);
      }
    }
    const row = await this.records.delete(db, c, id).catch((err) => {
      throw writeError(err, c, 'delete');
    });
    // No row: a foreign key's cascade from a record of this same delete took it (a cycle).
    changes.push(change('delete', c, row ?? current));
  }

  // ---- helpers ------------------------------------------------------------------------------

  private async write<T>(batch: BatchScope | undefined, work: (db: Queryable) => Promise<T>): Promise<T> {
    if (batch) return work(batch.client);
    return withTransaction(this.records.pool, work);
  }

  /** Runs `work` now (the write committed) or, inside a batch, once the batch committed. */
  private async afterCommit(batch: BatchScope | undefined, work: () => Promise<void>): Promise<void> {
    if (batch) (batch.afterCommit ??= []).push(work);
    else await work();
  }

  private emitLater(batch: BatchScope | undefined, change: RecordChange) {
    if (batch) batch.events.push(change);
    else this.events.emit(change);
  }

  /** Multi relations have no FK: check every id exists (single ones fail on their FK). */
  private async checkRelations(db: Queryable, c: CompiledCollection, value: Record<string, unknown>) {
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

  // ---- expand -------------------------------------------------------------------------------

  private parseExpand(c: CompiledCollection, raw: string, access: Access): ExpandTree {
    return parseExpand(this.registry, c, raw, access.canSeeHidden);
  }

  /** Deep pages cost a scan of every row before them: beyond the limit, a filter on id or created does better. */
  private checkDepth(q: ListQuery): void {
    const max = this.config.limits.listMaxDepth;
    if (q.page * q.perPage <= max) return;
    const message = `page × perPage may reach row ${max} at most (PLINTH_LIST_MAX_DEPTH)`;
    throw new AppError(
      'PAGE_TOO_DEEP',
      `This page starts beyond row ${max}, the deepest a list may page (page × perPage, PLINTH_LIST_MAX_DEPTH). To read further, sort by created or id and filter past the last record you have, e.g. sort=-created&filter=created<"<its created>".`,
      { errors: [{ path: 'page', code: 'PAGE_TOO_DEEP', message }] },
    );
  }

  /** Attaches `expand` to `records` within this answer's budget; see record-expand.ts. */
  private expand(records: Row[], tree: ExpandTree, principal: Principal): Promise<void> {
    const budget = this.config.limits.expandBudget;
    const viewOf: ViewOf = (target) => {
      let access: Access;
      try {
        access = this.access(target, principal, 'view');
      } catch {
        return undefined;
      }
      const params: unknown[] = [];
      const where = access.bypass
        ? 'TRUE'
        : this.rule(target, 'view', this.context(principal, access, params));
      return { where, params, present: (row) => this.present(target, row, principal, access) };
    };
    return expandRecords(this.registry, this.records, records, tree, viewOf, { limit: budget, left: budget });
  }
}

/** The batch's hash of this body's password when it made one before its transaction; else hashes now. */
function passwordHash(batch: BatchScope | undefined, body: unknown, password: string): Promise<string> {
  const pre =
    batch?.passwordHashes && body && typeof body === 'object' ? batch.passwordHashes.get(body) : undefined;
  return pre?.password === password ? Promise.resolve(pre.hash) : hashPassword(password);
}

function change(action: RecordChange['action'], c: CompiledCollection, row: Row): RecordChange {
  return {
    action,
    collectionId: c.def.id,
    collectionName: c.def.name,
    record: rowToRecord(row, c, AS_STORED),
  };
}

function project(record: Row, fields: string[]): Row {
  if (fields.includes('*')) return record;
  const out: Row = {};
  for (const f of fields) {
    const key = f.split('.')[0]!;
    if (key in record) out[key] = record[key];
  }
  return out;
}

/**
 * Clients often send a whole record back on update; like PocketBase, its read-only keys are
 * ignored rather than refused. Everything else unknown is still a 400.
 */
const READ_ONLY_KEYS = ['id', 'created', 'updated', 'collectionId', 'collectionName', 'expand'];
/** Whether `value` sets a multi-value relation (its ids are checked in the write's transaction). */
function hasMultiRelationValues(c: CompiledCollection, value: Record<string, unknown>): boolean {
  return c.fieldColumns.some(
    (col) => col.field!.type === 'relation' && isMultiple(col.field!) && Array.isArray(value[col.name]),
  );
}

/** Field types whose update needs the current row or other records (files, relations). */
const NEEDS_CURRENT_ROW = new Set(['file', 'relation']);

function withoutReadOnlyKeys(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const copy = { ...(body as Record<string, unknown>) };
  for (const k of READ_ONLY_KEYS) delete copy[k];
  return copy;
}

function hasOwnKey(body: unknown, key: string): boolean {
  return !!body && typeof body === 'object' && !Array.isArray(body) && Object.hasOwn(body, key);
}

/** A write the caller's rule does not allow (DESIGN §10: 403 RULE_REFUSED). */
function refused(c: CompiledCollection, op: 'create' | 'update' | 'delete'): AppError {
  const what = {
    create: 'does not allow this record',
    update: 'does not allow changing this record',
    delete: 'does not allow deleting this record',
  }[op];
  return new AppError('RULE_REFUSED', `The ${op} rule of "${c.def.name}" ${what}.`);
}

function bodyOf(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function invalid(errors: FieldProblem[], what: string): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    `${what}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}.`,
    { errors },
  );
}

/** Maps constraint violations to answers that name the field. */
function writeError(err: unknown, c: CompiledCollection, op: 'write' | 'delete' = 'write'): unknown {
  const e = err as { code?: string; constraint?: string };
  const fieldById = (name?: string) =>
    c.def.fields.find((f) => name && name.replace(/^(uq|fk|rel)_/, '') === f.id)?.name;
  if (e.code === '23505') {
    if (e.constraint?.startsWith('pk_') || e.constraint?.endsWith('_pkey')) {
      return new AppError('RECORD_ID_TAKEN', `A record with this id exists already in "${c.def.name}".`, {
        errors: [{ path: 'id', code: 'NOT_UNIQUE', message: 'is taken' }],
      });
    }
    const field =
      fieldById(e.constraint) ?? (c.isAuth && e.constraint?.includes('email') ? 'email' : undefined);
    const index = c.def.indexes.find((i) => i.unique && e.constraint === declaredIndexName(c.def, i));
    const path = field ?? index?.fields.join(',') ?? 'record';
    return invalid(
      [{ path, code: 'NOT_UNIQUE', message: 'must be unique: another record has this value' }],
      `The record for "${c.def.name}" is invalid`,
    );
  }
  if (e.code === '23503') {
    const field = op === 'write' ? fieldById(e.constraint) : undefined;
    if (field) {
      return invalid(
        [{ path: field, code: 'RELATION_NOT_FOUND', message: 'refers to a record that does not exist' }],
        `The record for "${c.def.name}" is invalid`,
      );
    }
    return new AppError(
      'RELATION_RESTRICTED',
      `This record is still referenced by another collection's relation (onDelete: restrict). Remove those references first.`,
    );
  }
  if (e.code === '22P02' || e.code === '22007' || e.code === '22008' || e.code === '22003') {
    return new AppError('VALIDATION_FAILED', 'A value has the wrong format for its field.');
  }
  return err;
}

const REALTIME_REQUEST = { query: {}, headers: {}, method: 'GET', context: 'realtime' } as const;

function requestInfo(): Pick<FilterContext, 'request'> {
  const request = currentRequestInfo();
  return request ? { request } : {};
}
