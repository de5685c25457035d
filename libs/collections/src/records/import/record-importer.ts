import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  type FieldProblem,
  hashPassword,
  PLINTH_CONFIG,
  type Principal,
  type ResolvedConfig,
  toProblem,
} from '@plinth/core';
import type { PoolClient } from 'pg';
import { CollectionsRegistry } from '../../registry/collections.registry.js';
import type { CompiledCollection } from '../../registry/compiled-collection.js';
import { RecordEvents } from '../record-events.js';
import type { BatchScope, PasswordHashes } from '../record-ports.js';
import { RecordsRepository } from '../records.repository.js';
import { RecordsService } from '../records.service.js';
import { currentRequestInfo, runWithRequestInfo } from '../request-info.js';
import { exempt, WriteLimits } from '../write-limits.js';
import { importFormatOf, type ImportFormat, invalidFile, readRows } from './import-sources.js';
import { type ColumnPlan, planColumns, rowBody } from './import-values.js';
import { checkXlsx } from './xlsx-guard.js';

/** Rows written per transaction (non-atomic) and read ahead at a time. */
export const IMPORT_BATCH = 200;
/** Failed rows described in the answer at most (all are counted). */
export const MAX_FAILED_REPORTED = 1000;

export interface ImportOptions {
  format?: string;
  mode: 'insert' | 'upsert';
  atomic: boolean;
  dryRun: boolean;
  mapping?: Record<string, unknown>;
  fileName: string;
  contentType: string;
  /** The file's first bytes, to tell its format when nothing else does. */
  head: Buffer;
}

export interface FailedRow {
  row: number;
  errors: FieldProblem[];
}

export interface ImportReport {
  format: ImportFormat;
  mode: 'insert' | 'upsert';
  atomic: boolean;
  dryRun: boolean;
  /** Whether the rows were written (false for a dry run, and for an atomic import with a failed row). */
  committed: boolean;
  /** Data rows in the file. */
  total: number;
  inserted: number;
  updated: number;
  failedCount: number;
  /** The first 1000 failed rows with their problems. */
  failed: FailedRow[];
  columns: Record<string, string | null>;
  unknownColumns: string[];
  ignoredColumns: string[];
}

interface PreparedRow {
  row: number;
  body: Record<string, unknown>;
  problems: FieldProblem[];
}

/** Thrown inside the transaction of a dry run or failed atomic import to roll it back. */
class RollBack extends Error {}

/**
 * Imports a file of records into a collection. Each row is a create (or, upserting, an update of the
 * record with its id) through RecordsService with the caller's principal: the same validation, rules,
 * outbox and events as the API's. Rows run in a savepoint each, inside one transaction (atomic, dry
 * run) or one per 200 rows; a row's failure rolls back only its savepoint and is reported.
 */
@Injectable()
export class RecordImporter {
  private running = 0;

  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly records: RecordsService,
    private readonly repository: RecordsRepository,
    private readonly events: RecordEvents,
    private readonly limits: WriteLimits,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** `path`: the uploaded file, already on disk and within PLINTH_IMPORT_MAX_BYTES. */
  async run(
    collection: string,
    path: string,
    opts: ImportOptions,
    principal: Principal,
    ip: string,
  ): Promise<ImportReport> {
    const c = this.registry.get(collection);
    if (c.def.type === 'view') {
      throw new AppError(
        'VIEW_READ_ONLY',
        `"${c.def.name}" is a view collection: records cannot be imported into it. Import into the collections it reads.`,
      );
    }
    if (
      !exempt(principal) &&
      c.def.createRule === null &&
      (opts.mode === 'insert' || c.def.updateRule === null)
    ) {
      throw new AppError('RULE_REFUSED', `Only admins may import records into "${c.def.name}".`);
    }
    const format = importFormatOf(opts.format, opts.fileName, opts.contentType, opts.head);
    const max = Math.max(1, Math.floor((this.repository.pool.options.max ?? 10) / 4));
    if (this.running >= max) {
      throw new AppError(
        'QUERY_TIMEOUT',
        `${max} imports are running on this server, the most it runs at once. Try again in a moment.`,
        { headers: { 'retry-after': '5' } },
      );
    }
    this.running++;
    try {
      return await this.limits.batch(ip, principal, () =>
        this.runChecked(c, path, format, opts, principal, ip),
      );
    } finally {
      this.running--;
    }
  }

  private async runChecked(
    c: CompiledCollection,
    path: string,
    format: ImportFormat,
    opts: ImportOptions,
    principal: Principal,
    ip: string,
  ): Promise<ImportReport> {
    const { importMaxRows, importMaxBytes } = this.config.limits;
    if (format === 'xlsx') await checkXlsx(path, importMaxBytes * 8);
    // First pass: the whole file is readable and within the limits before anything is written.
    const columns = new Set<string>();
    let total = 0;
    for await (const r of readRows(path, format, (names) => names.forEach((n) => columns.add(n)))) {
      total++;
      if (total > importMaxRows) {
        throw new AppError(
          'RECORDS_IMPORT_TOO_LARGE',
          `The file has more than ${importMaxRows} rows, the most one import takes (PLINTH_IMPORT_MAX_ROWS). Split it.`,
        );
      }
      if (format === 'json' || format === 'ndjson') for (const k of Object.keys(r.values)) columns.add(k);
    }
    const target = { fields: c.def.fields, isAuth: c.isAuth };
    const plan = planColumns(target, [...columns], opts.mapping);
    const report: ImportReport = {
      format,
      mode: opts.mode,
      atomic: opts.atomic,
      dryRun: opts.dryRun,
      committed: false,
      total,
      inserted: 0,
      updated: 0,
      failedCount: 0,
      failed: [],
      columns: plan.mapping,
      unknownColumns: plan.unknownColumns,
      ignoredColumns: plan.ignoredColumns,
    };
    const typed = format === 'json' || format === 'ndjson';
    const batches = this.batches(path, format, plan, target, typed);
    const write = async (client: PoolClient, rows: PreparedRow[], scope: BatchScope) => {
      await this.limits.signUps(c.def.name, rows.length, ip, principal);
      scope.passwordHashes = await this.hashPasswords(c, rows, opts, principal);
      await this.writeRows(c, client, rows, scope, opts, principal, report);
    };
    if (opts.atomic || opts.dryRun) {
      const scope: BatchScope = { client: undefined as never, events: [], afterCommit: [] };
      try {
        await this.repository.transaction(async (client) => {
          scope.client = client;
          for await (const rows of batches) await write(client, rows, scope);
          if (opts.dryRun || report.failedCount) throw new RollBack();
        });
        report.committed = true;
        await this.afterCommit(scope);
      } catch (err) {
        if (!(err instanceof RollBack)) throw err;
      }
      if (!report.committed && !opts.dryRun) {
        report.inserted = 0;
        report.updated = 0;
      }
      return report;
    }
    for await (const rows of batches) {
      const scope: BatchScope = { client: undefined as never, events: [], afterCommit: [] };
      await this.repository.transaction(async (client) => {
        scope.client = client;
        await write(client, rows, scope);
      });
      await this.afterCommit(scope);
    }
    report.committed = true;
    return report;
  }

  /** The rows as record bodies, 200 at a time. */
  private async *batches(
    path: string,
    format: ImportFormat,
    plan: ColumnPlan,
    target: { fields: CompiledCollection['def']['fields']; isAuth: boolean },
    typed: boolean,
  ): AsyncGenerator<PreparedRow[]> {
    let rows: PreparedRow[] = [];
    for await (const r of readRows(path, format)) {
      rows.push({ row: r.row, ...rowBody(target, plan, r.values, typed) });
      if (rows.length === IMPORT_BATCH) {
        yield rows;
        rows = [];
      }
    }
    if (rows.length) yield rows;
  }

  /** As the batch does: passwords of auth records are hashed before their rows run (admins: every row). */
  private async hashPasswords(
    c: CompiledCollection,
    rows: PreparedRow[],
    opts: ImportOptions,
    principal: Principal,
  ): Promise<PasswordHashes> {
    const hashes: PasswordHashes = new WeakMap();
    if (!c.isAuth || (opts.mode === 'upsert' && !exempt(principal))) return hashes;
    for (const r of rows) {
      const password = r.body.password;
      if (typeof password === 'string' && password && !r.problems.length) {
        hashes.set(r.body, { password, hash: await hashPassword(password) });
      }
    }
    return hashes;
  }

  private async writeRows(
    c: CompiledCollection,
    client: PoolClient,
    rows: PreparedRow[],
    scope: BatchScope,
    opts: ImportOptions,
    principal: Principal,
    report: ImportReport,
  ): Promise<void> {
    const fail = (row: number, errors: FieldProblem[]) => {
      report.failedCount++;
      if (report.failed.length < MAX_FAILED_REPORTED) report.failed.push({ row, errors });
    };
    for (const r of rows) {
      if (r.problems.length) {
        fail(r.row, r.problems);
        continue;
      }
      const events = scope.events.length;
      const after = scope.afterCommit!.length;
      await client.query('SAVEPOINT import_row');
      try {
        const existing = opts.mode === 'upsert' ? await this.existing(c, r.body, client) : undefined;
        const info = { ...currentRequestInfo(), method: existing ? 'PATCH' : 'POST', context: 'default' };
        await runWithRequestInfo(info, () =>
          existing
            ? this.records.update(c.def.name, existing, r.body, principal, scope)
            : this.records.create(c.def.name, r.body, principal, scope),
        );
        await client.query('RELEASE SAVEPOINT import_row');
        if (existing) report.updated++;
        else report.inserted++;
      } catch (err) {
        await client.query('ROLLBACK TO SAVEPOINT import_row');
        scope.events.length = events;
        scope.afterCommit!.length = after;
        const { problem, internal } = toProblem(err, '');
        if (internal || problem.status >= 500) throw err;
        fail(
          r.row,
          problem.errors?.length
            ? problem.errors
            : [{ path: '', code: problem.code, message: problem.detail }],
        );
      }
    }
  }

  /** Upsert: the row's id when a record with it exists. */
  private async existing(
    c: CompiledCollection,
    body: Record<string, unknown>,
    client: PoolClient,
  ): Promise<string | undefined> {
    if (!c.isId(body.id)) return undefined;
    return (await this.repository.countExisting(client, c, [body.id])) > 0 ? body.id : undefined;
  }

  private async afterCommit(scope: BatchScope): Promise<void> {
    for (const change of scope.events) this.events.emit(change);
    for (const work of scope.afterCommit ?? []) await work();
  }
}

export { invalidFile };
